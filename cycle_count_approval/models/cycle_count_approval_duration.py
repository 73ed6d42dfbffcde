from odoo import fields, models, tools
from odoo.tools import SQL


class CycleCountApprovalDuration(models.Model):
    """One row per tier of a variance report whose turn came: when, decided when
    and by whom, how long it took and whether it was late. Read by the
    supervisors, finance and managers; the dashboards average its hours per
    tier."""

    _name = "cycle.count.approval.duration"
    _description = "Approval Durations"
    _auto = False
    _order = "requested_date desc, id desc"
    _rec_name = "adjustment_id"

    review_id = fields.Many2one("tier.review", readonly=True)
    adjustment_id = fields.Many2one(
        "cycle.count.adjustment", string="Variance Report", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    tier_id = fields.Many2one("tier.definition", readonly=True)
    sequence = fields.Integer(string="Tier Order", readonly=True, aggregator=False)
    status = fields.Selection(
        [
            ("waiting", "Waiting"),
            ("pending", "Pending"),
            ("rejected", "Rejected"),
            ("approved", "Approved"),
            ("cancel", "Cancel"),
            ("forwarded", "Forwarded"),
        ],
        string="Decision",
        readonly=True,
    )
    reviewer_id = fields.Many2one("res.users", string="Decided By", readonly=True)
    requested_date = fields.Datetime(string="Requested On", readonly=True)
    decided_date = fields.Datetime(string="Decided On", readonly=True)
    deadline = fields.Datetime(readonly=True)
    elapsed_hours = fields.Float(
        string="Elapsed (hours)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Hours from the tier's turn to its decision (to now, while open); "
        "averaged when grouped.",
    )
    is_decided = fields.Boolean(string="Decided", readonly=True)
    is_late = fields.Boolean(string="Late", readonly=True)
    is_escalated = fields.Boolean(string="Escalated", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                SELECT r.id AS id,
                       r.id AS review_id,
                       a.id AS adjustment_id,
                       a.company_id AS company_id,
                       a.warehouse_id AS warehouse_id,
                       r.definition_id AS tier_id,
                       r.sequence AS sequence,
                       r.status AS status,
                       r.done_by AS reviewer_id,
                       r.cycle_count_turn_date AS requested_date,
                       r.reviewed_date AS decided_date,
                       r.cycle_count_deadline AS deadline,
                       EXTRACT(EPOCH FROM (
                           COALESCE(r.reviewed_date, NOW() AT TIME ZONE 'UTC')
                           - r.cycle_count_turn_date)) / 3600.0 AS elapsed_hours,
                       r.reviewed_date IS NOT NULL AS is_decided,
                       COALESCE(r.cycle_count_deadline
                           < COALESCE(r.reviewed_date, NOW() AT TIME ZONE 'UTC'),
                           FALSE) AS is_late,
                       r.cycle_count_escalated_date IS NOT NULL AS is_escalated
                  FROM tier_review r
                  JOIN cycle_count_adjustment a ON a.id = r.res_id
                 WHERE r.model = 'cycle.count.adjustment'
                   AND r.cycle_count_turn_date IS NOT NULL
                )
                """,
                table=SQL.identifier(self._table),
            )
        )
