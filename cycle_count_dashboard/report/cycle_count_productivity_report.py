from odoo import api, fields, models
from odoo.tools import SQL

# The time a single count takes, added once per (task, counter): the first line
# of a counter has no earlier count to measure from.
LINE_ALLOWANCE_MINUTES = 2.0


class CycleCountProductivityReport(models.Model):
    """Counter productivity: one row per (task, counter) of a counted or done
    task. The work time of a counter in a task runs from their first to their
    last count timestamp, plus one line's allowance (two minutes) for the first
    count, which has nothing before it to measure from: a single line is two
    minutes. A line *caused a recount* when a recount superseded it."""

    _name = "cycle.count.productivity.report"
    _inherit = "cycle.count.report.fact"
    _log_access = False
    _description = "Counter Productivity"
    _order = "date desc, id desc"
    _rec_name = "task_id"
    _ratio_aggregates = {
        "lines_per_hour": ("line_count", "work_hours", 1.0, False),
        "hours_per_task": ("work_hours", "task_count", 1.0, False),
        "recount_rate": ("recount_caused_count", "line_count", 100.0, False),
    }

    date = fields.Date(string="Counted On", readonly=True, index=True)
    line_count = fields.Integer(string="Lines Counted", readonly=True)
    work_hours = fields.Float(
        readonly=True,
        digits=(16, 2),
        help="From the counter's first to last count in the task, plus one "
        "line's allowance (two minutes).",
    )
    recount_caused_count = fields.Integer(
        string="Lines Sent to Recount",
        readonly=True,
        help="Lines of this counter that a recount superseded.",
    )
    task_count = fields.Integer(string="Tasks", readonly=True)
    lines_per_hour = fields.Float(
        string="Lines per Hour",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Lines counted ÷ work hours.",
    )
    hours_per_task = fields.Float(
        string="Hours per Task",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Work hours ÷ tasks.",
    )
    recount_rate = fields.Float(
        string="Recount Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Lines sent to recount ÷ lines counted.",
    )

    @api.model
    def _fact_query(self, scope):
        return SQL(
            """
            SELECT f.*,
                   f.line_count / NULLIF(f.work_hours, 0) AS lines_per_hour,
                   f.work_hours AS hours_per_task,
                   100.0 * f.recount_caused_count / NULLIF(f.line_count, 0)
                       AS recount_rate
              FROM (
                SELECT %(date)s AS date,
                       t.company_id,
                       t.warehouse_id,
                       MIN(l.team_id) AS team_id,
                       l.counter_id,
                       l.task_id,
                       COUNT(*) AS line_count,
                       EXTRACT(EPOCH FROM MAX(l.counted_at) - MIN(l.counted_at))
                           / 3600.0 + %(allowance)s / 60.0 AS work_hours,
                       COUNT(*) FILTER (WHERE l.is_superseded)
                           AS recount_caused_count,
                       1 AS task_count
                  FROM cycle_count_line l
                  JOIN cycle_count_task t ON t.id = l.task_id
                  JOIN res_users u ON u.id = l.counter_id
                  JOIN res_partner p ON p.id = u.partner_id
                 WHERE l.is_counted AND l.counted_at IS NOT NULL
                   AND t.state IN ('counted', 'done') AND %(scope)s
                 GROUP BY t.company_id, t.warehouse_id, l.counter_id, l.task_id, p.tz
              ) f
            """,
            date=self._local_date_sql(SQL("MIN(l.counted_at)"), "p"),
            allowance=LINE_ALLOWANCE_MINUTES,
            scope=scope,
        )
