from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_date, formatLang

from .cycle_count_planner import OPEN_TASK_STATES, unit_cost_sql
from .cycle_count_trigger import EVENT_TYPES


class CycleCountEvent(models.Model):
    """A count that an event asks for: one item, due on a date, to be counted by
    a deadline. Created set-based when stock moves are done; the planner puts it
    into a task with the rest of the day's work."""

    _name = "cycle.count.event"
    _description = "Count Event"
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True)
    warehouse_id = fields.Many2one("stock.warehouse", index=True)
    location_id = fields.Many2one("stock.location", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True, index=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number")
    # "request" has no trigger: a supervisor asks for the count from Odoo's
    # Physical Inventory (stock.quant.action_cycle_count_request).
    event_type = fields.Selection(
        [*EVENT_TYPES, ("request", "Requested from Physical Inventory")],
        required=True,
        string="Event",
    )
    trigger_id = fields.Many2one("cycle.count.trigger", ondelete="set null")
    move_id = fields.Many2one(
        "stock.move",
        string="Triggered By",
        ondelete="set null",
        help="The stock move whose completion fired the event.",
    )
    date = fields.Datetime(string="Fired On", required=True)
    date_due = fields.Date(
        string="Due On", required=True, help="Not planned before this day."
    )
    deadline = fields.Date(required=True, help="To be counted by this day.")
    quantity = fields.Float(
        string="Quantity Then",
        digits="Product Unit of Measure",
        help="On hand at the location (at the reorder rule's location for safety "
        "stock) right after the move.",
    )
    threshold = fields.Float(
        aggregator=None,
        digits="Product Unit of Measure",
        help="The reorder minimum, or the tolerance that was exceeded.",
    )
    value = fields.Float(
        digits="Product Price", help="The value of the move or of the difference."
    )
    state = fields.Selection(
        [
            ("open", "To Plan"),
            ("planned", "Planned"),
            ("done", "Counted"),
            ("cancel", "Cancelled"),
        ],
        required=True,
        default="open",
        index=True,
        readonly=True,
        copy=False,
        help="Changed by explicit transitions only: planned by the planner, done "
        "when its task is done, to plan again when its task is cancelled, "
        "cancelled by a person.",
    )
    line_id = fields.Many2one(
        "cycle.count.line",
        string="Count Line",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
    )
    task_id = fields.Many2one(related="line_id.task_id", string="Count Task")
    description = fields.Char(compute="_compute_description")

    @api.depends("product_id", "location_id", "event_type")
    def _compute_display_name(self):
        labels = dict(self._fields["event_type"]._description_selection(self.env))
        for event in self:
            event.display_name = self.env._(
                "%(event)s: %(product)s at %(location)s",
                event=labels.get(event.event_type, ""),
                product=event.product_id.display_name,
                location=event.location_id.display_name,
            )

    @api.depends("event_type", "quantity", "threshold", "value", "date", "date_due")
    def _compute_description(self):
        for event in self:
            event.description = event._describe()

    def _describe(self):
        """One sentence with the figures that fired the event."""
        self.ensure_one()
        env = self.env
        qty = formatLang(env, self.quantity, dp="Product Unit of Measure")
        threshold = formatLang(env, self.threshold, dp="Product Unit of Measure")
        value = formatLang(env, self.value, currency_obj=self.company_id.currency_id)
        fired = format_date(env, self.date)
        if self.event_type == "safety_stock":
            return env._(
                "On %(date)s stock fell to %(qty)s, below the reorder minimum "
                "%(minimum)s.",
                date=fired,
                qty=qty,
                minimum=threshold,
            )
        if self.event_type == "negative":
            return env._(
                "On %(date)s the quantity became negative (%(qty)s).",
                date=fired,
                qty=qty,
            )
        if self.event_type == "empty":
            return env._(
                "On %(date)s the location became empty: confirm that nothing is left.",
                date=fired,
            )
        if self.event_type == "variance":
            return env._(
                "On %(date)s a difference of %(qty)s (%(value)s) was posted, over "
                "the tolerance; recount on %(due)s.",
                date=fired,
                qty=qty,
                value=value,
                due=format_date(env, self.date_due),
            )
        if self.event_type == "request":
            return env._(
                "On %(date)s %(user)s requested a count from Physical Inventory.",
                date=fired,
                user=self.create_uid.name,
            )
        if self.event_type == "receipt":
            return env._(
                "On %(date)s a receipt put away %(product)s (category %(category)s) "
                "here: counted right after receipts of its category.",
                date=fired,
                product=self.product_id.display_name,
                category=self.product_id.categ_id.display_name,
            )
        if self.event_type == "high_value":
            return env._(
                "On %(date)s a move worth %(value)s (threshold %(threshold)s) "
                "moved this item.",
                date=fired,
                value=value,
                threshold=formatLang(
                    env, self.threshold, currency_obj=self.company_id.currency_id
                ),
            )
        return ""

    # ------------------------------------------------------------------
    # State transitions (the only writers of ``state``)
    # ------------------------------------------------------------------
    def action_cancel(self):
        """A person decides the event needs no count: it stays cancelled,
        whatever its task does later."""
        self.filtered(lambda e: e.state in ("open", "planned")).write(
            {"state": "cancel"}
        )
        return True

    def _action_done(self):
        """The task counting the events is done: they are counted."""
        self.filtered(lambda e: e.state == "planned").write({"state": "done"})

    def _action_unplan(self):
        """The task counting the events is cancelled: they are to plan again
        (the next planning puts them on a line of their item)."""
        self.filtered(lambda e: e.state == "planned").write(
            {"state": "open", "line_id": False}
        )

    @api.model
    def _action_plan_sql(self, pairs):
        """The planner's transition, set-based: ``pairs`` is SQL giving
        (line_id, event_id) rows; those open events are planned on those lines."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE cycle_count_event e
                   SET line_id = p.line_id, state = 'planned',
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM (%(pairs)s) p
                 WHERE e.id = p.event_id AND e.state = 'open'
                """,
                pairs=pairs,
                uid=self.env.uid,
            )
        )
        self.invalidate_model(["state", "line_id", "write_uid", "write_date"])

    @api.model
    def _action_plan_on_open_lines(self, companies):
        """An open event about an item that an open, uncounted line already holds
        is counted with that line."""
        self._action_plan_sql(
            SQL(
                """
                SELECT l.id AS line_id, e.id AS event_id
                  FROM cycle_count_event e
                  JOIN cycle_count_line l
                    ON l.location_id = e.location_id AND l.product_id = e.product_id
                   AND l.lot_id IS NOT DISTINCT FROM e.lot_id
                 WHERE e.state = 'open' AND e.company_id IN %(companies)s
                   AND l.state IN %(open_states)s AND NOT COALESCE(l.is_counted, FALSE)
                """,
                companies=tuple(companies.ids),
                open_states=OPEN_TASK_STATES,
            )
        )

    # ------------------------------------------------------------------
    # Firing, when stock moves are done
    # ------------------------------------------------------------------
    @api.model
    def _fire_from_moves(self, moves):
        """Create the events that ``moves`` (just done) fire. One small query
        reads what the moves changed; the conditions are checked in Python; only
        when something fires, one INSERT … SELECT writes the events,
        deduplicated against open events and open tasks. No query at all while
        every trigger is off, nor with the context key ``cycle_count_no_events``
        (mass imports, migrations)."""
        if self.env.context.get("cycle_count_no_events"):
            return
        moves = moves.filtered(lambda move: move.state == "done")
        if not moves:
            return
        triggers = self.env["cycle.count.trigger"]._get_active_triggers(
            moves.company_id.ids
        )
        if not triggers:
            return
        for model in ("stock.move", "stock.move.line", "stock.quant", "stock.location"):
            self.env[model].flush_model()
        with_safety = any(t["event_type"] == "safety_stock" for t in triggers)
        with_receipt = any(t["event_type"] == "receipt" for t in triggers)
        rows = self.env.execute_query_dict(
            self._touched_sql(moves, with_safety, with_receipt)
        )
        today = fields.Date.context_today(self)
        candidates = [
            candidate
            for trigger in triggers
            for candidate in self._candidates(trigger, rows, today)
        ]
        if candidates:
            # Deduplication reads open events and tasks as they are now.
            self.env.flush_all()
            self.env.cr.execute(self._insert_events_sql(candidates, triggers))

    @api.model
    def _touched_sql(self, moves, with_safety, with_receipt=False):
        """Per internal (location, product, lot) the moves touched: what moved,
        the quantity now, the cost, whether the location still holds anything,
        and the reorder rule whose location contains it, with its stock now;
        with receipt triggers, whether a receipt brought it there and the
        product's category path."""
        receipt_columns = SQL("FALSE AS received, NULL AS categ_path")
        if with_receipt:
            receipt_columns = SQL(
                """t.received,
                   (SELECT pc.parent_path FROM product_template ptl
                      JOIN product_category pc ON pc.id = ptl.categ_id
                     WHERE ptl.id = pp.product_tmpl_id) AS categ_path"""
            )
        safety_columns = SQL(
            "NULL::int AS orderpoint_id, NULL::numeric AS orderpoint_min, "
            "NULL::numeric AS orderpoint_qty"
        )
        safety_join = SQL()
        if with_safety:
            safety_columns = SQL(
                """op.id AS orderpoint_id, op.product_min_qty AS orderpoint_min,
                   (SELECT SUM(q.quantity) FROM stock_quant q
                     WHERE q.product_id = t.product_id
                       AND starts_with((SELECT l.parent_path FROM stock_location l
                                         WHERE l.id = q.location_id
                                           AND l.usage = 'internal'),
                                       op.parent_path))
                       AS orderpoint_qty"""
            )
            safety_join = SQL(
                """LEFT JOIN LATERAL (
                       SELECT op.id, op.product_min_qty, opl.parent_path
                         FROM stock_warehouse_orderpoint op
                         JOIN stock_location opl ON opl.id = op.location_id
                        WHERE op.product_id = t.product_id AND op.active
                          AND op.company_id = t.company_id
                          AND starts_with(loc.parent_path, opl.parent_path)
                        ORDER BY op.id LIMIT 1
                   ) op ON TRUE"""
            )
        return SQL(
            """
            WITH touched AS (
                SELECT m.company_id, side.location_id, ml.product_id, ml.lot_id,
                       SUM(side.sign * ml.quantity_product_uom) AS delta,
                       SUM(side.sign * ml.quantity_product_uom)
                           FILTER (WHERE m.is_inventory IS TRUE) AS inventory_delta,
                       MAX(m.product_qty) FILTER (WHERE m.is_inventory IS NOT TRUE)
                           AS move_qty,
                       MIN(m.id) AS move_id,
                       BOOL_OR(side.sign = 1 AND spt.code = 'incoming') AS received
                  FROM stock_move_line ml
                  JOIN stock_move m ON m.id = ml.move_id
                  LEFT JOIN stock_picking_type spt ON spt.id = m.picking_type_id
                 CROSS JOIN LATERAL (VALUES (ml.location_id, -1),
                                            (ml.location_dest_id, 1))
                       AS side(location_id, sign)
                 WHERE ml.move_id = ANY(%(move_ids)s) AND m.state = 'done'
                 GROUP BY 1, 2, 3, 4
            )
            SELECT t.*, loc.warehouse_id,
                   COALESCE((SELECT SUM(q.quantity) FROM stock_quant q
                              WHERE q.product_id = t.product_id
                                AND q.location_id = t.location_id
                                AND q.lot_id IS NOT DISTINCT FROM t.lot_id), 0)
                       AS qty_after,
                   EXISTS (SELECT 1 FROM stock_quant q
                            WHERE q.location_id = t.location_id AND q.quantity > 0)
                       AS holds_stock,
                   %(unit_cost)s AS unit_cost,
                   %(receipt_columns)s,
                   %(safety_columns)s
              FROM touched t
              JOIN stock_location loc ON loc.id = t.location_id
              JOIN product_product pp ON pp.id = t.product_id
              %(safety_join)s
             WHERE loc.usage = 'internal'
            """,
            move_ids=moves.ids,
            unit_cost=unit_cost_sql("pp", SQL("t.company_id")),
            safety_columns=safety_columns,
            receipt_columns=receipt_columns,
            safety_join=safety_join,
        )

    @api.model
    def _candidates(self, trigger, rows, today):
        """The events ``trigger`` fires for the touched ``rows`` (dicts)."""
        event_type = trigger["event_type"]
        due = today
        if event_type == "variance":
            due = today + timedelta(days=trigger["recount_days"])
        base = {
            "trigger_id": trigger["id"],
            "event_type": event_type,
            "date_due": due,
            "deadline": due + timedelta(days=trigger["deadline_days"]),
        }
        rows = [row for row in rows if row["company_id"] == trigger["company_id"]]
        if event_type == "safety_stock":
            yield from self._safety_stock_candidates(rows, base)
            return
        for row in rows:
            qty = float(row["qty_after"])
            delta = float(row["delta"])
            cost = float(row["unit_cost"])
            figures = None
            if event_type == "negative":
                if qty < 0 <= qty - delta:
                    figures = (qty, 0.0, qty * cost)
            elif event_type == "empty":
                if delta < 0 and not row["holds_stock"]:
                    figures = (qty, 0.0, 0.0)
            elif event_type == "variance":
                difference = float(row["inventory_delta"] or 0.0)
                book = qty - difference
                value = abs(difference) * cost
                percent = trigger["tolerance_percent"]
                limit = trigger["tolerance_value"]
                if difference and (
                    (limit and value > limit)
                    or (
                        percent
                        and (book <= 0 or abs(difference) * 100 / book > percent)
                    )
                ):
                    figures = (difference, percent or limit, value)
            elif event_type == "receipt":
                if row["received"] and any(
                    (row["categ_path"] or "").startswith(path)
                    for path in trigger["category_paths"]
                ):
                    figures = (qty, 0.0, float(row["move_qty"] or 0.0) * cost)
            elif event_type == "high_value":
                value = float(row["move_qty"] or 0.0) * cost
                if value and value >= trigger["value_threshold"]:
                    figures = (qty, trigger["value_threshold"], value)
            if figures:
                quantity, threshold, value = figures
                yield {
                    **base,
                    **self._item(row),
                    "quantity": quantity,
                    "threshold": threshold,
                    "value": value,
                }

    @api.model
    def _safety_stock_candidates(self, rows, base):
        """Stock of a reorder rule's location falling below its minimum with these
        moves: an event for each location under it that the moves touched."""
        by_orderpoint = defaultdict(list)
        for row in rows:
            if row["orderpoint_id"]:
                by_orderpoint[row["orderpoint_id"]].append(row)
        for orderpoint_rows in by_orderpoint.values():
            now = float(orderpoint_rows[0]["orderpoint_qty"] or 0.0)
            minimum = float(orderpoint_rows[0]["orderpoint_min"])
            before = now - sum(float(row["delta"]) for row in orderpoint_rows)
            if now < minimum <= before:
                for row in orderpoint_rows:
                    yield dict(
                        base,
                        **self._item(row),
                        quantity=now,
                        threshold=minimum,
                        value=0.0,
                    )

    @api.model
    def _item(self, row):
        return {
            key: row[key]
            for key in (
                "company_id",
                "warehouse_id",
                "location_id",
                "product_id",
                "lot_id",
                "move_id",
            )
        }

    @api.model
    def _insert_events_sql(self, candidates, triggers):
        columns = (
            "company_id",
            "warehouse_id",
            "location_id",
            "product_id",
            "lot_id",
            "move_id",
            "event_type",
            "trigger_id",
            "quantity",
            "threshold",
            "value",
            "date_due",
            "deadline",
        )
        values = SQL(", ").join(
            SQL(
                "(%s::int, %s::int, %s::int, %s::int, %s::int, %s::int, %s::varchar, "
                "%s::int, %s::numeric, %s::numeric, %s::numeric, %s::date, %s::date)",
                *(candidate[column] for column in columns),
            )
            for candidate in candidates
        )
        return SQL(
            """
            INSERT INTO cycle_count_event
                   (company_id, warehouse_id, location_id, product_id, lot_id,
                    move_id, event_type, trigger_id, quantity, threshold, value,
                    date_due, deadline, date, state,
                    create_uid, create_date, write_uid, write_date)
            SELECT DISTINCT ON (c.location_id, c.product_id, COALESCE(c.lot_id, 0),
                                c.event_type)
                   c.*, NOW() AT TIME ZONE 'UTC', 'open',
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM (VALUES %(values)s) AS c(%(columns)s)
              JOIN stock_location loc ON loc.id = c.location_id
             WHERE (%(scope)s)
               AND NOT EXISTS (
                       SELECT 1 FROM cycle_count_event e
                        WHERE e.state = 'open' AND e.location_id = c.location_id
                          AND e.product_id = c.product_id
                          AND e.lot_id IS NOT DISTINCT FROM c.lot_id
                          AND e.event_type = c.event_type)
               AND NOT EXISTS (
                       SELECT 1 FROM cycle_count_line l
                        WHERE l.state IN %(open_states)s
                          AND l.location_id = c.location_id
                          AND l.product_id = c.product_id
                          AND l.lot_id IS NOT DISTINCT FROM c.lot_id
                          AND NOT COALESCE(l.is_counted, FALSE))
             ORDER BY c.location_id, c.product_id, COALESCE(c.lot_id, 0),
                      c.event_type, c.move_id
            """,
            values=values,
            columns=SQL(", ").join(SQL.identifier(column) for column in columns),
            scope=self._scope_sql(triggers),
            open_states=OPEN_TASK_STATES,
            uid=self.env.uid,
        )

    @api.model
    def _scope_sql(self, triggers):
        """Triggers that apply to chosen rules fire only for the items in the
        scope of those rules."""
        scoped = [t for t in triggers if t["apply_to"] == "rules"]
        if not scoped:
            return SQL("TRUE")
        # Events fire for whoever validates the moves (a stock user reads no
        # rule): their scope is read as the system.
        rules = (
            self.env["cycle.count.rule"]
            .sudo()
            .browse({r for t in scoped for r in t["rule_ids"]})
            .exists()
            .filtered("active")
        )
        conditions = [SQL("c.trigger_id NOT IN %s", tuple(t["id"] for t in scoped))]
        for trigger in scoped:
            trigger_rules = rules.filtered(lambda r, t=trigger: r.id in t["rule_ids"])
            if not trigger_rules:
                continue
            conditions.append(
                SQL(
                    "(c.trigger_id = %s AND (%s))",
                    trigger["id"],
                    SQL(" OR ").join(
                        rule._scope_sql(
                            SQL("c.company_id"),
                            SQL("loc.warehouse_id"),
                            SQL("loc.parent_path"),
                            SQL("c.product_id"),
                        )
                        for rule in trigger_rules
                    ),
                )
            )
        return SQL(" OR ").join(conditions)
