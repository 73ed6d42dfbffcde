import json
import re
from collections import defaultdict
from datetime import datetime, time

from odoo import api, fields, models
from odoo.tools import (
    SQL,
    float_compare,
    float_is_zero,
    float_repr,
    float_round,
)

# The switch (support): "0", "false" or "off" posts every report through
# Odoo's own machinery, as before the engine.
ENGINE_PARAM = "cycle_count_accounting.posting_engine"


class CycleCountPostingEngine(models.AbstractModel):
    """Posts a variance report's differences as Odoo's inventory apply and our
    one-entry-per-report merge would, in a few set-based statements: the
    report's quants locked in id order, then done moves, move lines, quant
    updates, valuation layers (FIFO candidates consumed in FIFO order, the
    product's cost as Odoo updates it) and the report's journal entry with its
    lines. Whatever it does not cover goes to Odoo's path, with a note on the
    report naming why (``_get_fallback_reason``)."""

    _name = "cycle.count.posting.engine"
    _description = "Cycle Count Set-Based Posting Engine"

    # ------------------------------------------------------------------
    # The switch and the scope
    # ------------------------------------------------------------------
    @api.model
    def _is_enabled(self):
        value = self.env["ir.config_parameter"].sudo().get_param(ENGINE_PARAM, "1")
        return (value or "").strip().lower() not in ("0", "false", "off", "no")

    @api.model
    def _get_fallback_reason(self, adjustment, lines):
        """Why ``lines`` of ``adjustment`` must go through Odoo's path (a
        translated sentence), or False when the engine covers them. Checked
        from what is in memory; the quants' state is checked after the lock
        (``_get_quant_fallback_reason``). Lots, serials, packages and owners
        are covered (each quant keyed as ``_update_available_quantity`` keys
        it); products valued per lot are not (their layers are per lot)."""
        company = adjustment.company_id
        if company.cycle_count_two_step or adjustment.suspense_state:
            return self.env._("two-step posting through suspense")
        for line in lines:
            product = line.product_id.with_company(company)
            if not product.is_storable:
                return self.env._(
                    "%(product)s is not a storable product",
                    product=product.display_name,
                )
            if product.lot_valuated:
                return self.env._(
                    "%(product)s is valued per lot or serial number",
                    product=product.display_name,
                )
            if product.categ_id.property_valuation != "real_time":
                return self.env._(
                    "%(product)s is valued periodically (manual valuation)",
                    product=product.display_name,
                )
            if product.cost_method not in ("standard", "average", "fifo"):
                return self.env._(
                    "%(product)s has a costing method the engine does not know",
                    product=product.display_name,
                )
            if line.location_id.company_id != company:
                return self.env._(
                    "%(location)s belongs to another company",
                    location=line.location_id.display_name,
                )
            if line.lot_id.product_id and line.lot_id.product_id != line.product_id:
                return self.env._(
                    "%(lot)s is a lot of another product",
                    lot=line.lot_id.display_name,
                )
        return False

    def _is_owned(self, company, line):
        """Stock owned by someone else is moved, not valued
        (stock.move.line._should_exclude_for_valuation)."""
        return bool(line.owner_id) and line.owner_id != company.partner_id

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _column(self, model, name, value):
        """``value`` as the ORM would store it in ``model.name`` (the field's
        digits, the currency's rounding)."""
        return self.env[model]._fields[name].convert_to_column(value, self.env[model])

    def _execute(self, query):
        return self.env.execute_query(query)

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------
    @api.model
    def _post_lines(self, adjustment, lines):
        """Post ``lines`` (variances of ``adjustment``, in the order they are
        applied). Return ``(moves, False)``, or ``(empty, reason)`` when a
        quant or a layer needs Odoo's path (nothing written then)."""
        self.env.flush_all()
        company = adjustment.company_id
        env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        self = self.with_env(env)
        lines = lines.with_env(env)
        quants = self._lock_quants(company, lines)
        # Never a line twice: a line with its move is in stock already (read
        # after the lock, so a concurrent posting of it has committed).
        posted = {
            row[0]
            for row in self._execute(
                SQL(
                    """SELECT cycle_count_adjustment_line_id FROM stock_move
                        WHERE cycle_count_adjustment_line_id = ANY(%(lines)s)""",
                    lines=lines.ids,
                )
            )
        }
        lines = lines.filtered(lambda line: line.id not in posted)
        if not lines:
            return self.env["stock.move"], False
        reason = self._get_quant_fallback_reason(lines, quants)
        if reason:
            return self.env["stock.move"], reason
        # Owned stock is moved, not valued: no layer, no entry line.
        valued = lines.filtered(lambda line: not self._is_owned(company, line))
        valuation = self._value_lines(company, valued)
        if isinstance(valuation, str):
            return self.env["stock.move"], valuation
        moment = self._get_move_date(adjustment)
        moves, reference = self._insert_moves(adjustment, lines, moment)
        self._update_quants(company, lines, quants, moves)
        for layer in valuation["layers"]:
            layer["reference"] = reference
        if valued:
            move_of_line = dict(zip(lines.ids, moves, strict=True))
            valued_moves = [move_of_line[line_id] for line_id in valued.ids]
            self._write_valuation(company, valued, valued_moves, valuation)
        self.env.invalidate_all()
        moves = self.env["stock.move"].browse(moves)
        # What Odoo's stock.move._action_done does after the moves (planning's
        # event triggers; the locations' last count).
        self.env["cycle.count.event"]._fire_from_moves(moves)
        return moves, False

    def _get_move_date(self, adjustment):
        date = adjustment._get_entry_date()
        if date != fields.Date.context_today(adjustment):
            # As accounting's _apply_lines: noon UTC keeps the calendar date.
            return datetime.combine(date, time(12))
        return fields.Datetime.now()

    # -- quants ---------------------------------------------------------
    def _get_inventory_location(self, company, line):
        return line.product_id.with_company(company).property_stock_inventory

    def _line_keys(self, company, line):
        """The quant keys (product, location, lot, package, owner; 0 for
        none) a line's move takes from and gives to, as Odoo's inventory move
        line sets them (stock.quant._get_inventory_move_values): the bin's
        side carries the line's package (``package_id`` of a loss,
        ``result_package_id`` of a gain), the inventory-loss side none."""
        product = line.product_id.id
        bin_id = line.location_id.id
        inventory = self._get_inventory_location(company, line).id
        lot, owner = line.lot_id.id or 0, line.owner_id.id or 0
        bin_key = (product, bin_id, lot, line.package_id.id or 0, owner)
        inventory_key = (product, inventory, lot, 0, owner)
        if line.difference_qty > 0:
            return inventory_key, bin_key
        return bin_key, inventory_key

    def _lock_quants(self, company, lines):
        """Lock the quants the lines touch (their bins' and the inventory-loss
        locations'), in id order, before anything is read from them: those of
        each line's keys, and for a lot the same item without lot (which
        Odoo's _update_available_quantity may take from)."""
        keys = {key for line in lines for key in self._line_keys(company, line)}
        keys = sorted(keys)
        rows = self._execute(
            SQL(
                """
                SELECT q.id, q.product_id, q.location_id, q.quantity,
                       q.reserved_quantity, q.in_date, COALESCE(q.lot_id, 0),
                       COALESCE(q.package_id, 0), COALESCE(q.owner_id, 0)
                  FROM stock_quant q
                 WHERE q.id IN (
                        SELECT q2.id
                          FROM stock_quant q2
                          JOIN unnest(%(products)s::int[], %(locations)s::int[],
                                      %(lots)s::int[], %(packages)s::int[],
                                      %(owners)s::int[])
                               AS k(product_id, location_id, lot_id, package_id,
                                    owner_id)
                            ON k.product_id = q2.product_id
                           AND k.location_id = q2.location_id
                           AND k.package_id = COALESCE(q2.package_id, 0)
                           AND k.owner_id = COALESCE(q2.owner_id, 0)
                         WHERE k.lot_id = COALESCE(q2.lot_id, 0)
                            OR q2.lot_id IS NULL)
                 ORDER BY q.id
                   FOR NO KEY UPDATE OF q
                """,
                products=[key[0] for key in keys],
                locations=[key[1] for key in keys],
                lots=[key[2] for key in keys],
                packages=[key[3] for key in keys],
                owners=[key[4] for key in keys],
            )
        )
        quants = defaultdict(list)
        for row in rows:
            quants[(row[1], row[2], row[6], row[7], row[8])].append(row)
        return quants

    def _get_quant_fallback_reason(self, lines, quants):
        company = lines[:1].adjustment_id.company_id
        for key, rows in quants.items():
            if len(rows) > 1:
                product = self.env["product.product"].browse(key[0])
                return self.env._(
                    "%(product)s has several quants in one location",
                    product=product.display_name,
                )
        rounding = {
            line.product_id.id: line.product_id.uom_id.rounding for line in lines
        }
        delta = defaultdict(float)
        for line in lines:
            source, dest = self._line_keys(company, line)
            qty = abs(line.difference_qty)
            delta[source] -= qty
            delta[dest] += qty
            if line.lot_id:
                # Odoo may take a lot's loss from the quant without lot, or
                # make up a lot gone negative from it (_synchronize_quant).
                for key in (source, dest):
                    if quants.get((*key[:2], 0, *key[3:])):
                        return self.env._(
                            "%(product)s has stock without lot beside its lots",
                            product=line.product_id.display_name,
                        )
        locations = self.env["stock.location"].browse({key[1] for key in delta})
        bypass = {
            location.id: location.should_bypass_reservation() for location in locations
        }
        short = []
        for key, change in delta.items():
            rows = quants.get(key)
            if change >= 0 or bypass[key[1]]:
                continue
            quantity, reserved = (rows[0][3], rows[0][4]) if rows else (0.0, 0.0)
            # The move line reserves its quantity when created and frees it
            # when done: the reservation is as before, what is left is not.
            if quantity + change - reserved < 0 and not float_is_zero(
                quantity + change - reserved, precision_rounding=rounding[key[0]]
            ):
                short.append(key)
        if short:
            # Odoo then frees other moves' reservations (_free_reservation).
            reserving = self._execute(
                SQL(
                    """
                    SELECT ml.product_id
                      FROM stock_move_line ml
                      JOIN unnest(%(products)s::int[], %(locations)s::int[],
                                  %(lots)s::int[], %(packages)s::int[],
                                  %(owners)s::int[])
                           AS k(product_id, location_id, lot_id, package_id,
                                owner_id)
                        ON k.product_id = ml.product_id
                       AND k.location_id = ml.location_id
                       AND k.lot_id = COALESCE(ml.lot_id, 0)
                       AND k.package_id = COALESCE(ml.package_id, 0)
                       AND k.owner_id = COALESCE(ml.owner_id, 0)
                     WHERE ml.state NOT IN ('done', 'cancel')
                       AND ml.quantity_product_uom > 0 AND NOT ml.picked
                     LIMIT 1
                    """,
                    products=[key[0] for key in short],
                    locations=[key[1] for key in short],
                    lots=[key[2] for key in short],
                    packages=[key[3] for key in short],
                    owners=[key[4] for key in short],
                )
            )
            if reserving:
                product = self.env["product.product"].browse(reserving[0][0])
                return self.env._(
                    "%(product)s is reserved beyond what the count leaves",
                    product=product.display_name,
                )
        return False

    def _update_quants(self, company, lines, quants, move_ids):
        """Each line takes its quantity from its source quant and gives it to
        its destination quant (``stock.quant._update_available_quantity``):
        existing quants updated in one statement, new ones created in one
        batch; incoming dates as Odoo keeps them. Then what Odoo stores from
        quants (a lot's single location) is recomputed, and a serial number
        in stock twice refused as Odoo's constraint refuses it."""
        now = fields.Datetime.now()
        state = {}  # key -> [quantity, in_date, quant id or None]
        for key, rows in quants.items():
            row = rows[0]
            state[key] = [row[3], row[5], row[0]]
        locations = self.env["stock.location"].browse(
            {key[1] for line in lines for key in self._line_keys(company, line)}
        )
        bypass = {
            location.id: location.should_bypass_reservation() for location in locations
        }

        def sync(key, quantity, in_date=None):
            current = state.get(key)
            incoming = []
            if not bypass[key[1]] and current and current[1] and current[0] > 0:
                incoming.append(current[1])
            if in_date:
                incoming.append(in_date)
            in_date = min(incoming) if incoming else now
            if current:
                current[0] += quantity
                current[1] = in_date
            else:
                state[key] = [quantity, in_date, None]
            return in_date

        for line in lines:
            source, dest = self._line_keys(company, line)
            qty = abs(line.difference_qty)
            in_date = sync(source, -qty)
            sync(dest, qty, in_date)
        touched = []
        updates = [(vals[2], vals[0], vals[1]) for vals in state.values()]
        updates = [update for update in updates if update[0]]
        if updates:
            self._execute(
                SQL(
                    """
                    UPDATE stock_quant q
                       SET quantity = v.quantity, in_date = v.in_date,
                           write_uid = %(uid)s,
                           write_date = NOW() AT TIME ZONE 'UTC'
                      FROM unnest(%(ids)s::int[], %(quantities)s::numeric[],
                                  %(dates)s::timestamp[])
                           AS v(id, quantity, in_date)
                     WHERE q.id = v.id
                    """,
                    uid=self.env.uid,
                    ids=[u[0] for u in updates],
                    quantities=[
                        self._column("stock.quant", "quantity", u[1]) for u in updates
                    ],
                    dates=[u[2] for u in updates],
                )
            )
            touched += [u[0] for u in updates]
        new = [(key, vals) for key, vals in state.items() if not vals[2]]
        # A first quant in a virtual location (the inventory-loss location of
        # a product never adjusted) stores nothing computed but its company
        # and the difference to a count: one INSERT for all of them.
        internal = {
            location.id
            for location in locations
            if location.usage in ("internal", "transit")
        }
        virtual = [(key, vals) for key, vals in new if key[1] not in internal]
        new = [(key, vals) for key, vals in new if key[1] in internal]
        if virtual:
            rows = self._execute(
                SQL(
                    """
                    INSERT INTO stock_quant (
                        create_uid, write_uid, create_date, write_date,
                        product_id, location_id, lot_id, package_id, owner_id,
                        company_id, quantity, reserved_quantity,
                        inventory_diff_quantity, inventory_quantity_set, in_date)
                    SELECT %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                           NOW() AT TIME ZONE 'UTC', v.product_id, v.location_id,
                           NULLIF(v.lot_id, 0), NULLIF(v.package_id, 0),
                           NULLIF(v.owner_id, 0), l.company_id, v.quantity, 0,
                           -v.quantity, FALSE, v.in_date
                      FROM unnest(%(products)s::int[], %(locations)s::int[],
                                  %(lots)s::int[], %(packages)s::int[],
                                  %(owners)s::int[], %(quantities)s::numeric[],
                                  %(dates)s::timestamp[])
                           AS v(product_id, location_id, lot_id, package_id,
                                owner_id, quantity, in_date)
                      JOIN stock_location l ON l.id = v.location_id
                 RETURNING id
                    """,
                    uid=self.env.uid,
                    products=[key[0] for key, _vals in virtual],
                    locations=[key[1] for key, _vals in virtual],
                    lots=[key[2] for key, _vals in virtual],
                    packages=[key[3] for key, _vals in virtual],
                    owners=[key[4] for key, _vals in virtual],
                    quantities=[
                        self._column("stock.quant", "quantity", vals[0])
                        for _key, vals in virtual
                    ],
                    dates=[vals[1] for _key, vals in virtual],
                )
            )
            touched += [row[0] for row in rows]
        Quant = self.env["stock.quant"]
        if touched:
            # What the ORM stores from these rows (a lot's single location:
            # stock.lot._compute_single_location) is recomputed on flush, as
            # Odoo's write of a quantity (or create of a quant) triggers it.
            self.env.invalidate_all()
            # Their stored values read first: as in Odoo's path (which holds
            # them in cache), a value recomputed unchanged is not written.
            Quant.browse(touched).lot_id.mapped("location_id")
            Quant.browse([u[0] for u in updates]).modified(["quantity"])
            Quant.browse(touched[len(updates) :]).modified(
                ["quantity", "lot_id", "location_id", "package_id", "owner_id"]
            )
        if new:
            # Few (gains in an empty bin): the ORM computes what a new quant
            # of a bin stores (its scheduled count date, company).
            # sudo: quants are written by the system, as Odoo's moves do.
            created = Quant.sudo().create(
                [
                    {
                        "product_id": key[0],
                        "location_id": key[1],
                        "lot_id": key[2] or False,
                        "package_id": key[3] or False,
                        "owner_id": key[4] or False,
                        "quantity": vals[0],
                        "in_date": vals[1],
                    }
                    for key, vals in new
                ]
            )
            touched += created.ids
        self.env.flush_all()
        if any(line.lot_id and line.product_id.tracking == "serial" for line in lines):
            # sudo: the constraint reads every quant of the serial number.
            Quant.sudo().browse(touched).check_quantity()

    # -- moves and move lines -------------------------------------------
    def _insert_moves(self, adjustment, lines, moment):
        company = adjustment.company_id
        # The name and origin approval gives every move of the report (one
        # definition, its translation).
        template = lines[:1]._prepare_stock_move_vals()
        name = template["name"]
        origin = template.get("origin") or None
        cols = defaultdict(list)
        for line in lines:
            product = line.product_id
            inventory = self._get_inventory_location(company, line)
            if line.difference_qty > 0:
                source, dest = inventory, line.location_id
            else:
                source, dest = line.location_id, inventory
            qty = self._column(
                "stock.move", "product_uom_qty", abs(line.difference_qty)
            )
            cols["product"].append(product.id)
            cols["uom"].append(product.uom_id.id)
            cols["source"].append(source.id)
            cols["dest"].append(dest.id)
            cols["qty"].append(qty)
            cols["price"].append(line.unit_cost)
            cols["line"].append(line.id)
            cols["scrapped"].append(bool(dest.scrap_location))
            cols["owner"].append(line.owner_id.id or None)
            cols["lot"].append(line.lot_id.id or None)
            # A loss leaves the line's package, a gain goes into it.
            package = line.package_id.id or None
            gain = line.difference_qty > 0
            cols["package"].append(None if gain else package)
            cols["result_package"].append(package if gain else None)
        rows = self._execute(
            SQL(
                """
                INSERT INTO stock_move (
                    create_uid, write_uid, create_date, write_date, sequence,
                    company_id, product_id, product_uom, location_id,
                    location_dest_id, name, priority, state, origin,
                    procure_method, reference, product_qty, product_uom_qty,
                    quantity, picked, scrapped, propagate_cancel, is_inventory,
                    additional, date, price_unit, cycle_count_adjustment_line_id,
                    cycle_count_adjustment_id, restrict_partner_id)
                SELECT %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       NOW() AT TIME ZONE 'UTC', 10, %(company)s, v.product_id,
                       v.uom_id, v.source_id, v.dest_id, %(name)s, '0', 'done',
                       %(origin)s, 'make_to_stock', %(name)s, v.qty, v.qty, v.qty,
                       TRUE, v.scrapped, TRUE, TRUE, FALSE, %(date)s, v.price,
                       v.line_id, %(adjustment)s, v.owner_id
                  FROM unnest(%(products)s::int[], %(uoms)s::int[],
                              %(sources)s::int[], %(dests)s::int[],
                              %(qtys)s::numeric[], %(prices)s::float8[],
                              %(lines)s::int[], %(scrapped)s::bool[],
                              %(owners)s::int[])
                       WITH ORDINALITY
                       AS v(product_id, uom_id, source_id, dest_id, qty, price,
                            line_id, scrapped, owner_id, n)
                 ORDER BY v.n
             RETURNING id
                """,
                uid=self.env.uid,
                company=company.id,
                name=name,
                origin=origin,
                date=moment,
                adjustment=adjustment.id,
                products=cols["product"],
                uoms=cols["uom"],
                sources=cols["source"],
                dests=cols["dest"],
                qtys=cols["qty"],
                prices=cols["price"],
                lines=cols["line"],
                scrapped=cols["scrapped"],
                owners=cols["owner"],
            )
        )
        move_ids = [row[0] for row in rows]
        self._execute(
            SQL(
                """
                INSERT INTO stock_move_line (
                    create_uid, write_uid, create_date, write_date, move_id,
                    company_id, product_id, product_uom_id, location_id,
                    location_dest_id, state, reference, quantity,
                    quantity_product_uom, picked, date, lot_id, package_id,
                    result_package_id, owner_id)
                SELECT m.create_uid, m.write_uid, m.create_date, m.write_date,
                       m.id, m.company_id, m.product_id, m.product_uom,
                       m.location_id, m.location_dest_id, 'done', m.reference,
                       m.quantity, m.product_qty, TRUE, m.date, v.lot_id,
                       v.package_id, v.result_package_id, m.restrict_partner_id
                  FROM unnest(%(moves)s::int[], %(lots)s::int[],
                              %(packages)s::int[], %(result_packages)s::int[])
                       AS v(move_id, lot_id, package_id, result_package_id)
                  JOIN stock_move m ON m.id = v.move_id
                 ORDER BY m.id
                """,
                moves=move_ids,
                lots=cols["lot"],
                packages=cols["package"],
                result_packages=cols["result_package"],
            )
        )
        return move_ids, name

    # -- valuation ------------------------------------------------------
    def _value_lines(self, company, lines):
        """The layers Odoo's valuation makes for these moves, in its order:
        the gains' incoming layers first (average cost updated before them),
        then the losses', each consuming the FIFO candidates (oldest first,
        whatever the costing method, as ``_run_fifo``). Return a dict of what
        to write, or a fallback reason (negative valuation, vacuum)."""
        currency = company.currency_id
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        products = lines.product_id.with_company(company)
        gains = lines.filtered(lambda line: line.difference_qty > 0)
        losses = lines - gains
        # One read of the layers: totals and FIFO candidates.
        totals = {
            product.id: (quantity, value)
            for product, quantity, value in self.env["stock.valuation.layer"]
            .sudo()
            ._read_group(
                [("product_id", "in", products.ids), ("company_id", "=", company.id)],
                ["product_id"],
                ["quantity:sum", "value:sum"],
            )
        }
        negative = (
            self.env["stock.valuation.layer"]
            .sudo()
            .search_count(
                [
                    ("product_id", "in", gains.product_id.ids),
                    ("company_id", "=", company.id),
                    ("remaining_qty", "<", 0),
                ],
                limit=1,
            )
        )
        if negative:
            return self.env._(
                "a product gained has negative valued stock (Odoo's FIFO vacuum)"
            )
        rows = self._execute(
            SQL(
                """
                SELECT id, product_id, remaining_qty, remaining_value, unit_cost
                  FROM stock_valuation_layer
                 WHERE product_id = ANY(%(products)s) AND company_id = %(company)s
                   AND remaining_qty > 0 AND lot_id IS NULL
                 ORDER BY create_date, id
                   FOR NO KEY UPDATE
                """,
                products=losses.product_id.ids,
                company=company.id,
            )
        )
        candidates = defaultdict(list)
        for row in rows:
            candidates[row[1]].append(
                {"id": row[0], "qty": row[2], "value": row[3], "unit": row[4]}
            )
        prices = {product.id: product.standard_price for product in products}
        changed_prices = {}
        frozen_lines = []  # (line, the average at posting, the approved cost)
        layers = []  # in line order: gains then losses, as Odoo creates them
        # Gains: the average cost first (product_price_update_before_done).
        pending = defaultdict(float)
        unrounded = {}
        for line in gains:
            product = line.product_id.with_company(company)
            qty = line.difference_qty
            rounding = product.uom_id.rounding
            method = product.cost_method
            move_cost = line.unit_cost
            if float_is_zero(move_cost, precision_digits=price_digits):
                move_cost = prices[product.id]
            if method != "standard":
                total = totals.get(product.id, (0.0, 0.0))[0] + pending[product.id]
                if float_is_zero(total, precision_rounding=rounding) or float_is_zero(
                    total + qty, precision_rounding=rounding
                ):
                    new_price = move_cost
                else:
                    unit = unrounded.get(product.id) or prices[product.id]
                    new_price = (unit * total + move_cost * qty) / (total + qty)
                pending[product.id] += qty
                unrounded[product.id] = new_price
                prices[product.id] = float_round(
                    new_price, precision_digits=price_digits
                )
                changed_prices[product.id] = prices[product.id]
        for line in gains:
            product = line.product_id.with_company(company)
            qty = line.difference_qty
            if product.cost_method == "standard":
                unit = prices[product.id]
            else:
                unit = line.unit_cost
                if float_is_zero(unit, precision_digits=price_digits):
                    unit = product.standard_price
            unit = abs(unit)
            value = currency.round(unit * qty)
            layers.append(
                {
                    "line": line,
                    "quantity": qty,
                    "unit_cost": unit,
                    "value": value,
                    "remaining_qty": qty,
                    "remaining_value": value,
                    "suffix": "",
                }
            )
            candidates[product.id].append(
                {
                    "id": None,
                    "qty": qty,
                    "value": value,
                    "unit": unit,
                    "new": layers[-1],
                }
            )
        # The totals Odoo reads while valuing the losses: after the gains'
        # layers, before any loss's (they are created together at the end).
        after_gains = dict(totals)
        for layer in layers:
            quantity, value = after_gains.get(layer["line"].product_id.id, (0.0, 0.0))
            after_gains[layer["line"].product_id.id] = (
                quantity + layer["quantity"],
                value + layer["value"],
            )
        consumed = {}
        for line in losses:
            product = line.product_id.with_company(company)
            rounding = product.uom_id.rounding
            qty = -line.difference_qty
            cost = prices[product.id]
            vals = {
                "line": line,
                "quantity": -qty,
                "unit_cost": cost,
                "value": currency.round(-qty * cost),
                "suffix": "",
            }
            queue = candidates[product.id]
            to_take = qty
            taken_value = 0.0
            new_price = 0.0
            for index, candidate in enumerate(queue):
                if candidate["qty"] <= 0:
                    continue
                taken = min(to_take, candidate["qty"])
                unit = candidate["value"] / candidate["qty"]
                new_price = unit
                value_taken = currency.round(taken * unit)
                candidate["qty"] -= taken
                candidate["value"] -= value_taken
                if candidate["id"]:
                    consumed[candidate["id"]] = candidate
                to_take -= taken
                taken_value += value_taken
                if float_is_zero(to_take, precision_rounding=rounding):
                    if float_is_zero(candidate["qty"], precision_rounding=rounding):
                        following = [c for c in queue[index + 1 :] if c["qty"] > 0]
                        new_price = (following and following[0]["unit"]) or new_price
                    break
            if not float_is_zero(to_take, precision_rounding=rounding):
                return self.env._(
                    "the loss of %(product)s exceeds its valued stock "
                    "(negative valuation)",
                    product=product.display_name,
                )
            if product.cost_method == "fifo":
                remaining_qty = sum(c["qty"] for c in queue)
                remaining_value = sum(c["value"] for c in queue)
                if remaining_qty > 0 and not float_is_zero(
                    remaining_qty, precision_rounding=rounding
                ):
                    prices[product.id] = float_round(
                        remaining_value / remaining_qty, precision_digits=price_digits
                    )
                    changed_prices[product.id] = prices[product.id]
                vals["value"] = -taken_value
                vals["unit_cost"] = taken_value / qty
            elif product.cost_method == "average":
                quantity_svl, value_svl = after_gains.get(product.id, (0.0, 0.0))
                value_svl = currency.round(value_svl)
                if not float_is_zero(quantity_svl, precision_rounding=rounding):
                    error = currency.round(
                        (cost * quantity_svl - value_svl) * abs(qty / quantity_svl)
                    )
                    threshold = currency.round(
                        max((qty * currency.rounding) / 2, currency.rounding)
                    )
                    if error and abs(error) <= threshold:
                        vals["value"] += error
                        vals["suffix"] = "\nRounding Adjustment: {}{} {}".format(
                            "+" if error > 0 else "",
                            float_repr(error, precision_digits=currency.decimal_places),
                            currency.symbol,
                        )
                frozen = self._get_frozen_unit_cost(line, cost, price_digits)
                if frozen is not None:
                    # Value approved = value posted (a later background chunk,
                    # the average moved since the approval): the approved
                    # value leaves the stock, the average is re-derived from
                    # what remains (below).
                    vals.update(
                        unit_cost=frozen,
                        value=currency.round(-qty * frozen),
                        suffix="",
                    )
                    frozen_lines.append((line, cost, frozen))
            # Odoo leaves an outgoing layer's remaining value empty.
            vals["remaining_qty"] = 0.0
            vals["remaining_value"] = None
            layers.append(vals)
        for product_id in {line.product_id.id for line, _cost, _frozen in frozen_lines}:
            # AVCO keeps cost = stock value / quantity (Odoo checks it on each
            # outgoing move, its rounding adjustment): the remaining stock
            # carries the difference between the approved and the current cost.
            quantity, value = totals.get(product_id, (0.0, 0.0))
            for layer in layers:
                if layer["line"].product_id.id == product_id:
                    quantity += layer["quantity"]
                    value += layer["value"]
            if quantity > 0:
                prices[product_id] = float_round(
                    value / quantity, precision_digits=price_digits
                )
                changed_prices[product_id] = prices[product_id]
        # A gain's layer consumed by a loss of the same report is written
        # with what the losses left of it (Odoo writes it after creating it).
        for queue in candidates.values():
            for candidate in queue:
                if candidate.get("new"):
                    candidate["new"]["remaining_qty"] = candidate["qty"]
                    candidate["new"]["remaining_value"] = candidate["value"]
        return {
            "layers": layers,
            "consumed": consumed,
            "prices": changed_prices,
            "frozen": [
                (line, cost, frozen, prices[line.product_id.id])
                for line, cost, frozen in frozen_lines
            ],
        }

    def _get_frozen_unit_cost(self, line, cost, price_digits):
        """The approved unit cost of an average-cost loss posted in a later
        background chunk, when the average moved since the approval (None
        otherwise: a report posted in the click was re-valued just before)."""
        if not line.adjustment_id.is_applying or line.unit_cost <= 0:
            return None
        if not float_compare(line.unit_cost, cost, precision_digits=price_digits):
            return None
        return line.unit_cost

    def _write_valuation(self, company, lines, move_ids, valuation):
        move_of_line = dict(zip(lines.ids, move_ids, strict=True))
        layers = valuation["layers"]
        Layer = "stock.valuation.layer"
        self._execute(
            SQL(
                """
                INSERT INTO stock_valuation_layer (
                    create_uid, write_uid, create_date, write_date, company_id,
                    product_id, categ_id, quantity, unit_cost, value,
                    remaining_qty, remaining_value, description, stock_move_id)
                SELECT %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       NOW() AT TIME ZONE 'UTC', %(company)s, v.product_id,
                       v.categ_id, v.quantity, v.unit_cost, v.value,
                       v.remaining_qty, v.remaining_value, v.description, v.move_id
                  FROM unnest(%(products)s::int[], %(categs)s::int[],
                              %(quantities)s::numeric[], %(units)s::numeric[],
                              %(values)s::numeric[], %(remaining_qtys)s::numeric[],
                              %(remaining_values)s::numeric[],
                              %(descriptions)s::varchar[], %(moves)s::int[])
                       WITH ORDINALITY
                       AS v(product_id, categ_id, quantity, unit_cost, value,
                            remaining_qty, remaining_value, description, move_id, n)
                 ORDER BY v.n
             RETURNING id
                """,
                uid=self.env.uid,
                company=company.id,
                products=[layer["line"].product_id.id for layer in layers],
                categs=[layer["line"].product_id.categ_id.id for layer in layers],
                quantities=[
                    self._column(Layer, "quantity", layer["quantity"])
                    for layer in layers
                ],
                units=[
                    self._column(Layer, "unit_cost", layer["unit_cost"])
                    for layer in layers
                ],
                values=[company.currency_id.round(layer["value"]) for layer in layers],
                remaining_qtys=[
                    self._column(Layer, "remaining_qty", layer["remaining_qty"])
                    for layer in layers
                ],
                remaining_values=[
                    None
                    if layer["remaining_value"] is None
                    else company.currency_id.round(layer["remaining_value"])
                    for layer in layers
                ],
                descriptions=[
                    self._get_layer_description(company, layer) for layer in layers
                ],
                moves=[move_of_line[layer["line"].id] for layer in layers],
            )
        )
        updates = [
            (candidate_id, candidate["qty"], candidate["value"])
            for candidate_id, candidate in valuation["consumed"].items()
        ]
        if updates:
            self._execute(
                SQL(
                    """
                    UPDATE stock_valuation_layer l
                       SET remaining_qty = v.qty, remaining_value = v.value,
                           write_uid = %(uid)s,
                           write_date = NOW() AT TIME ZONE 'UTC'
                      FROM unnest(%(ids)s::int[], %(qtys)s::numeric[],
                                  %(values)s::numeric[]) AS v(id, qty, value)
                     WHERE l.id = v.id
                    """,
                    uid=self.env.uid,
                    ids=[u[0] for u in updates],
                    qtys=[self._column(Layer, "remaining_qty", u[1]) for u in updates],
                    values=[company.currency_id.round(u[2]) for u in updates],
                )
            )
        if valuation.get("frozen"):
            self._note_frozen_costs(company, valuation["frozen"])
        if valuation["prices"]:
            # The product's cost as Odoo writes it (company-dependent).
            self._execute(
                SQL(
                    """
                    UPDATE product_product p
                       SET standard_price = COALESCE(p.standard_price, '{}'::jsonb)
                           || jsonb_build_object(%(company)s::text, v.price)
                      FROM unnest(%(ids)s::int[], %(prices)s::float8[]) AS v(id, price)
                     WHERE p.id = v.id
                    """,
                    company=company.id,
                    ids=list(valuation["prices"]),
                    prices=list(valuation["prices"].values()),
                )
            )

    def _note_frozen_costs(self, company, frozen):
        """Say on the report which losses posted at their approved cost while
        the average had moved, and the average each product has now."""
        adjustment = frozen[0][0].adjustment_id
        currency = company.currency_id
        digits = self.env["decimal.precision"].precision_get("Product Price")
        details = [
            self.env._(
                "%(product)s at %(approved)s (the average cost was %(current)s; "
                "now %(new)s)",
                product=line.product_id.display_name,
                approved=float_repr(frozen_cost, digits),
                current=float_repr(cost, digits),
                new=float_repr(new, digits),
            )
            for line, cost, frozen_cost, new in frozen
        ]
        adjustment.message_post(
            body=self.env._(
                "Posted at the approved unit cost (%(currency)s), the average "
                "cost having changed since the approval: %(details)s. The "
                "difference stays in the remaining stock: its average cost is "
                "its value divided by its quantity.",
                currency=currency.name,
                details="; ".join(details),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _get_layer_description(self, company, layer):
        # As stock.move._prepare_common_svl_vals: the move's reference (its
        # name) and the product's name.
        product = layer["line"].product_id
        return f"{layer['reference']} - {product.name}{layer['suffix']}"

    # -- the journal entry ----------------------------------------------
    @api.model
    def _create_entries(self, adjustment, entries_vals):
        """Write and post the report's entries (``_merge_entry_vals``) as
        Odoo's ``create`` + ``_post`` leave them, in a few statements whatever
        the number of lines: the headers posted (every stored column Odoo
        computes for a balanced miscellaneous entry in the company's
        currency), their lines, the name from the journal's sequence (as
        ``_set_next_sequence``), the layers linked, the creation note and the
        analytic lines. The entries are balanced by construction (Odoo's own
        per-layer values, merged); their date is ``_get_entry_date``'s, which
        keeps out of the lock dates."""
        # Posting the valuation is the system's work once approved, as core's
        # _validate_accounting_entries does it.
        Move = self.env["account.move"].sudo()
        company = adjustment.company_id
        currency = company.currency_id
        self.env.flush_all()
        entry_ids = []
        for vals in entries_vals:
            line_vals = [command[2] for command in vals["line_ids"]]
            layer_ids = vals["stock_valuation_layer_ids"][0][2]
            entry_id = self._insert_entry(vals, line_vals, currency)
            self._insert_entry_lines(entry_id, line_vals, currency)
            self._name_entry(Move.browse(entry_id))
            self._execute(
                SQL(
                    """
                    UPDATE stock_valuation_layer
                       SET account_move_id = %(entry)s, write_uid = %(uid)s,
                           write_date = NOW() AT TIME ZONE 'UTC'
                     WHERE id = ANY(%(layers)s)
                    """,
                    entry=entry_id,
                    uid=self.env.uid,
                    layers=layer_ids,
                )
            )
            entry_ids.append(entry_id)
        self.env.invalidate_all()
        entries = Move.browse(entry_ids)
        # What mail.thread's create logs ("Journal Entry created").
        entries._message_log_batch(
            bodies={entry.id: entry._creation_message() for entry in entries}
        )
        # What _post does for lines with an analytic distribution.
        entries.line_ids.filtered("analytic_distribution")._create_analytic_lines()
        return entries

    def _insert_entry(self, vals, line_vals, currency):
        """The posted header, named '/' until ``_name_entry``."""
        balances = [currency.round(line["balance"]) for line in line_vals]
        total = currency.round(sum(b for b in balances if b > 0))
        journal = self.env["account.journal"].browse(vals["journal_id"])
        rows = self._execute(
            SQL(
                """
                INSERT INTO account_move (
                    create_uid, write_uid, create_date, write_date, journal_id,
                    company_id, currency_id, name, ref, state, move_type,
                    auto_post, payment_state, invoice_partner_display_name,
                    date, invoice_date_due, invoice_currency_rate,
                    amount_untaxed, amount_tax, amount_total, amount_residual,
                    amount_untaxed_signed, amount_untaxed_in_currency_signed,
                    amount_tax_signed, amount_total_signed,
                    amount_total_in_currency_signed, amount_residual_signed,
                    is_storno, always_tax_exigible, checked, posted_before,
                    made_sequence_gap, is_manually_modified,
                    cycle_count_adjustment_id)
                VALUES (%(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                        NOW() AT TIME ZONE 'UTC', %(journal)s, %(company)s,
                        %(currency)s, '/', %(ref)s, 'posted', 'entry', 'no',
                        'not_paid', %(created_by)s, %(date)s, %(today)s, 0,
                        0, 0, %(total)s, 0, 0, 0, 0, %(total)s, %(total)s, 0,
                        FALSE, TRUE, %(checked)s, TRUE, FALSE, FALSE,
                        %(adjustment)s)
             RETURNING id
                """,
                uid=self.env.uid,
                journal=journal.id,
                company=vals["company_id"],
                currency=currency.id,
                ref=vals.get("ref"),
                # account.move._compute_invoice_partner_display_name, no partner.
                created_by=f"#Created by: {self.env.user.name}",
                date=vals["date"],
                today=fields.Date.context_today(self),
                total=total,
                checked=bool(journal.autocheck_on_post),
                adjustment=vals.get("cycle_count_adjustment_id"),
            )
        )
        return rows[0][0]

    def _insert_entry_lines(self, entry_id, line_vals, currency):
        cols = defaultdict(list)
        for vals in line_vals:
            cols["account"].append(vals["account_id"])
            cols["partner"].append(vals.get("partner_id") or None)
            cols["product"].append(vals.get("product_id") or None)
            cols["uom"].append(vals.get("product_uom_id") or None)
            cols["name"].append(vals.get("name"))
            cols["ref"].append(vals.get("ref"))
            cols["quantity"].append(
                self._column("account.move.line", "quantity", vals.get("quantity"))
            )
            cols["balance"].append(currency.round(vals["balance"]))
            distribution = vals.get("analytic_distribution")
            cols["analytic"].append(json.dumps(distribution) if distribution else None)
        self._execute(
            SQL(
                """
                INSERT INTO account_move_line (
                    create_uid, write_uid, create_date, write_date, move_id,
                    journal_id, company_id, company_currency_id, currency_id,
                    sequence, account_id, partner_id, product_id, product_uom_id,
                    move_name, parent_state, ref, name, display_type, date,
                    analytic_distribution, debit, credit, balance,
                    amount_currency, tax_base_amount, amount_residual,
                    amount_residual_currency, quantity, price_unit,
                    price_subtotal, price_total, discount,
                    discount_amount_currency, discount_balance, is_imported,
                    tax_tag_invert, reconciled)
                SELECT %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       NOW() AT TIME ZONE 'UTC', m.id, m.journal_id,
                       m.company_id, m.currency_id, m.currency_id, 100,
                       v.account_id, v.partner_id, v.product_id, v.uom_id,
                       m.name, m.state, v.ref, v.name, 'product', m.date,
                       v.analytic, GREATEST(v.balance, 0), GREATEST(-v.balance, 0),
                       v.balance, v.balance, NULL,
                       CASE WHEN a.reconcile THEN v.balance ELSE 0 END,
                       CASE WHEN a.reconcile THEN v.balance ELSE 0 END,
                       v.quantity, 0, v.balance, v.balance, 0, NULL, NULL, NULL,
                       FALSE, FALSE
                  FROM unnest(%(accounts)s::int[], %(partners)s::int[],
                              %(products)s::int[], %(uoms)s::int[],
                              %(names)s::varchar[], %(refs)s::varchar[],
                              %(quantities)s::numeric[], %(balances)s::numeric[],
                              %(analytics)s::jsonb[])
                       WITH ORDINALITY
                       AS v(account_id, partner_id, product_id, uom_id, name, ref,
                            quantity, balance, analytic, n)
                  JOIN account_move m ON m.id = %(entry)s
                  JOIN account_account a ON a.id = v.account_id
                 ORDER BY v.n
                """,
                uid=self.env.uid,
                entry=entry_id,
                accounts=cols["account"],
                partners=cols["partner"],
                products=cols["product"],
                uoms=cols["uom"],
                names=cols["name"],
                refs=cols["ref"],
                quantities=cols["quantity"],
                balances=cols["balance"],
                analytics=cols["analytic"],
            )
        )

    def _name_entry(self, entry):
        """The entry's name as ``sequence.mixin._set_next_sequence`` takes it:
        the next number of the journal's sequence (``_get_next_sequence_format``)
        locked and written by ``_locked_increment`` (its retry on a number
        taken meanwhile, its transaction cache of the next number), then the
        columns Odoo derives from it: prefix and number, the gap flags (this
        entry's, and the next one's as ``_inverse_name`` clears it) and the
        lines' ``move_name``."""
        format_string, values = entry._get_next_sequence_format()
        # Written by it only when the number is not in its cache yet (then
        # the ORM would set it): written below in any case.
        name = entry._locked_increment(format_string, values)
        regex = entry._make_regex_non_capturing(
            entry._sequence_fixed_regex.replace(r"?P<seq>", "")
        )
        matching = re.match(regex, name)
        params = {
            "prefix": name[: matching.start(1)],
            "number": int(matching.group(1) or 0),
            "journal": entry.journal_id.id,
            "entry": entry.id,
            "name": name,
        }
        self._execute(
            SQL(
                """
                UPDATE account_move
                   SET name = %(name)s, sequence_prefix = %(prefix)s,
                       sequence_number = %(number)s,
                       made_sequence_gap = %(number)s > 1 AND NOT EXISTS (
                           SELECT 1 FROM account_move o
                            WHERE o.journal_id = %(journal)s
                              AND o.sequence_prefix = %(prefix)s
                              AND o.sequence_number = %(number)s - 1)
                 WHERE id = %(entry)s
                """,
                **params,
            )
        )
        self._execute(
            SQL(
                """
                UPDATE account_move SET made_sequence_gap = FALSE
                 WHERE journal_id = %(journal)s AND sequence_prefix = %(prefix)s
                   AND sequence_number = %(number)s + 1 AND made_sequence_gap
                """,
                **params,
            )
        )
        self._execute(
            SQL(
                "UPDATE account_move_line SET move_name = %(name)s WHERE move_id = %(entry)s",
                **params,
            )
        )
