from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_date, formatLang

from .cycle_count_planner import OPEN_TASK_STATES
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
    event_type = fields.Selection(EVENT_TYPES, required=True, string="Event")
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
        compute="_compute_state",
        store=True,
        readonly=False,
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

    @api.depends("line_id", "line_id.state", "line_id.is_counted")
    def _compute_state(self):
        for event in self:
            line = event.line_id
            if not line:
                if event.state != "cancel":
                    event.state = "open"
            elif line.state == "cancel":
                event.state = "open"
            elif line.state == "done" or line.is_counted:
                event.state = "done"
            else:
                event.state = "planned"

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

    def action_cancel(self):
        self.filtered(lambda e: e.state in ("open", "planned")).write(
            {"state": "cancel"}
        )
        return True

    # ------------------------------------------------------------------
    # Firing, when stock moves are done
    # ------------------------------------------------------------------
    @api.model
    def _fire_from_moves(self, moves):
        """Create the events that ``moves`` (just done) fire, set-based: one
        INSERT … SELECT whatever the number of moves, deduplicated against open
        events and open tasks."""
        moves = moves.filtered(lambda move: move.state == "done")
        if not moves:
            return
        triggers = self.env["cycle.count.trigger"]._get_active_triggers(
            moves.company_id.ids
        )
        if not triggers:
            return
        self.env.flush_all()
        today = fields.Date.context_today(self)
        self.env.cr.execute(self._fire_sql(moves, triggers, today))

    @api.model
    def _fire_sql(self, moves, triggers, today):
        candidates = [self._candidates_sql(trigger, today) for trigger in triggers]
        scoped = [t for t in triggers if t["apply_to"] == "rules"]
        scope = SQL("TRUE")
        if scoped:
            rules = (
                self.env["cycle.count.rule"]
                .sudo()
                .browse({r for t in scoped for r in t["rule_ids"]})
                .exists()
                .filtered("active")
            )
            conditions = [
                SQL(
                    "c.trigger_id NOT IN %s",
                    tuple(t["id"] for t in scoped),
                )
            ]
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
            scope = SQL(" OR ").join(conditions)
        return SQL(
            """
            WITH mls AS MATERIALIZED (
                SELECT ml.move_id, m.company_id, ml.product_id, ml.lot_id,
                       ml.location_id, ml.location_dest_id,
                       ml.quantity_product_uom AS qty, m.product_qty AS move_qty,
                       m.is_inventory, src.usage AS src_usage, dest.usage AS dest_usage
                  FROM stock_move_line ml
                  JOIN stock_move m ON m.id = ml.move_id
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                 WHERE ml.move_id = ANY(%(move_ids)s) AND m.state = 'done'
            ),
            touched AS MATERIALIZED (
                SELECT mls.company_id, side.location_id, mls.product_id, mls.lot_id,
                       SUM(side.sign * mls.qty) AS delta,
                       SUM(side.sign * mls.qty) FILTER (WHERE mls.is_inventory)
                           AS inventory_delta,
                       MAX(mls.move_qty) FILTER (WHERE NOT mls.is_inventory)
                           AS move_qty,
                       MIN(mls.move_id) AS move_id
                  FROM mls
                  CROSS JOIN LATERAL (VALUES (mls.location_id, -1, mls.src_usage),
                                             (mls.location_dest_id, 1, mls.dest_usage))
                        AS side(location_id, sign, usage)
                 WHERE side.usage = 'internal'
                 GROUP BY 1, 2, 3, 4
            ),
            onhand AS MATERIALIZED (
                SELECT t.*, loc.parent_path,
                       COALESCE((SELECT SUM(q.quantity) FROM stock_quant q
                                  WHERE q.product_id = t.product_id
                                    AND q.location_id = t.location_id
                                    AND q.lot_id IS NOT DISTINCT FROM t.lot_id), 0)
                           AS qty_after,
                       COALESCE((pp.standard_price ->> t.company_id::text)::numeric, 0)
                           AS unit_cost
                  FROM touched t
                  JOIN stock_location loc ON loc.id = t.location_id
                  JOIN product_product pp ON pp.id = t.product_id
            ),
            candidates AS (%(candidates)s)
            INSERT INTO cycle_count_event
                   (company_id, warehouse_id, location_id, product_id, lot_id,
                    event_type, trigger_id, move_id, quantity, threshold, value,
                    date, date_due, deadline, state,
                    create_uid, create_date, write_uid, write_date)
            SELECT DISTINCT ON (c.location_id, c.product_id, COALESCE(c.lot_id, 0),
                                c.event_type)
                   c.company_id, loc.warehouse_id, c.location_id, c.product_id,
                   c.lot_id, c.event_type, c.trigger_id, c.move_id, c.quantity,
                   c.threshold, c.value, NOW() AT TIME ZONE 'UTC', c.date_due,
                   c.deadline, 'open', %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                   NOW() AT TIME ZONE 'UTC'
              FROM candidates c
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
            move_ids=moves.ids,
            candidates=SQL(" UNION ALL ").join(candidates),
            scope=scope,
            open_states=OPEN_TASK_STATES,
            uid=self.env.uid,
        )

    @api.model
    def _candidates_sql(self, trigger, today):
        """The events one trigger fires, from the ``onhand`` rows of the moves."""
        due = today
        if trigger["event_type"] == "variance":
            due = today + timedelta(days=trigger["recount_days"])
        values = {
            "trigger": trigger["id"],
            "type": trigger["event_type"],
            "company": trigger["company_id"],
            "due": due,
            "deadline": due + timedelta(days=trigger["deadline_days"]),
        }
        head = SQL(
            "SELECT %(trigger)s AS trigger_id, %(type)s AS event_type, "
            "%(due)s::date AS date_due, %(deadline)s::date AS deadline, ",
            **values,
        )
        event_type = trigger["event_type"]
        if event_type == "negative":
            body = SQL(
                """
                o.company_id, o.location_id, o.product_id, o.lot_id, o.move_id,
                o.qty_after AS quantity, 0 AS threshold,
                o.qty_after * o.unit_cost AS value
                  FROM onhand o
                 WHERE o.company_id = %(company)s AND o.qty_after < 0
                   AND o.qty_after - o.delta >= 0
                """,
                company=values["company"],
            )
        elif event_type == "empty":
            body = SQL(
                """
                o.company_id, o.location_id, o.product_id, o.lot_id, o.move_id,
                o.qty_after AS quantity, 0 AS threshold, 0 AS value
                  FROM onhand o
                 WHERE o.company_id = %(company)s AND o.delta < 0
                   AND NOT EXISTS (SELECT 1 FROM stock_quant q
                                    WHERE q.location_id = o.location_id
                                      AND q.quantity > 0)
                """,
                company=values["company"],
            )
        elif event_type == "variance":
            percent = trigger["tolerance_percent"]
            value = trigger["tolerance_value"]
            body = SQL(
                """
                o.company_id, o.location_id, o.product_id, o.lot_id, o.move_id,
                o.inventory_delta AS quantity,
                %(threshold)s AS threshold,
                ABS(o.inventory_delta) * o.unit_cost AS value
                  FROM onhand o
                 WHERE o.company_id = %(company)s AND o.inventory_delta != 0
                   AND ((%(value)s > 0
                         AND ABS(o.inventory_delta) * o.unit_cost > %(value)s)
                        OR (%(percent)s > 0
                            AND (o.qty_after - o.inventory_delta <= 0
                                 OR ABS(o.inventory_delta) * 100.0
                                    / (o.qty_after - o.inventory_delta)
                                    > %(percent)s)))
                """,
                company=values["company"],
                threshold=percent or value,
                percent=percent,
                value=value,
            )
        elif event_type == "high_value":
            body = SQL(
                """
                o.company_id, o.location_id, o.product_id, o.lot_id, o.move_id,
                o.qty_after AS quantity, %(threshold)s AS threshold,
                o.move_qty * o.unit_cost AS value
                  FROM onhand o
                 WHERE o.company_id = %(company)s
                   AND o.move_qty * o.unit_cost >= %(threshold)s
                """,
                company=values["company"],
                threshold=trigger["value_threshold"],
            )
        else:  # safety_stock
            body = SQL(
                """
                op.company_id, COALESCE(bin.location_id, op.location_id)
                    AS location_id,
                op.product_id, bin.lot_id, moved.move_id,
                stock.qty_after AS quantity, op.product_min_qty AS threshold,
                0 AS value
                  FROM stock_warehouse_orderpoint op
                  JOIN stock_location opl ON opl.id = op.location_id
                  CROSS JOIN LATERAL (
                        SELECT SUM(o.delta) AS delta, MIN(o.move_id) AS move_id
                          FROM onhand o
                         WHERE o.product_id = op.product_id
                           AND starts_with(o.parent_path, opl.parent_path)
                  ) moved
                  CROSS JOIN LATERAL (
                        SELECT COALESCE(SUM(q.quantity), 0) AS qty_after
                          FROM stock_quant q
                          JOIN stock_location l ON l.id = q.location_id
                         WHERE q.product_id = op.product_id AND l.usage = 'internal'
                           AND starts_with(l.parent_path, opl.parent_path)
                  ) stock
                  LEFT JOIN LATERAL (
                        SELECT q.location_id, q.lot_id
                          FROM stock_quant q
                          JOIN stock_location l ON l.id = q.location_id
                         WHERE q.product_id = op.product_id AND l.usage = 'internal'
                           AND starts_with(l.parent_path, opl.parent_path)
                           AND q.quantity > 0
                  ) bin ON TRUE
                 WHERE op.company_id = %(company)s AND op.active
                   AND op.product_id IN (SELECT product_id FROM onhand)
                   AND moved.delta IS NOT NULL
                   AND stock.qty_after < op.product_min_qty
                   AND stock.qty_after - moved.delta >= op.product_min_qty
                """,
                company=values["company"],
            )
        return SQL("%s%s", head, body)
