import base64
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.xlsx import Workbook

# Excel's row limit, less the title and header rows.
MAX_LINES = 1_048_000


class CycleCountAnalysisExport(models.TransientModel):
    """The accuracy and variance analyses of a period and a scope as one XLSX
    workbook: a sheet per dimension, every figure read through the accuracy
    report's ``_read_group`` (the same ratios of sums as its views), and the
    lines behind them."""

    _name = "cycle.count.analysis.export"
    _description = "Export Accuracy Analyses"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: (
            fields.Date.context_today(self).replace(day=1) - relativedelta(months=2)
        ),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    warehouse_ids = fields.Many2many(
        "stock.warehouse",
        string="Warehouses",
        domain="[('company_id', 'in', company_ids)]",
        help="Leave empty for every warehouse of the companies.",
    )
    categ_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Leave empty for every category; a category includes its children.",
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    # ------------------------------------------------------------------ scope
    def _check_scope(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(
                self.env._("The start of the period must not be after its end.")
            )
        foreign = self.company_ids - self.env.user.company_ids
        if foreign:
            raise UserError(
                self.env._(
                    "You may not export the analyses of %(companies)s.",
                    companies=", ".join(foreign.mapped("name")),
                )
            )
        stray = self.warehouse_ids.filtered(
            lambda w: w.company_id not in self.company_ids
        )
        if stray:
            raise UserError(
                self.env._(
                    "The warehouses %(warehouses)s are not of the chosen companies.",
                    warehouses=", ".join(stray.mapped("name")),
                )
            )
        report = self._report()
        if not report.has_access("read"):
            raise UserError(
                self.env._("You are not allowed to read the accuracy analyses.")
            )

    def _report(self):
        # Read as the user, within the companies chosen (the record rule of the
        # report keeps the user's own companies only).
        return self.env["cycle.count.accuracy.report"].with_context(
            allowed_company_ids=self.company_ids.ids
        )

    def _domain(self):
        domain = [
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
            ("company_id", "in", self.company_ids.ids),
        ]
        if self.warehouse_ids:
            domain.append(("warehouse_id", "in", self.warehouse_ids.ids))
        if self.categ_ids:
            domain.append(("categ_id", "child_of", self.categ_ids.ids))
        return domain

    # --------------------------------------------------------------- figures
    @api.model
    def _dimensions(self):
        """(group-by spec, sheet name) of each dimension the report has."""
        report = self.env["cycle.count.accuracy.report"]
        candidates = [
            ("warehouse_id", self.env._("Warehouse")),
            ("zone_id", self.env._("Zone")),
            ("categ_id", self.env._("Category")),
            ("abc_class_id", self.env._("ABC Class")),
            ("team_id", self.env._("Team")),
            ("counter_id", self.env._("Counter")),
            ("reason_id", self.env._("Reason")),
            ("date:month", self.env._("Month")),
        ]
        return [c for c in candidates if c[0].split(":")[0] in report._fields]

    @api.model
    def _measures(self):
        """(field, header, column kind) of each figure the report has; the
        ratios are aggregated on the server (ratio of sums)."""
        report = self.env["cycle.count.accuracy.report"]
        candidates = [
            ("line_count", self.env._("Lines"), "int"),
            ("ira", self.env._("IRA (%)"), "percent"),
            ("exact_rate", self.env._("Exact Rate (%)"), "percent"),
            ("first_pass_accuracy", self.env._("First-Pass Accuracy (%)"), "percent"),
            (
                "value_variance_gross",
                self.env._("Value Variance Gross (%)"),
                "percent",
            ),
            ("value_variance_net", self.env._("Value Variance Net (%)"), "percent"),
            ("accuracy", self.env._("Accuracy (%)"), "percent"),
            ("book_value", self.env._("Book Value"), "money"),
            ("abs_variance_value", self.env._("Variance (absolute)"), "money"),
            ("variance_value", self.env._("Variance (net)"), "money"),
        ]
        return [c for c in candidates if c[0] in report._fields]

    def _aggregates(self):
        report = self.env["cycle.count.accuracy.report"]
        return [
            f"{fname}:{report._fields[fname].aggregator or 'sum'}"
            for fname, __, __ in self._measures()
        ]

    def _figures(self, groupby):
        """[(label, [figure, ...]), ...] of one dimension, the largest first."""
        rows = self._report()._read_group(
            self._domain(), [groupby], self._aggregates(), order=groupby
        )
        result = []
        for key, *values in rows:
            if isinstance(key, models.BaseModel):
                label = key.display_name or self.env._("None")
            elif isinstance(key, date | datetime):
                label = key.strftime("%Y-%m")
            else:
                label = str(key) if key else self.env._("None")
            result.append((label, values))
        return result

    def _lines(self):
        report = self._report()
        fnames = [
            f
            for f in (
                "date",
                "company_id",
                "warehouse_id",
                "zone_id",
                "location_id",
                "product_id",
                "categ_id",
                "abc_class_id",
                "team_id",
                "counter_id",
                "reason_id",
                "task_id",
                "is_recount",
                "is_superseded",
                "line_count",
                "hit_count",
                "exact_count",
                "book_value",
                "variance_value",
            )
            if f in report._fields
        ]
        count = report.search_count(self._domain())
        if count > MAX_LINES:
            raise UserError(
                self.env._(
                    "%(count)s lines do not fit in one workbook: choose a shorter "
                    "period or fewer warehouses.",
                    count=count,
                )
            )
        records = report.search(self._domain(), order="date, id")
        return fnames, records.read(fnames, load="_classic_read")

    # --------------------------------------------------------------- writing
    def _build_xlsx(self):
        book = Workbook()
        measures = self._measures()
        columns_for = [(header, kind, 16) for __, header, kind in measures]
        for groupby, name in self._dimensions():
            rows = [(label, *values) for label, values in self._figures(groupby)]
            book.add_table(
                name,
                self.env._(
                    "Accuracy by %(dimension)s, %(date_from)s to %(date_to)s",
                    dimension=name.lower(),
                    date_from=self.date_from,
                    date_to=self.date_to,
                ),
                [(name, "text", 28), *columns_for],
                rows,
            )
        fnames, lines = self._lines()
        report = self.env["cycle.count.accuracy.report"]
        kinds = {
            "date": "date",
            "many2one": "text",
            "boolean": "text",
            "integer": "int",
        }
        columns = [
            (
                report._fields[f].get_description(self.env)["string"],
                kinds.get(report._fields[f].type, "money"),
                12 if report._fields[f].type != "many2one" else 24,
            )
            for f in fnames
        ]
        rows = [
            tuple(line[f][1] if isinstance(line[f], tuple) else line[f] for f in fnames)
            for line in lines
        ]
        book.add_table(
            self.env._("Lines"),
            self.env._("The counted lines behind the figures"),
            columns,
            rows,
        )
        return book.close()

    def action_export(self):
        self.ensure_one()
        self._check_scope()
        content = self._build_xlsx()
        self.write(
            {
                "file_data": base64.b64encode(content),
                "file_name": self.env._(
                    "Accuracy %(date_from)s %(date_to)s.xlsx",
                    date_from=self.date_from,
                    date_to=self.date_to,
                ),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}"
            "&field=file_data&filename_field=file_name&download=true",
            "target": "self",
        }
