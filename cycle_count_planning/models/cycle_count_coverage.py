from odoo import api, fields, models
from odoo.tools import SQL


class CycleCountCoverage(models.Model):
    """The items counted less often than their rules (or events) require: due
    within the planning horizon and not planned by their deadline, planned too
    late, or left in a task that is behind. Refreshed after each planning run
    and on demand; empty when the plan covers everything."""

    _name = "cycle.count.coverage"
    _description = "Cycle Count Coverage Gap"
    _order = "deadline, warehouse_id, route, product_id"
    _rec_name = "product_id"

    company_id = fields.Many2one("res.company", required=True, index=True)
    warehouse_id = fields.Many2one("stock.warehouse", index=True)
    location_id = fields.Many2one("stock.location", required=True)
    route = fields.Char()
    product_id = fields.Many2one("product.product", required=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number")
    rule_id = fields.Many2one(
        "cycle.count.rule",
        help="The most frequent rule that selects the item (empty: an event).",
    )
    rule_count = fields.Integer(string="Rules")
    event_count = fields.Integer(string="Events")
    frequency_days = fields.Integer(string="Every (Days)", aggregator=None)
    last_count_date = fields.Date(string="Last Counted")
    due_date = fields.Date()
    deadline = fields.Date(help="The latest day the item may be counted.")
    planned_date = fields.Date(
        help="The day of the open task that still has to count the item."
    )
    line_id = fields.Many2one("cycle.count.line", string="Open Line")
    # The worst delay of a group, not a sum of delays.
    days_late = fields.Integer(
        aggregator="max",
        help="Not planned: days since the deadline. Planned too late: days between "
        "the deadline and the planned day. Behind: days since the planned day.",
    )
    status = fields.Selection(
        [
            ("unplanned", "Not planned"),
            ("late", "Planned too late"),
            ("behind", "Task behind schedule"),
        ],
        required=True,
    )
    date_computed = fields.Date(string="Checked On")

    def action_refresh(self):
        # The check rewrites the rows as superuser: only who may change the rules.
        self.env["cycle.count.rule"].check_access("write")
        self.env["cycle.count.coverage"].sudo()._refresh(self.env.companies)
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _refresh(self, companies, today=None, warehouses=None):
        """Replace the coverage rows of ``companies`` (of their ``warehouses``
        only, when given) with a fresh check."""
        today = fields.Date.to_date(today) if today else fields.Date.context_today(self)
        planner = self.env["cycle.count.planner"]
        rules = self.env["cycle.count.rule"].search(
            [("company_id", "in", companies.ids)]
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "DELETE FROM cycle_count_coverage WHERE company_id IN %s %s",
                tuple(companies.ids),
                SQL("AND warehouse_id IN %s", tuple(warehouses.ids))
                if warehouses is not None
                else SQL(),
            )
        )
        plan_days, _settings = planner._plan_days(companies, today, warehouses)
        if plan_days:
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO cycle_count_coverage
                           (company_id, warehouse_id, location_id, route, product_id,
                            lot_id, rule_id, rule_count, event_count, frequency_days,
                            last_count_date, due_date, deadline, planned_date,
                            line_id, days_late, status, date_computed,
                            create_uid, create_date, write_uid, write_date)
                    SELECT company_id, warehouse_id, location_id, route, product_id,
                           lot_id, main_rule_id, cardinality(rule_ids),
                           cardinality(event_ids), frequency, last_count::date,
                           due_date, deadline, planned_date, open_line_id,
                           CASE WHEN open_line_id IS NULL THEN %(today)s - deadline
                                WHEN planned_date > deadline THEN planned_date - deadline
                                ELSE %(today)s - planned_date END,
                           CASE WHEN open_line_id IS NULL THEN 'unplanned'
                                WHEN planned_date > deadline THEN 'late'
                                ELSE 'behind' END,
                           %(today)s, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                           NOW() AT TIME ZONE 'UTC'
                      FROM (%(items)s) items
                     WHERE due_date <= horizon_end
                       AND (open_line_id IS NULL
                            OR planned_date > deadline
                            OR planned_date < %(today)s)
                    """,
                    items=planner._items_sql(rules, today, companies, plan_days),
                    today=today,
                    uid=self.env.uid,
                )
            )
        self.invalidate_model()
