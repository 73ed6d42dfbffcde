from odoo import fields, models
from odoo.tools import SQL

# Accuracy aggregates are ratios of sums (hits / total), not averages of rows.
RATIO_AGGREGATES = {
    "accuracy": ("hit_count", "line_count"),
    "value_accuracy": ("hit_value", "weight_value"),
}


class CycleCountAccuracyReport(models.Model):
    """One row per counted line of a counted or done task. A line is a hit when
    the count matched the books. The value weight of a line is what it is worth
    at the larger of the book and counted quantities, so that stock found in a
    bin the books thought empty weighs as much as stock that went missing."""

    _name = "cycle.count.accuracy.report"
    _description = "Inventory Record Accuracy"
    _auto = False
    _order = "date desc"
    _rec_name = "task_id"
    # Flushed before the view is read.
    _depends = {
        "cycle.count.line": [
            "counted_at",
            "task_id",
            "counter_id",
            "location_id",
            "product_id",
            "reason_id",
            "is_counted",
            "has_difference",
            "book_qty",
            "counted_qty",
            "unit_cost",
            "variance_value",
        ],
        "cycle.count.task": ["state", "warehouse_id", "company_id"],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
        "res.users": ["partner_id"],
        "res.partner": ["tz"],
    }

    date = fields.Date(string="Counted On", readonly=True)
    task_id = fields.Many2one("cycle.count.task", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    counter_id = fields.Many2one("res.users", string="Counted By", readonly=True)
    location_id = fields.Many2one("stock.location", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Category", readonly=True)
    reason_id = fields.Many2one("cycle.count.reason", readonly=True)
    line_count = fields.Integer(string="Lines Counted", readonly=True)
    hit_count = fields.Integer(string="Lines Without Difference", readonly=True)
    accuracy = fields.Float(
        string="Accuracy (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Share of lines counted without difference.",
    )
    value_accuracy = fields.Float(
        string="Value Accuracy (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Share of the counted value that was counted without difference.",
    )
    weight_value = fields.Float(string="Value Counted", readonly=True)
    hit_value = fields.Float(string="Value Without Difference", readonly=True)
    abs_variance_value = fields.Float(string="Variance (absolute)", readonly=True)
    variance_value = fields.Float(string="Variance (net)", readonly=True)

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in RATIO_AGGREGATES:
            hits, total = RATIO_AGGREGATES[fname]
            return SQL(
                "100.0 * SUM(%s) / NULLIF(SUM(%s), 0)",
                SQL.identifier(self._table, hits),
                SQL.identifier(self._table, total),
            )
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )

    def _query(self):
        return SQL(
            """
            SELECT l.id,
                   -- the counter's calendar day, not UTC's
                   (l.counted_at AT TIME ZONE 'UTC'
                        AT TIME ZONE COALESCE(p.tz, 'UTC'))::date AS date,
                   l.task_id,
                   t.warehouse_id,
                   t.company_id,
                   l.counter_id,
                   l.location_id,
                   l.product_id,
                   pt.categ_id,
                   l.reason_id,
                   1 AS line_count,
                   CASE WHEN l.has_difference THEN 0 ELSE 1 END AS hit_count,
                   CASE WHEN l.has_difference THEN 0.0 ELSE 100.0 END AS accuracy,
                   CASE WHEN l.has_difference THEN 0.0 ELSE 100.0 END AS value_accuracy,
                   GREATEST(ABS(l.book_qty), ABS(l.counted_qty)) * l.unit_cost
                       AS weight_value,
                   CASE WHEN l.has_difference THEN 0.0
                        ELSE GREATEST(ABS(l.book_qty), ABS(l.counted_qty)) * l.unit_cost
                   END AS hit_value,
                   ABS(l.variance_value) AS abs_variance_value,
                   l.variance_value
              FROM cycle_count_line l
              JOIN cycle_count_task t ON t.id = l.task_id
              JOIN product_product pp ON pp.id = l.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN res_users u ON u.id = l.counter_id
              LEFT JOIN res_partner p ON p.id = u.partner_id
             WHERE l.is_counted AND t.state IN ('counted', 'done')
            """
        )
