import base64
from datetime import date, datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.cycle_count_dashboard.tools.xlsx import Workbook


class CycleCountYearEndPack(models.TransientModel):
    """What an auditor asks of cycle counting at year end (can it replace the
    annual full count?): for one company and fiscal year, the share of items and
    of stock value counted, IRA by month, and the adjustments posted with their
    approvals and journal entries. One PDF and one XLSX from the same figures."""

    _name = "cycle.count.year.end.pack"
    _description = "Cycle Count Year-End Pack"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    year = fields.Integer(
        string="Fiscal Year",
        required=True,
        default=lambda self: fields.Date.context_today(self).year,
        help="The calendar year in which the fiscal year ends.",
    )
    date_from = fields.Date(compute="_compute_dates")
    date_to = fields.Date(compute="_compute_dates")
    lang = fields.Selection(
        "_lang_selection",
        string="Language",
        default=lambda self: self.env.lang or self.env.user.lang or "en_US",
        required=True,
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.model
    def _lang_selection(self):
        return self.env["res.lang"].get_installed()

    @api.depends("company_id", "year")
    def _compute_dates(self):
        for pack in self:
            if not pack.company_id or not pack.year or not 1900 < pack.year < 9999:
                pack.date_from = pack.date_to = False
                continue
            company = pack.company_id
            month = int(company.fiscalyear_last_month)
            # The fiscal year containing its own last day (31 Feb → 28/29 Feb).
            last = date(pack.year, month, 1)
            day = min(company.fiscalyear_last_day, 31)
            while True:
                try:
                    last = last.replace(day=day)
                    break
                except ValueError:
                    day -= 1
            dates = company.compute_fiscalyear_dates(last)
            pack.date_from = dates["date_from"]
            pack.date_to = dates["date_to"]

    # ------------------------------------------------------------------ checks
    def _check_scope(self):
        self.ensure_one()
        if not self.date_from:
            raise UserError(self.env._("Choose a fiscal year between 1901 and 9998."))
        if self.company_id not in self.env.user.company_ids:
            raise UserError(
                self.env._(
                    "You may not see the year-end pack of %(company)s.",
                    company=self.company_id.name,
                )
            )
        if not self.env.user.has_group(
            "cycle_count_planning.group_cycle_count_finance"
        ):
            raise UserError(
                self.env._("Only finance managers may take the year-end pack.")
            )

    def _bounds(self):
        """The fiscal year as UTC datetimes [start, end)."""
        start = datetime.combine(self.date_from, time.min)
        end = datetime.combine(self.date_to + timedelta(days=1), time.min)
        return start, end

    # ----------------------------------------------------------------- figures
    def _item_figures(self):
        """Items = product × internal location of the company with stock at some
        time in the year: stock on hand at its start (done move lines before),
        or a done move line in or out during it. Counted = of those, the ones a
        counted line of a counted or done task covered during the year."""
        start, end = self._bounds()
        company = self.company_id.id
        self.env["stock.move.line"].flush_model()
        self.env["cycle.count.line"].flush_model()
        self.env["cycle.count.task"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH internal AS (
                    SELECT id FROM stock_location
                     WHERE usage = 'internal' AND company_id = %(company)s
                ), flows AS (
                    SELECT ml.product_id, ml.location_dest_id AS location_id,
                           ml.quantity_product_uom AS qty, ml.date
                      FROM stock_move_line ml
                     WHERE ml.state = 'done'
                       AND ml.location_dest_id IN (SELECT id FROM internal)
                    UNION ALL
                    SELECT ml.product_id, ml.location_id,
                           -ml.quantity_product_uom, ml.date
                      FROM stock_move_line ml
                     WHERE ml.state = 'done'
                       AND ml.location_id IN (SELECT id FROM internal)
                ), items AS (
                    SELECT product_id, location_id
                      FROM flows
                     WHERE date < %(end)s
                  GROUP BY product_id, location_id
                    HAVING ROUND(SUM(qty) FILTER (WHERE date < %(start)s)::numeric, 6) != 0
                        OR COUNT(*) FILTER (WHERE date >= %(start)s) > 0
                ), counted AS (
                    SELECT DISTINCT l.product_id, l.location_id
                      FROM cycle_count_line l
                      JOIN cycle_count_task t ON t.id = l.task_id
                     WHERE l.is_counted AND t.state IN ('counted', 'done')
                       AND t.company_id = %(company)s
                       AND l.counted_at >= %(start)s AND l.counted_at < %(end)s
                )
                SELECT COUNT(*),
                       COUNT(c.product_id),
                       ARRAY_AGG(DISTINCT c.product_id)
                           FILTER (WHERE c.product_id IS NOT NULL)
                  FROM items i
             LEFT JOIN counted c
                    ON c.product_id = i.product_id AND c.location_id = i.location_id
                """,
                company=company,
                start=start,
                end=end,
            )
        )
        items, counted, counted_products = self.env.cr.fetchone()
        return items, counted, counted_products or []

    def _value_figures(self, counted_products):
        """Stock value at the year's end from the valuation layers (created
        before the end), in total and of the products counted in the year."""
        __, end = self._bounds()
        self.env["stock.valuation.layer"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(value), 0),
                       COALESCE(SUM(value) FILTER (WHERE product_id = ANY(%(products)s)), 0)
                  FROM stock_valuation_layer
                 WHERE company_id = %(company)s AND create_date < %(end)s
                """,
                company=self.company_id.id,
                end=end,
                products=list(counted_products),
            )
        )
        return self.env.cr.fetchone()

    def _months(self):
        """IRA by month, read through the accuracy report (the same ratio of sums
        as its views)."""
        report = self.env["cycle.count.accuracy.report"].with_context(
            allowed_company_ids=self.company_id.ids
        )
        ratio = "ira" if "ira" in report._fields else "accuracy"
        rows = report._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
            ],
            ["date:month"],
            ["line_count:sum", "hit_count:sum", f"{ratio}:avg"],
            order="date:month",
        )
        return [
            {"month": month, "lines": lines, "hits": hits, "ira": ira or 0.0}
            for month, lines, hits, ira in rows
        ]

    def _adjustments(self):
        """The variance reports applied to stock during the year, with their tier
        reviews and journal entries."""
        start, end = self._bounds()
        adjustments = self.env["cycle.count.adjustment"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("date_posted", ">=", start),
                ("date_posted", "<", end),
            ],
            order="date_posted, id",
        )
        status = dict(
            self.env["tier.review"]._fields["status"]._description_selection(self.env)
        )
        result = []
        for adjustment in adjustments:
            result.append(
                {
                    "record": adjustment,
                    "name": adjustment.name,
                    "task": adjustment.task_id.display_name,
                    "warehouse": adjustment.warehouse_id.display_name,
                    "date": adjustment.date_posted,
                    "gain": adjustment.total_gain,
                    "loss": adjustment.total_loss,
                    "net": adjustment.net_value,
                    "reviews": [
                        {
                            "tier": review.name or "",
                            "reviewer": review.done_by.name or "",
                            "decision": status.get(review.status, review.status),
                            "date": review.reviewed_date,
                        }
                        for review in adjustment.review_ids.sorted("sequence")
                    ],
                    "entries": [
                        {
                            "name": entry.name,
                            "date": entry.date,
                            "amount": entry.amount_total_signed,
                        }
                        for entry in adjustment.account_move_ids.sorted("date")
                    ],
                }
            )
        return result

    def _get_pack_data(self):
        self.ensure_one()
        self._check_scope()
        items, counted, counted_products = self._item_figures()
        value_total, value_counted = self._value_figures(counted_products)
        return {
            "company": self.company_id,
            "currency": self.company_id.currency_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "items": items,
            "items_counted": counted,
            "items_share": 100.0 * counted / items if items else 0.0,
            "value_total": value_total,
            "value_counted": value_counted,
            "value_share": 100.0 * value_counted / value_total if value_total else 0.0,
            "months": self._months(),
            "adjustments": self._adjustments(),
        }

    # ----------------------------------------------------------------- outputs
    def action_print_pdf(self):
        self.ensure_one()
        self._check_scope()
        return self.env.ref(
            "cycle_count_dashboard_accounting.action_report_year_end_pack"
        ).report_action(self)

    def _build_xlsx(self):
        # Called in the pack's language (action_export_xlsx).
        data = self._get_pack_data()
        book = Workbook()
        book.add_table(
            self.env._("Summary"),
            self.env._(
                "Year-end pack of %(company)s, %(date_from)s to %(date_to)s",
                company=data["company"].name,
                date_from=data["date_from"],
                date_to=data["date_to"],
            ),
            [(self.env._("Figure"), "text", 40), (self.env._("Value"), "float", 18)],
            [
                (self.env._("Items with stock"), data["items"]),
                (self.env._("Items counted"), data["items_counted"]),
                (self.env._("Share of items counted (%)"), data["items_share"]),
                (self.env._("Stock value at year end"), data["value_total"]),
                (self.env._("Stock value counted"), data["value_counted"]),
                (self.env._("Share of stock value counted (%)"), data["value_share"]),
                (self.env._("Adjustments posted"), len(data["adjustments"])),
            ],
        )
        book.add_table(
            self.env._("IRA by Month"),
            self.env._("Inventory record accuracy by month"),
            [
                (self.env._("Month"), "date", 14),
                (self.env._("Lines"), "int", 12),
                (self.env._("Hits"), "int", 12),
                (self.env._("IRA (%)"), "percent", 12),
            ],
            [(m["month"], m["lines"], m["hits"], m["ira"]) for m in data["months"]],
        )
        adjustments = data["adjustments"]
        book.add_table(
            self.env._("Adjustments"),
            self.env._("Variance reports applied to stock"),
            [
                (self.env._("Report"), "text", 18),
                (self.env._("Task"), "text", 24),
                (self.env._("Warehouse"), "text", 20),
                (self.env._("Applied On"), "datetime", 18),
                (self.env._("Gain"), "money", 14),
                (self.env._("Loss"), "money", 14),
                (self.env._("Net"), "money", 14),
            ],
            [
                (
                    a["name"],
                    a["task"],
                    a["warehouse"],
                    a["date"],
                    a["gain"],
                    a["loss"],
                    a["net"],
                )
                for a in adjustments
            ],
        )
        book.add_table(
            self.env._("Approvals"),
            self.env._("Their tier reviews"),
            [
                (self.env._("Report"), "text", 18),
                (self.env._("Tier"), "text", 24),
                (self.env._("Reviewer"), "text", 22),
                (self.env._("Decision"), "text", 14),
                (self.env._("Date"), "datetime", 18),
            ],
            [
                (a["name"], r["tier"], r["reviewer"], r["decision"], r["date"])
                for a in adjustments
                for r in a["reviews"]
            ],
        )
        book.add_table(
            self.env._("Journal Entries"),
            self.env._("Their journal entries"),
            [
                (self.env._("Report"), "text", 18),
                (self.env._("Entry"), "text", 22),
                (self.env._("Date"), "date", 14),
                (self.env._("Amount"), "money", 14),
            ],
            [
                (a["name"], e["name"], e["date"], e["amount"])
                for a in adjustments
                for e in a["entries"]
            ],
        )
        return book.close()

    def action_export_xlsx(self):
        self.ensure_one()
        content = self.with_context(lang=self.lang)._build_xlsx()
        self.write(
            {
                "file_data": base64.b64encode(content),
                "file_name": self.with_context(lang=self.lang).env._(
                    "Year-End Pack %(company)s %(year)s.xlsx",
                    company=self.company_id.name,
                    year=self.year,
                ),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}"
            "&field=file_data&filename_field=file_name&download=true",
            "target": "self",
        }
