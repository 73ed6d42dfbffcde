from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, formatLang
from odoo.tools.sql import column_exists

from odoo.addons.cycle_count_planning.models.cycle_count_line import COUNT_HINTS

# A report in these states is decided: its variances, reasons too, stay as decided.
DECIDED_STATES = ("approved", "posted", "rejected", "cancel")

# The figures of a variance that its final count gives (the recount loop).
COUNT_FIGURES = (
    "book_qty",
    "counted_qty",
    "difference_qty",
    "unit_cost",
    "variance_value",
    "counter_id",
    "counted_at",
)


class CycleCountAdjustmentLine(models.Model):
    """One variance as it was submitted for approval: the figures are frozen, so
    that what is approved is exactly what is applied to stock."""

    _name = "cycle.count.adjustment.line"
    _description = "Variance"
    _order = "adjustment_id, location_id, product_id, id"
    _check_company_auto = True

    adjustment_id = fields.Many2one(
        "cycle.count.adjustment",
        string="Variance Report",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="adjustment_id.company_id", store=True)
    count_line_id = fields.Many2one(
        "cycle.count.line", required=True, ondelete="restrict", index=True
    )
    location_id = fields.Many2one("stock.location", required=True)
    product_id = fields.Many2one("product.product", required=True)
    default_code = fields.Char(related="product_id.default_code", string="Product Code")
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number")
    package_id = fields.Many2one("stock.quant.package")
    owner_id = fields.Many2one("res.partner")
    book_qty = fields.Float(string="Book Quantity", digits="Product Unit of Measure")
    counted_qty = fields.Float(
        string="Counted Quantity", digits="Product Unit of Measure"
    )
    difference_qty = fields.Float(string="Difference", digits="Product Unit of Measure")
    unit_cost = fields.Float(digits="Product Price", aggregator=None)
    currency_id = fields.Many2one(related="adjustment_id.currency_id")
    variance_value = fields.Monetary()
    # Copies of the count line's, taken when the variance is reported (and when
    # a recount or Use This Count changes it before the decision): a recounter
    # or a later edit of the count line never changes what a report shows.
    reason_id = fields.Many2one("cycle.count.reason")
    counter_id = fields.Many2one("res.users", string="Counted By")
    # What the counter saw, as they said it: read-only beside the reason.
    count_hint = fields.Selection(COUNT_HINTS, string="Counter's Hint", readonly=True)
    count_note = fields.Char(string="Counter's Note", readonly=True)
    counted_at = fields.Datetime()
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "cycle_count_adjustment_line_attachment_rel",
        "line_id",
        "attachment_id",
        string="Photos",
        readonly=True,
    )
    # The workbench (Difference Analysis): filters and groups over many reports.
    state = fields.Selection(related="adjustment_id.state", store=True)
    warehouse_id = fields.Many2one(related="adjustment_id.warehouse_id", store=True)
    categ_id = fields.Many2one(
        related="product_id.categ_id", store=True, string="Product Category"
    )
    abs_variance_value = fields.Monetary(
        string="Value (Unsigned)", compute="_compute_abs_variance_value", store=True
    )
    is_gain = fields.Boolean(
        string="Gain", compute="_compute_abs_variance_value", store=True
    )
    is_reason_required = fields.Boolean(compute="_compute_is_reason_required")
    waiting_for_me = fields.Boolean(
        compute="_compute_waiting_for_me", search="_search_waiting_for_me"
    )
    moves_since_count = fields.Integer(compute="_compute_moves_since_count")

    def _auto_init(self):
        # The copies replace related fields: rows reported before they existed
        # get them once, from their count lines, when the column is created.
        fill = not column_exists(self.env.cr, self._table, "reason_id")
        res = super()._auto_init()
        if fill:
            self._copy_count_lines_sql()
        return res

    def _copy_count_lines_sql(self, line_ids=None):
        """Copy, in SQL, each variance's count line's reason, hint, note and
        photos onto it (all variances, or ``line_ids``)."""
        where = (
            SQL("v.id IN %s", tuple(line_ids)) if line_ids is not None else SQL("TRUE")
        )
        self.env.cr.execute(
            SQL(
                """UPDATE cycle_count_adjustment_line v
                      SET reason_id = c.reason_id,
                          count_hint = c.count_hint,
                          count_note = c.note
                     FROM cycle_count_line c
                    WHERE c.id = v.count_line_id AND %s""",
                where,
            )
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO cycle_count_adjustment_line_attachment_rel
                          (line_id, attachment_id)
                   SELECT v.id, r.attachment_id
                     FROM cycle_count_adjustment_line v
                     JOIN cycle_count_line_attachment_rel r
                       ON r.line_id = v.count_line_id
                    WHERE %s
                 ON CONFLICT DO NOTHING""",
                where,
            )
        )
        self.invalidate_model(["reason_id", "count_hint", "count_note"])
        self.invalidate_model(["attachment_ids"])

    @api.model
    def _get_count_line_copy(self, count_line):
        """The values a variance copies from its count line (read as the
        system: a reviewer reads what the counter gave)."""
        count_line = count_line.sudo()
        return {
            "reason_id": count_line.reason_id.id,
            "count_hint": count_line.count_hint,
            "count_note": count_line.note,
            "attachment_ids": [Command.set(count_line.attachment_ids.ids)],
        }

    @api.model_create_multi
    def create(self, vals_list):
        count_lines = (
            self.env["cycle.count.line"]
            .sudo()
            .browse(
                [
                    vals["count_line_id"]
                    for vals in vals_list
                    if vals.get("count_line_id")
                ]
            )
        )
        count_lines.fetch(["reason_id", "count_hint", "note", "attachment_ids"])
        for vals in vals_list:
            if vals.get("count_line_id"):
                copy = self._get_count_line_copy(
                    count_lines.browse(vals["count_line_id"])
                )
                for name, value in copy.items():
                    vals.setdefault(name, value)
        return super().create(vals_list)

    @api.depends("variance_value")
    def _compute_abs_variance_value(self):
        for line in self:
            line.abs_variance_value = abs(line.variance_value)
            line.is_gain = line.variance_value > 0

    @api.depends("variance_value", "company_id.cycle_count_reason_required_above")
    def _compute_is_reason_required(self):
        for line in self:
            threshold = line.company_id.cycle_count_reason_required_above
            line.is_reason_required = bool(threshold) and (
                abs(line.variance_value) > threshold
            )

    def _compute_waiting_for_me(self):
        mine = self.adjustment_id.filtered("can_review")
        for line in self:
            line.waiting_for_me = line.adjustment_id in mine

    def _search_waiting_for_me(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Waiting for Me."))
        mine = self.env["cycle.count.adjustment"].search(
            [("state", "=", "to_approve"), ("can_review", "=", True)]
        )
        positive = (operator == "=") == value
        return [("adjustment_id", "in" if positive else "not in", mine.ids)]

    def _get_moves_since_count_domain(self):
        """Done moves of the item (product, in or out of its location) after it
        was counted: what changed the stock since the figures of the report."""
        self.ensure_one()
        return [
            ("state", "=", "done"),
            ("product_id", "=", self.product_id.id),
            ("date", ">", self.counted_at or self.create_date),
            "|",
            ("location_id", "=", self.location_id.id),
            ("location_dest_id", "=", self.location_id.id),
            ("cycle_count_adjustment_line_id", "!=", self.id),
        ]

    def _compute_moves_since_count(self):
        # One grouped query for the lines of a page, by product.
        moves = self.env["stock.move"]
        if not self.ids:
            self.moves_since_count = 0
            return
        first = min(line.counted_at or line.create_date for line in self)
        found = moves.search_read(
            [
                ("state", "=", "done"),
                ("product_id", "in", self.product_id.ids),
                ("date", ">", first),
                "|",
                ("location_id", "in", self.location_id.ids),
                ("location_dest_id", "in", self.location_id.ids),
            ],
            [
                "product_id",
                "location_id",
                "location_dest_id",
                "date",
                "cycle_count_adjustment_line_id",
            ],
        )
        for line in self:
            since = line.counted_at or line.create_date
            line.moves_since_count = sum(
                1
                for move in found
                if move["product_id"][0] == line.product_id.id
                and move["date"] > since
                and line.location_id.id
                in (move["location_id"][0], move["location_dest_id"][0])
                and (move["cycle_count_adjustment_line_id"] or [0])[0] != line.id
            )

    def action_view_moves_since_count(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Moves of %(product)s since the count",
                product=self.product_id.display_name,
            ),
            "res_model": "stock.move",
            "view_mode": "list,form",
            "domain": self._get_moves_since_count_domain(),
            "context": {"create": False},
        }

    def _get_recount_count(self):
        """How many earlier counts the item had (the recount loop's field, when
        a bridge defines one), or None when nothing records recounts."""
        self.ensure_one()
        for record in (self, self.count_line_id):
            if "recount_count" in record._fields:
                return record.recount_count
        return None

    tolerance_id = fields.Many2one(
        "cycle.count.tolerance",
        readonly=True,
        help="The most specific tolerance that applies to the item (none: zero).",
    )
    within_tolerance = fields.Boolean(
        readonly=True,
        index=True,
        help="Accepted without approval: the difference is within its tolerance "
        "(applied and booked like any other).",
    )
    tolerance_note = fields.Char(string="Accepted", compute="_compute_tolerance_note")
    recount_threshold_id = fields.Many2one(
        "cycle.count.tolerance",
        readonly=True,
        help="The most specific recount threshold that applies to the item.",
    )
    recount_count = fields.Integer(
        string="Recounts", readonly=True, help="How many times the item was recounted."
    )
    count_history_ids = fields.One2many(
        "cycle.count.adjustment.count",
        "line_id",
        string="Counts",
        readonly=True,
        help="Every count of the item, in order: first, recounts, final.",
    )
    needs_supervisor = fields.Boolean(
        string="Supervisor Decides",
        readonly=True,
        help="The counts disagree (or the tie-break leaves it to the supervisor, "
        "or no other counter could recount): the supervisor picks the count.",
    )

    @api.depends("within_tolerance", "tolerance_id")
    def _compute_tolerance_note(self):
        for line in self:
            line.tolerance_note = (
                self.env._(
                    "Accepted within tolerance by %(rule)s",
                    rule=line.tolerance_id.display_name or self.env._("no difference"),
                )
                if line.within_tolerance
                else False
            )

    # ------------------------------------------------------------------
    # Tolerances and recounts (the system writes these, as superuser)
    # ------------------------------------------------------------------
    def _check_tolerances(self):
        """Resolve each line's tolerance and recount threshold (all lines at
        once) and record whether its difference is within the tolerance."""
        Tolerance = self.env["cycle.count.tolerance"]
        tolerances = Tolerance._resolve(self, "tolerance")
        thresholds = Tolerance._resolve(self, "recount")
        for line in self.sudo():
            rule = tolerances[line.id]
            line.tolerance_id = rule
            line.recount_threshold_id = thresholds[line.id]
            line.within_tolerance = rule._is_within(
                line.difference_qty,
                line.book_qty,
                line.variance_value,
                line.product_id,
                line.currency_id,
            )

    def _is_outside_recount_threshold(self):
        self.ensure_one()
        threshold = self.recount_threshold_id
        return bool(threshold) and not threshold._is_within(
            self.difference_qty,
            self.book_qty,
            self.variance_value,
            self.product_id,
            self.currency_id,
        )

    def _needs_recount(self):
        """Whether the item is counted again before its variance goes to
        approval: at most the company's maximum of recounts; the first time when
        it is outside its recount threshold; after a recount, as the tie-break
        rule says (two counts not yet agreeing; the last count still outside)."""
        self.ensure_one()
        company = self.company_id
        if self.within_tolerance or self.recount_count >= (
            company.cycle_count_max_recounts
        ):
            return False
        if not self.recount_count:
            return self._is_outside_recount_threshold()
        rule = company.cycle_count_tie_break
        if rule == "agree":
            return not self._get_agreeing_count()
        if rule == "last":
            return self._is_outside_recount_threshold()
        return False

    def _get_agreeing_count(self):
        """The latest count whose difference an earlier count agrees with."""
        self.ensure_one()
        counts = self.count_history_ids.sorted("sequence")
        rounding = self.product_id.uom_id.rounding
        for index in range(len(counts) - 1, 0, -1):
            later = counts[index]
            if any(
                not float_compare(
                    later.difference_qty,
                    earlier.difference_qty,
                    precision_rounding=rounding,
                )
                for earlier in counts[:index]
            ):
                return later
        return counts[:0]

    def _apply_tie_break(self):
        """After a recount: the figure each line reports, by the company's
        tie-break rule (the last count when no rule settles it, flagged for the
        supervisor)."""
        for line in self:
            counts = line.count_history_ids.sorted("sequence")
            rule = line.company_id.cycle_count_tie_break
            chosen = counts[-1:]
            undecided = rule == "supervisor"
            if rule == "agree":
                agreeing = line._get_agreeing_count()
                chosen = agreeing or chosen
                undecided = not agreeing
            line._use_count(chosen)
            line.sudo().needs_supervisor = undecided

    def _use_count(self, count):
        """Report ``count``'s figures (a row of the history) and its count line's
        hint, note, photos and reason (when it gives one): the system's write,
        before any decision (the variance is frozen to everybody else). The
        change, old → new, goes to the report's chatter."""
        self.ensure_one()
        line = self.sudo()
        line.count_history_ids.is_final = False
        count.sudo().is_final = True
        vals = {
            name: count[name].id
            if isinstance(count[name], models.BaseModel)
            else count[name]
            for name in COUNT_FIGURES
        }
        copy = self._get_count_line_copy(count.count_line_id)
        if not copy["reason_id"]:
            del copy["reason_id"]
        before = line._get_tracked_values()
        line.with_context(cycle_count_copy_from_count=True).write({**vals, **copy})
        line.needs_supervisor = False
        line._post_changes(before)

    @api.model
    def _get_tracked_fields(self):
        """The figures of a variance whose change before the decision is written
        in the report's chatter (old → new)."""
        return ["counted_qty", "difference_qty", "variance_value", "reason_id"]

    def _get_tracked_values(self):
        return {
            line: {name: line[name] for name in self._get_tracked_fields()}
            for line in self
        }

    def _format_tracked_value(self, name, value):
        if isinstance(value, models.BaseModel):
            return value.display_name or self.env._("(none)")
        if name == "variance_value":
            return formatLang(self.env, value, currency_obj=self.currency_id)
        return formatLang(
            self.env, value, digits=self._fields[name].get_digits(self.env)[1]
        )

    def _post_changes(self, before):
        """One note per report: each variance's changed figures, old → new."""
        for adjustment in self.adjustment_id:
            changes = []
            for line in self.filtered(
                lambda rec, adj=adjustment: rec.adjustment_id == adj
            ):
                fields_changed = [
                    self.env._(
                        "%(field)s %(old)s → %(new)s",
                        field=self._fields[name]._description_string(self.env),
                        old=line._format_tracked_value(name, old),
                        new=line._format_tracked_value(name, line[name]),
                    )
                    for name, old in before[line].items()
                    if old != line[name]
                ]
                if fields_changed:
                    changes.append(
                        self.env._(
                            "%(item)s: %(changes)s",
                            item=line.product_id.display_name,
                            changes=", ".join(fields_changed),
                        )
                    )
            if changes:
                adjustment.message_post(
                    body=self.env._(
                        "Variance changed before the decision: %(changes)s",
                        changes="; ".join(changes),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def action_send_to_recount(self):
        """The supervisor sends chosen variances back to be counted again, by
        another counter, with a comment the counter reads."""
        adjustment = self.adjustment_id
        adjustment.ensure_one()
        adjustment._check_may_send_to_recount(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send to Recount"),
            "res_model": "cycle.count.recount.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_adjustment_id": adjustment.id,
                "default_line_ids": self.ids,
            },
        }

    @api.model
    def _get_editable_fields(self):
        """Only the reason of a variance may change once it is reported: the
        figures stay what the approvers approve. A bridge that adds a field to
        set during approval extends this."""
        return ["reason_id"]

    def write(self, vals):
        written = set(vals) - set(models.LOG_ACCESS_COLUMNS)
        # Frozen after decision, to everybody, the system included: no
        # transition writes a decided variance (approval re-values it before
        # the report is approved; applying and rejecting write moves and
        # count lines, never the variance).
        self._check_not_decided(written)
        frozen = written - set(self._get_editable_fields())
        if frozen and not self.env.su:
            raise AccessError(
                self.env._(
                    "A reported variance cannot be changed (%(fields)s): what is "
                    "approved is what is applied to stock. Reject it to have the "
                    "item recounted.",
                    fields=", ".join(sorted(frozen)),
                )
            )
        by_user = "reason_id" in vals and not self.env.context.get(
            "cycle_count_copy_from_count"
        )
        if by_user:
            before = {line: line.reason_id for line in self}
        res = super().write(vals)
        if by_user:
            # The count keeps the reason the reviewers give its variance (the
            # dashboards read reasons per count), as before the copy existed.
            self.count_line_id.write({"reason_id": vals["reason_id"]})
            self._track_reason(before)
        return res

    def _check_not_decided(self, written):
        decided = self.filtered(lambda line: line.state in DECIDED_STATES)
        if decided and written:
            raise UserError(
                self.env._(
                    "%(reports)s is decided: its variances stay as they were "
                    "decided (%(fields)s cannot change).",
                    reports=", ".join(decided.adjustment_id.mapped("name")),
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in sorted(written)
                        if name in self._fields
                    ),
                )
            )

    def _track_reason(self, before):
        """The change of a variance's reason in the report's chatter (the line
        has no chatter of its own): who set which reason, before the decision."""
        empty = self.env._("(none)")
        for adjustment in self.adjustment_id:
            changes = [
                self.env._(
                    "%(product)s at %(location)s: %(old)s → %(new)s",
                    product=line.product_id.display_name,
                    location=line.location_id.display_name,
                    old=before[line].display_name or empty,
                    new=line.reason_id.display_name or empty,
                )
                for line in self
                if line.adjustment_id == adjustment and line.reason_id != before[line]
            ]
            if changes:
                adjustment.message_post(
                    body=self.env._(
                        "Reason changed: %(changes)s", changes="; ".join(changes)
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _get_posting_values(self):
        """``{line id: (unit cost, value)}``: what applying these variances now
        will post, rounded per line as the valuation layer is (company
        currency), so that the report's totals equal the entries to the cent.
        Here the product's cost (standard or average: what Odoo posts for
        both); accounting values FIFO losses from the layers they will consume
        and lot-valued products per lot. Read in the order the lines are
        applied (``_get_lines_to_apply``)."""
        values = {}
        for line in self:
            unit = line.product_id.with_company(line.company_id).standard_price
            values[line.id] = (unit, line.currency_id.round(line.difference_qty * unit))
        return values

    def _lock_chunk(self):
        """Lock, before anything of these variances is read or posted, the rows
        their posting updates: their products, their quants and the products'
        valuation layers with a remaining quantity (FIFO/average consumption),
        each in id order, skipping the rows another transaction holds. Return
        the variances whose rows are all locked (the others wait for a later
        chunk). Never waiting for a row, a chunk never closes a cycle with a
        picking, whatever order the picking takes its rows in (no deadlock).
        See _apply_chunk_in_own_transaction: at READ COMMITTED what is read
        after this is the latest committed, and stays so until the commit."""
        if not self:
            return self
        self.env.flush_all()
        lines = tuple(self.ids)
        products = {
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """
                SELECT p.id FROM product_product p
                 WHERE p.id IN (SELECT product_id FROM cycle_count_adjustment_line
                                 WHERE id IN %(lines)s)
                 ORDER BY p.id
                   FOR NO KEY UPDATE SKIP LOCKED
                """,
                    lines=lines,
                )
            )
        }
        # Each line's quants as committed, then the ones locked: a line with
        # a quant held elsewhere is left.
        items = self.env.execute_query(
            SQL(
                """
                SELECT l.id, q.id FROM stock_quant q
                  JOIN cycle_count_adjustment_line l
                    ON l.product_id = q.product_id
                   AND l.location_id = q.location_id
                   AND l.lot_id IS NOT DISTINCT FROM q.lot_id
                   AND l.package_id IS NOT DISTINCT FROM q.package_id
                   AND l.owner_id IS NOT DISTINCT FROM q.owner_id
                 WHERE l.id IN %(lines)s
                """,
                lines=lines,
            )
        )
        held = {row[1] for row in items}
        if held:
            held -= {
                row[0]
                for row in self.env.execute_query(
                    SQL(
                        """
                    SELECT id FROM stock_quant WHERE id IN %(quants)s
                     ORDER BY id
                       FOR NO KEY UPDATE SKIP LOCKED
                    """,
                        quants=tuple(held),
                    )
                )
            }
        busy_lines = {line_id for line_id, quant_id in items if quant_id in held}
        busy_products = {line.product_id.id for line in self} - products
        # Valuation is another addon's (stock_account): its layers are locked
        # when it is installed.
        if "stock.valuation.layer" in self.env and products:
            layers = self.env.execute_query(
                SQL(
                    """
                    SELECT id, product_id FROM stock_valuation_layer
                     WHERE product_id IN %(products)s AND remaining_qty <> 0
                    """,
                    products=tuple(products),
                )
            )
            if layers:
                locked = {
                    row[0]
                    for row in self.env.execute_query(
                        SQL(
                            """
                        SELECT id FROM stock_valuation_layer WHERE id IN %(layers)s
                         ORDER BY id
                           FOR NO KEY UPDATE SKIP LOCKED
                        """,
                            layers=tuple(row[0] for row in layers),
                        )
                    )
                }
                busy_products |= {
                    product for layer, product in layers if layer not in locked
                }
        # What the ORM held of these rows was read before the locks.
        self.env["stock.quant"].invalidate_model()
        self.env["product.product"].invalidate_model()
        return self.filtered(
            lambda line: (
                line.id not in busy_lines and line.product_id.id not in busy_products
            )
        )

    def _prepare_stock_move_vals(self):
        """The inventory move of the approved difference, between the item and
        the product's inventory-loss location, as core builds one for an
        inventory adjustment (stock.quant._get_inventory_move_values), linked
        back to this variance and valued at the cost of the count."""
        self.ensure_one()
        company = self.adjustment_id.company_id
        product = self.product_id.with_company(company)
        inventory_location = product.property_stock_inventory
        quantity = abs(self.difference_qty)
        # A quant in memory only: core's method reads the item from it.
        quant = self.env["stock.quant"].new(
            {
                "product_id": product.id,
                "location_id": self.location_id.id,
                "lot_id": self.lot_id.id,
                "package_id": self.package_id.id,
                "owner_id": self.owner_id.id,
                "company_id": company.id,
            }
        )
        name = self.env._(
            "Cycle count %(adjustment)s", adjustment=self.adjustment_id.name
        )
        quant = quant.with_context(inventory_name=name)
        if self.difference_qty > 0:
            vals = quant._get_inventory_move_values(
                quantity,
                inventory_location,
                self.location_id,
                package_dest_id=self.package_id,
            )
        else:
            vals = quant._get_inventory_move_values(
                quantity,
                self.location_id,
                inventory_location,
                package_id=self.package_id,
            )
        vals.update(
            {
                "origin": self.adjustment_id.task_id.name,
                "price_unit": self.unit_cost,
                "cycle_count_adjustment_line_id": self.id,
            }
        )
        return vals
