from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class CycleCountAccuracyReport(models.Model):
    """The accuracy facts: one row per counted line of a counted or done task,
    every dimension a column of its own (no join at read time), kept up to date
    as lines are counted, reasons change and tasks move (see ``_mark_dirty``);
    ``_rebuild`` rewrites every row after a bulk load by SQL.

    A line is an IRA *hit* when its difference is within its tolerance (no
    difference is always a hit; no tolerance rule means zero tolerance): the
    test is ``cycle.count.line._is_count_miss``, which the approval addon
    narrows with the tolerances it resolves. A line *superseded* by a recount
    keeps its row (a first count) but weighs nothing in the final figures: the
    recount's line does. The value weight of a line is what it is worth at the
    larger of the book and counted quantities, so that stock found in a bin the
    books thought empty weighs as much as stock that went missing."""

    _name = "cycle.count.accuracy.report"
    _inherit = "cycle.count.report.line.fact"
    _log_access = False
    _description = "Inventory Record Accuracy"
    _order = "date desc, id desc"
    _rec_name = "line_id"
    _ratio_aggregates = {
        "ira": ("hit_count", "line_count", 100.0, False),
        "exact_rate": ("exact_count", "line_count", 100.0, False),
        "first_pass_accuracy": (
            "first_pass_hit_count",
            "first_pass_count",
            100.0,
            False,
        ),
        "value_variance_gross": ("abs_variance_value", "book_value", 100.0, False),
        "value_variance_net": ("variance_value", "book_value", 100.0, True),
        "accuracy": ("exact_count", "line_count", 100.0, False),
        "value_accuracy": ("hit_value", "weight_value", 100.0, False),
    }
    _summary_measures = (
        "line_count",
        "hit_count",
        "exact_count",
        "first_pass_count",
        "first_pass_hit_count",
        "book_value",
        "weight_value",
        "hit_value",
        "abs_variance_value",
        "variance_value",
    )
    # By day; smallest first (a read_group takes the first that has all it
    # groups and filters by).
    _summaries = (
        ("company_id", "warehouse_id", "is_recount"),
        ("company_id", "warehouse_id", "is_recount", "reason_id"),
        ("company_id", "warehouse_id", "is_recount", "zone_id"),
        ("company_id", "warehouse_id", "is_recount", "team_id", "counter_id"),
        ("company_id", "warehouse_id", "is_recount", "categ_id", "abc_class_id"),
        (
            "company_id",
            "warehouse_id",
            "is_recount",
            "team_id",
            "counter_id",
            "task_id",
        ),
    )
    _summary_search_fields = {"is_my_warehouse": "warehouse_id"}

    date = fields.Date(string="Counted On", readonly=True, index=True)
    categ_id = fields.Many2one(index=True)
    reason_id = fields.Many2one("cycle.count.reason", readonly=True)
    is_recount = fields.Boolean(
        string="Recount",
        readonly=True,
        help="A count of an item counted before (the recount loop), not a first count.",
    )
    is_superseded = fields.Boolean(
        string="Superseded",
        readonly=True,
        help="A first count a recount replaced: it counts in first-pass accuracy only.",
    )
    is_my_warehouse = fields.Boolean(
        string="My Warehouses",
        compute="_compute_is_my_warehouse",
        search="_search_is_my_warehouse",
        help="The warehouses of the teams you lead or count in.",
    )
    line_count = fields.Integer(
        string="Lines Counted",
        readonly=True,
        help="Counted lines, the last count of each item (not the counts a "
        "recount superseded).",
    )
    hit_count = fields.Integer(
        string="Hits",
        readonly=True,
        help="Counted lines whose difference is within tolerance (or none).",
    )
    exact_count = fields.Integer(
        string="Lines Without Difference",
        readonly=True,
        help="Counted lines that matched the books exactly.",
    )
    first_pass_count = fields.Integer(
        string="First Counts", readonly=True, help="Lines of first counts."
    )
    first_pass_hit_count = fields.Integer(
        string="First-Count Hits",
        readonly=True,
        help="First counts within tolerance, before any recount.",
    )
    book_value = fields.Float(
        readonly=True,
        help="Book quantity × unit cost, of the counted lines.",
    )
    weight_value = fields.Float(string="Value Counted", readonly=True)
    hit_value = fields.Float(string="Value Without Difference", readonly=True)
    abs_variance_value = fields.Float(string="Variance (absolute)", readonly=True)
    variance_value = fields.Float(string="Variance (net)", readonly=True)
    ira = fields.Float(
        string="IRA (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Inventory record accuracy: hits ÷ lines counted.",
    )
    exact_rate = fields.Float(
        string="Exact Match (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Lines without difference ÷ lines counted.",
    )
    first_pass_accuracy = fields.Float(
        string="First-Pass Accuracy (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="First-count hits ÷ first counts: the accuracy before any recount.",
    )
    value_variance_gross = fields.Float(
        string="Value Variance Gross (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 2),
        help="Σ |variance value| ÷ Σ book value.",
    )
    value_variance_net = fields.Float(
        string="Value Variance Net (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 2),
        help="|Σ variance value| ÷ Σ book value: gains and losses offset.",
    )
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

    def _compute_is_my_warehouse(self):
        mine = set(self._search_is_my_warehouse("=", True)[0][2])
        for row in self:
            row.is_my_warehouse = row.warehouse_id.id in mine

    def _search_is_my_warehouse(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported"))
        # The warehouses of the teams the user leads or counts in.
        teams = (
            self.env["cycle.count.team"]
            .sudo()
            .search(
                [
                    "|",
                    ("leader_id", "=", self.env.uid),
                    ("member_ids", "in", self.env.uid),
                ]
            )
        )
        warehouses = teams.warehouse_id.ids
        positive = (operator == "=") == value
        return [("warehouse_id", "in" if positive else "not in", warehouses)]

    @api.model
    def _fact_query(self, scope):
        columns = self._fact_values()
        return SQL(
            "SELECT %s FROM (%s) f",
            SQL(", ").join(
                SQL("%s AS %s", value, SQL.identifier(name))
                for name, value in columns.items()
            ),
            self._source_query(scope),
        )

    @api.model
    def _fact_values(self):
        """{column: SQL over ``f``, a row of ``_source_query``}."""
        final = SQL("NOT f.is_superseded")
        hit = SQL("NOT f.is_miss")
        exact = SQL("NOT f.has_difference")
        first = SQL("NOT f.is_recount")

        def flag(condition):
            return SQL("CASE WHEN %s THEN 1 ELSE 0 END", condition)

        def pct(condition, when=None):
            value = SQL("CASE WHEN %s THEN 100.0 ELSE 0.0 END", condition)
            if when is not None:
                value = SQL("CASE WHEN %s THEN %s END", when, value)
            return value

        def final_value(expression):
            return SQL("CASE WHEN %s THEN %s ELSE 0.0 END", final, expression)

        return {
            "line_id": SQL("f.line_id"),
            "date": SQL("f.date"),
            "task_id": SQL("f.task_id"),
            "company_id": SQL("f.company_id"),
            "warehouse_id": SQL("f.warehouse_id"),
            "zone_id": SQL("f.zone_id"),
            "location_id": SQL("f.location_id"),
            "product_id": SQL("f.product_id"),
            "categ_id": SQL("f.categ_id"),
            "abc_class_id": SQL("f.abc_class_id"),
            "team_id": SQL("f.team_id"),
            "counter_id": SQL("f.counter_id"),
            "reason_id": SQL("f.reason_id"),
            "is_recount": SQL("f.is_recount"),
            "is_superseded": SQL("f.is_superseded"),
            "line_count": flag(final),
            "hit_count": flag(SQL("%s AND %s", final, hit)),
            "exact_count": flag(SQL("%s AND %s", final, exact)),
            "first_pass_count": flag(first),
            "first_pass_hit_count": flag(SQL("%s AND %s", first, hit)),
            "book_value": final_value(SQL("ABS(f.book_qty) * f.unit_cost")),
            "weight_value": final_value(SQL("f.weight")),
            "hit_value": final_value(
                SQL("CASE WHEN %s THEN f.weight ELSE 0.0 END", exact)
            ),
            "abs_variance_value": final_value(SQL("ABS(f.variance_value)")),
            "variance_value": final_value(SQL("f.variance_value")),
            "ira": pct(hit, final),
            "exact_rate": pct(exact, final),
            "first_pass_accuracy": pct(hit, first),
            "value_variance_gross": SQL(
                "CASE WHEN %s THEN 100.0 * ABS(f.variance_value)"
                " / NULLIF(ABS(f.book_qty) * f.unit_cost, 0) END",
                final,
            ),
            "value_variance_net": SQL(
                "CASE WHEN %s THEN 100.0 * ABS(f.variance_value)"
                " / NULLIF(ABS(f.book_qty) * f.unit_cost, 0) END",
                final,
            ),
            "accuracy": pct(exact, final),
            "value_accuracy": pct(exact, final),
        }

    @api.model
    def _source_query(self, scope):
        """The counted lines of counted and done tasks in ``scope`` (SQL over
        ``l``, the line, and ``t``, its task), with every dimension resolved."""
        return SQL(
            """
            SELECT l.id AS line_id,
                   -- the counter's calendar day, not UTC's
                   %(date)s AS date,
                   l.task_id,
                   t.company_id,
                   t.warehouse_id,
                   %(zone)s AS zone_id,
                   l.location_id,
                   l.product_id,
                   pt.categ_id,
                   COALESCE(l.abc_class_id, ac.id) AS abc_class_id,
                   l.team_id,
                   l.counter_id,
                   l.reason_id,
                   (l.recount_of_id IS NOT NULL OR COALESCE(t.is_recount, FALSE))
                       AS is_recount,
                   COALESCE(l.is_superseded, FALSE) AS is_superseded,
                   COALESCE(l.has_difference, FALSE) AS has_difference,
                   %(miss)s AS is_miss,
                   COALESCE(l.book_qty, 0.0) AS book_qty,
                   COALESCE(l.unit_cost, 0.0) AS unit_cost,
                   COALESCE(l.variance_value, 0.0) AS variance_value,
                   GREATEST(ABS(COALESCE(l.book_qty, 0.0)), ABS(l.counted_qty))
                       * COALESCE(l.unit_cost, 0.0) AS weight
              FROM cycle_count_line l
              JOIN cycle_count_task t ON t.id = l.task_id
              JOIN product_product pp ON pp.id = l.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN stock_location loc ON loc.id = l.location_id
              LEFT JOIN stock_warehouse wh ON wh.id = t.warehouse_id
              LEFT JOIN stock_location ws ON ws.id = wh.lot_stock_id
              LEFT JOIN cycle_count_abc_class ac
                     ON ac.id = (pp.cycle_count_abc_class_id ->> t.company_id::text)::int
              LEFT JOIN res_users u ON u.id = l.counter_id
              LEFT JOIN res_partner p ON p.id = u.partner_id
             WHERE l.is_counted AND t.state IN ('counted', 'done') AND %(scope)s
            """,
            date=self._local_date_sql(SQL("l.counted_at"), "p"),
            zone=self._zone_sql("loc", "ws"),
            miss=self.env["cycle.count.line"]._is_count_miss("l"),
            scope=scope,
        )
