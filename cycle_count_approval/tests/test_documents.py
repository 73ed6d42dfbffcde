import io
import unicodedata

import openpyxl
from PyPDF2 import PdfReader

from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin

from .common import counted_report, reject_with_comment, use_periodic_category

REPORT = "cycle_count_approval.report_cycle_count_adjustment"


@tagged("post_install", "-at_install")
class TestVarianceDocuments(CycleCountTestMixin, HttpCase):
    """The report as a PDF in English and Chinese (its HTML, and once as a real
    PDF rendered by wkhtmltopdf and read back with PyPDF2), and as a
    spreadsheet parsed back (openpyxl)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        use_periodic_category(cls)
        cls.env["res.lang"]._activate_lang("zh_CN")
        # The module's own zh_CN.po (and web's, for the layout), as an install
        # with Chinese loads them.
        cls.env["ir.module.module"]._load_module_terms(
            [
                "web",
                "base_tier_validation",
                "cycle_count_planning",
                "cycle_count_approval",
            ],
            ["zh_CN"],
        )
        cls.reason = cls.env["cycle.count.reason"].create({"name": "Damaged in bin"})

    def _report(self):
        # +2 bolts (+50), -1 glue lot (-5).
        adjustment = self._counted_task(bolt=52, glue=19).adjustment_ids
        adjustment.line_ids.filtered(
            lambda line: line.product_id == self.product_bolt
        ).reason_id = self.reason
        return adjustment

    def _html(self, adjustment, user):
        html, _kind = (
            self.env["ir.actions.report"]
            .with_user(user)
            ._render_qweb_html(REPORT, adjustment.ids)
        )
        return html.decode()

    def test_the_pdf_lists_variances_and_approvers(self):
        adjustment = self._report()
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        html = self._html(adjustment, self.supervisor)
        for text in (
            adjustment.name,
            "CC-BLT",
            "Bolt M8",
            "A-01",
            "GLU-001",
            "Damaged in bin",
            "Carl Counter",
            "Sam Supervisor",
            "Warehouse supervisor",
            "Book",
            "Unit Cost",
        ):
            with self.subTest(text=text):
                self.assertIn(text, html)
        self.assertIn("52.00", html)
        self.assertIn("50.00", html)
        # No recount field in this database: no Recounts column.
        if "recount_count" not in adjustment.line_ids._fields:
            self.assertNotIn("Recounts", html)

    def test_the_pdf_in_chinese(self):
        adjustment = self._report()
        self.supervisor.lang = "zh_CN"
        reject_with_comment(adjustment, self.supervisor, "请复盘 A-01")
        html = self._html(adjustment, self.supervisor)
        self.assertTrue("请复盘 A-01" in html, "the comment is printed")
        self.assertTrue('lang="zh-CN"' in html, "the page is in Chinese")
        # The headings are translated (zh_CN.po), not left in English.
        for text in ("差异报告", "盘点人", "单位成本", "审批人"):
            with self.subTest(text=text):
                self.assertTrue(text in html, f"{text} is not printed")
        self.assertFalse(">Counted By<" in html, "a heading is left in English")

    def _pdf_text(self, adjustment, user, lang):
        # Tests render HTML unless forced: this is wkhtmltopdf's real PDF.
        content, report_type = (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(force_report_rendering=True, lang=lang)
            ._render_qweb_pdf(REPORT, adjustment.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF"), "a real PDF")
        reader = PdfReader(io.BytesIO(content))
        text = " ".join(page.extract_text() for page in reader.pages)
        # The font maps some ideographs to their Kangxi radicals (⼈ for 人):
        # NFKC gives the characters back; words come apart by tabs and breaks.
        return " ".join(unicodedata.normalize("NFKC", text).split())

    def test_the_real_pdf_in_english_and_chinese(self):
        """One real PDF per language. The report sets its own font stack of
        installed system fonts (Noto Sans CJK SC, DejaVu Sans): wkhtmltopdf
        0.12.6 drew the layout's web font (Lato) as outlines, without a text
        layer, so only Chinese could be read back. Now the Latin content (the
        report's name, the product codes, the approver) is text in the PDF of
        each language, beside the Chinese headings in zh_CN."""
        adjustment = self._report()
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        latin = (adjustment.name, self.supervisor.name)
        # A narrow column wraps a code after its hyphen ("CC- GLU").
        codes = (self.product_bolt.default_code, self.product_lot.default_code)
        self.supervisor.lang = "zh_CN"
        text = self._pdf_text(adjustment, self.supervisor, "zh_CN")
        for heading in (
            "差异报告",
            "单位成本",
            "盘点人",
            "审批人",
            "已批准",
            "已更正库存",
            *latin,
        ):
            self.assertIn(heading, text)
        for code in codes:
            self.assertIn(code, text.replace(" ", ""))
        self.supervisor.lang = "en_US"
        text = self._pdf_text(adjustment, self.supervisor, "en_US")
        for content in ("Variance Report", "Unit Cost", "Counted By", *latin):
            self.assertIn(content, text)
        for code in codes:
            self.assertIn(code, text.replace(" ", ""))
        # In English, none of the report's own Chinese (a location may still
        # carry a Chinese name of the database's).
        for heading in ("差异报告", "单位成本", "盘点人", "审批人"):
            self.assertNotIn(heading, text)

    def test_the_pdf_is_printable_from_the_form_and_the_list(self):
        action = self.env.ref(
            "cycle_count_approval.action_report_cycle_count_adjustment"
        )
        self.assertEqual(action.binding_model_id.model, "cycle.count.adjustment")
        self.assertEqual(action.report_type, "qweb-pdf")

    def _workbook(self, adjustments, user):
        content = adjustments.with_user(user)._get_xlsx_content()
        return openpyxl.load_workbook(io.BytesIO(content))

    def test_the_spreadsheet_holds_the_figures(self):
        adjustment = self._report()
        adjustment.with_user(self.supervisor).validate_tier()
        book = self._workbook(adjustment, self.supervisor)
        self.assertEqual(book.sheetnames, [adjustment.name.replace("/", "")[:31]])
        sheet = book.active
        self.assertEqual(sheet.freeze_panes, "A5")
        header = [cell.value for cell in sheet[4]]
        self.assertEqual(
            header[:11],
            [
                "Code",
                "Product",
                "Location",
                "Lot",
                "Book",
                "Counted",
                "Difference",
                "Unit Cost",
                "Value",
                "Reason",
                "Counted By",
            ],
        )
        rows = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
        bolt = rows["CC-BLT"]
        self.assertEqual(bolt[1], "Bolt M8")
        self.assertEqual(bolt[4:9], (50, 52, 2, 25, 50))
        self.assertEqual(bolt[9], "Damaged in bin")
        self.assertEqual(bolt[10], "Carl Counter")
        glue = rows["CC-GLU"]
        self.assertEqual(glue[3], "GLU-001")
        self.assertEqual(glue[8], -5)
        self.assertEqual(rows["Total"][8], 45)
        self.assertEqual(sheet.cell(row=5, column=9).number_format, "#,##0.00")
        self.assertGreater(sheet.column_dimensions["A"].width, 20)
        approvals = [row for row in sheet.iter_rows(values_only=True) if row[2]]
        self.assertIn("Sam Supervisor", [row[2] for row in approvals])

    def test_several_reports_one_sheet_each_and_the_download(self):
        first = self._report()
        # Decided first: its task held every item, and an item has one open
        # count at a time.
        first.with_user(self.supervisor).validate_tier()
        second = counted_report(self, {self.product_apple: 9})
        reports = first | second
        book = self._workbook(reports, self.supervisor)
        self.assertEqual(
            sorted(book.sheetnames),
            sorted(name.replace("/", "")[:31] for name in reports.mapped("name")),
        )
        action = reports.with_user(self.supervisor).action_export_xlsx()
        self.authenticate("cc_supervisor", "cc_supervisor")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        downloaded = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(len(downloaded.sheetnames), 2)
        # A counter reads no variance report, in no format.
        self.authenticate("cc_counter", "cc_counter")
        response = self.url_open(action["url"])
        self.assertNotEqual(response.status_code, 200)
