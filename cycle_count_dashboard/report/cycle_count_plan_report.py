from odoo import api, fields, models
from odoo.tools import SQL


class CycleCountPlanReport(models.Model):
    """Plan adherence and coverage: one row per planned line (not one the
    counter found) of a task that is not cancelled. A line is *on time* when it
    was counted on or before its due date (the task's day when the planner gave
    none). A line is *required* when a rule planned it (the period of a rule
    ends on the due date it gave the line); it is *covered* when it was counted
    by then."""

    _name = "cycle.count.plan.report"
    _inherit = "cycle.count.report.line.fact"
    _log_access = False
    _description = "Plan Adherence and Coverage"
    _order = "due_date desc, id desc"
    _rec_name = "line_id"
    _ratio_aggregates = {
        "adherence": ("on_time_count", "planned_count", 100.0, False),
        "coverage": ("covered_count", "required_count", 100.0, False),
    }
    _summary_date = "due_date"
    _summary_measures = (
        "planned_count",
        "counted_count",
        "on_time_count",
        "required_count",
        "covered_count",
    )
    # By due day; smallest first (see the accuracy report).
    _summaries = (
        ("company_id", "warehouse_id"),
        ("company_id", "warehouse_id", "rule_id"),
        ("company_id", "warehouse_id", "zone_id"),
        ("company_id", "warehouse_id", "team_id", "counter_id"),
        ("company_id", "warehouse_id", "categ_id", "abc_class_id"),
        ("company_id", "warehouse_id", "team_id", "counter_id", "task_id"),
    )

    due_date = fields.Date(readonly=True, index=True)
    counted_date = fields.Date(string="Counted On", readonly=True)
    # Not "Counted By" (the shared field's): an uncounted line's is the assignee.
    counter_id = fields.Many2one(  # pylint: disable=attribute-string-redundant
        string="Counter",
        help="Who counted the line, else who the task is assigned to.",
    )
    rule_id = fields.Many2one(
        "cycle.count.rule",
        readonly=True,
        help="The first rule that planned the line (empty: an event or by hand).",
    )
    planned_count = fields.Integer(string="Lines Planned", readonly=True)
    counted_count = fields.Integer(string="Lines Counted", readonly=True)
    on_time_count = fields.Integer(
        string="Counted On Time",
        readonly=True,
        help="Lines counted on or before their due date.",
    )
    required_count = fields.Integer(
        string="Required by Rules",
        readonly=True,
        help="Lines a rule requires in its period.",
    )
    covered_count = fields.Integer(
        string="Covered",
        readonly=True,
        help="Of the lines rules require, those counted by their due date.",
    )
    adherence = fields.Float(
        string="Plan Adherence (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Lines counted on or before their due date ÷ lines planned.",
    )
    coverage = fields.Float(
        string="Coverage (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Lines rules require counted in their period ÷ lines rules require.",
    )

    @api.model
    def _fact_query(self, scope):
        return SQL(
            """
            SELECT f.*,
                   CASE WHEN f.on_time THEN 1 ELSE 0 END AS on_time_count,
                   CASE WHEN f.rule_id IS NOT NULL THEN 1 ELSE 0 END
                       AS required_count,
                   CASE WHEN f.rule_id IS NOT NULL AND f.on_time THEN 1 ELSE 0 END
                       AS covered_count,
                   CASE WHEN f.on_time THEN 100.0 ELSE 0.0 END AS adherence,
                   CASE WHEN f.rule_id IS NULL THEN NULL
                        WHEN f.on_time THEN 100.0 ELSE 0.0 END AS coverage
              FROM (
                SELECT l.id AS line_id,
                       COALESCE(l.due_date, t.scheduled_date) AS due_date,
                       CASE WHEN l.is_counted THEN %(date)s END AS counted_date,
                       t.company_id,
                       t.warehouse_id,
                       %(zone)s AS zone_id,
                       l.location_id,
                       l.product_id,
                       pt.categ_id,
                       l.abc_class_id,
                       COALESCE(l.team_id, t.team_id) AS team_id,
                       COALESCE(l.counter_id, t.user_id) AS counter_id,
                       (SELECT MIN(rel.rule_id) FROM cycle_count_line_rule_rel rel
                         WHERE rel.line_id = l.id) AS rule_id,
                       l.task_id,
                       1 AS planned_count,
                       CASE WHEN l.is_counted THEN 1 ELSE 0 END AS counted_count,
                       COALESCE(l.is_counted
                                AND %(date)s <= COALESCE(l.due_date, t.scheduled_date),
                                FALSE) AS on_time
                  FROM cycle_count_line l
                  JOIN cycle_count_task t ON t.id = l.task_id
                  JOIN product_product pp ON pp.id = l.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN stock_location loc ON loc.id = l.location_id
                  LEFT JOIN stock_warehouse wh ON wh.id = t.warehouse_id
                  LEFT JOIN stock_location ws ON ws.id = wh.lot_stock_id
                  LEFT JOIN res_users u ON u.id = l.counter_id
                  LEFT JOIN res_partner p ON p.id = u.partner_id
                 WHERE t.state != 'cancel' AND NOT COALESCE(l.is_found, FALSE)
                   AND %(scope)s
              ) f
            """,
            date=self._local_date_sql(SQL("l.counted_at"), "p"),
            zone=self._zone_sql("loc", "ws"),
            scope=scope,
        )
