from odoo import fields, models, tools
from odoo.tools import SQL


class CycleCountSuspenseReport(models.Model):
    """What still sits in suspense (待处理财产损溢), per variance report: the
    balance of its entries on its company's suspense account, since when, and
    how old — for finance to clear (two-step posting)."""

    _name = "cycle.count.suspense.report"
    _description = "Cycle Count Suspense Ageing"
    _auto = False
    _order = "date_since, id"
    # What the view reads: flushed before it is searched.
    _depends = {
        "account.move": ["cycle_count_adjustment_id", "state"],
        "account.move.line": ["account_id", "balance", "date", "move_id"],
        "cycle.count.adjustment": ["company_id", "warehouse_id"],
        "res.company": ["cycle_count_suspense_account_id", "currency_id"],
    }

    adjustment_id = fields.Many2one(
        "cycle.count.adjustment", string="Variance Report", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    account_id = fields.Many2one(
        "account.account", string="Suspense Account", readonly=True
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(
        string="In Suspense",
        readonly=True,
        help="Debit: a loss waiting for its decision; credit: a gain.",
    )
    date_since = fields.Date(string="Since", readonly=True)
    age_days = fields.Integer(string="Age (Days)", readonly=True, aggregator="max")
    age_bucket = fields.Selection(
        [
            ("0_7", "0-7 days"),
            ("8_30", "8-30 days"),
            ("31_90", "31-90 days"),
            ("over_90", "Over 90 days"),
        ],
        string="Age",
        readonly=True,
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    SELECT adj.id AS id,
                           adj.id AS adjustment_id,
                           adj.company_id AS company_id,
                           adj.warehouse_id AS warehouse_id,
                           company.cycle_count_suspense_account_id AS account_id,
                           company.currency_id AS currency_id,
                           SUM(aml.balance) AS amount,
                           MIN(aml.date) AS date_since,
                           CURRENT_DATE - MIN(aml.date) AS age_days,
                           CASE
                               WHEN CURRENT_DATE - MIN(aml.date) <= 7 THEN '0_7'
                               WHEN CURRENT_DATE - MIN(aml.date) <= 30 THEN '8_30'
                               WHEN CURRENT_DATE - MIN(aml.date) <= 90 THEN '31_90'
                               ELSE 'over_90'
                           END AS age_bucket
                      FROM cycle_count_adjustment adj
                      JOIN res_company company ON company.id = adj.company_id
                      JOIN account_move entry
                        ON entry.cycle_count_adjustment_id = adj.id
                       AND entry.state = 'posted'
                      JOIN account_move_line aml
                        ON aml.move_id = entry.id
                       AND aml.account_id = company.cycle_count_suspense_account_id
                     GROUP BY adj.id, company.id
                    HAVING ROUND(SUM(aml.balance), 2) <> 0
                )
                """,
                table=SQL.identifier(self._table),
            )
        )
