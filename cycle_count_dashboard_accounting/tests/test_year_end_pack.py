import base64
import io
import subprocess
import tempfile
import unicodedata

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.cycle_count_accounting.tests.common import CycleCountAccountingCase

REPORT = "cycle_count_dashboard_accounting.report_year_end_pack"


@tagged("post_install", "-at_install")
class TestYearEndPack(CycleCountAccountingCase):
    """A year of a small world: the four test items counted once (+2 apples,
    -4 bolts, -1 chip, glue exact), the report approved and posted; then a fifth
    item (nut, 10 × 2) received and never counted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["web", "cycle_count_dashboard_accounting"], ["zh_CN"]
        )
        cls.product_nut = cls.env["product.product"].create(
            {
                "name": "Nut M8",
                "default_code": "CC-NUT",
                "is_storable": True,
                "standard_price": 2.0,
                "categ_id": cls.category.id,
            }
        )

    def _posted_year(self):
        task = self._counted_task(apple=12, bolt=46, chip=3)
        adjustment = task.adjustment_ids
        adjustment.with_user(self.supervisor).validate_tier()
        adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self._receive(self.product_nut, self.bin_b, 10)
        return adjustment

    def _pack(self, user=None, **values):
        Pack = self.env["cycle.count.year.end.pack"].with_user(user or self.finance)
        return Pack.create(
            {
                "company_id": self.company.id,
                "year": fields.Date.today().year,
                **values,
            }
        )

    def test_the_figures_of_the_year(self):
        adjustment = self._posted_year()
        pack = self._pack()
        self.assertEqual(pack.date_from, fields.Date.today().replace(month=1, day=1))
        self.assertEqual(pack.date_to, fields.Date.today().replace(month=12, day=31))
        data = pack._get_pack_data()
        self.assertEqual(data["items"], 5)
        self.assertEqual(data["items_counted"], 4)
        self.assertAlmostEqual(data["items_share"], 80.0)
        # 3 050 opening + 20 gain - 500 loss = 2 570 counted; + 20 of nuts.
        self.assertAlmostEqual(data["value_total"], 2590.0)
        self.assertAlmostEqual(data["value_counted"], 2570.0)
        self.assertAlmostEqual(data["value_share"], 100.0 * 2570 / 2590)
        # IRA by month: the four lines of this month, as the report's views say.
        (month,) = data["months"]
        self.assertEqual(month["lines"], 4)
        report = self.env["cycle.count.accuracy.report"]
        ratio = "ira" if "ira" in report._fields else "accuracy"
        [(hits, ira)] = report._read_group(
            [("company_id", "=", self.company.id)],
            [],
            ["hit_count:sum", f"{ratio}:avg"],
        )
        self.assertEqual(month["hits"], hits)
        self.assertAlmostEqual(month["ira"], ira)
        self.assertAlmostEqual(month["ira"], 100.0 * hits / 4)
        # The adjustment, its two reviews (who, what, when) and its entry.
        (posted,) = data["adjustments"]
        self.assertEqual(posted["name"], adjustment.name)
        self.assertAlmostEqual(posted["net"], -480.0)
        self.assertEqual(
            [(r["reviewer"], r["decision"]) for r in posted["reviews"]],
            [("Sam Supervisor", "Approved"), ("Fay Finance", "Approved")],
        )
        self.assertTrue(all(r["date"] for r in posted["reviews"]))
        (entry,) = posted["entries"]
        self.assertEqual(entry["name"], adjustment.account_move_ids.name)
        self.assertAlmostEqual(abs(entry["amount"]), 520.0)

    def test_an_empty_year(self):
        self._posted_year()
        data = self._pack(year=fields.Date.today().year - 3)._get_pack_data()
        self.assertEqual((data["items"], data["items_counted"]), (0, 0))
        self.assertEqual(data["items_share"], 0.0)
        self.assertEqual(data["months"], [])
        self.assertEqual(data["adjustments"], [])

    def test_a_fiscal_year_ending_in_march(self):
        self.company.write({"fiscalyear_last_day": 31, "fiscalyear_last_month": "3"})
        pack = self._pack(year=2026)
        self.assertEqual(str(pack.date_from), "2025-04-01")
        self.assertEqual(str(pack.date_to), "2026-03-31")

    def test_the_xlsx_parsed_back(self):
        adjustment = self._posted_year()
        pack = self._pack()
        action = pack.action_export_xlsx()
        self.assertIn(f"id={pack.id}", action["url"])
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(pack.file_data)))
        self.assertEqual(
            book.sheetnames,
            ["Summary", "IRA by Month", "Adjustments", "Approvals", "Journal Entries"],
        )
        summary = {
            row[0]: row[1]
            for row in book["Summary"].iter_rows(min_row=4, values_only=True)
        }
        self.assertEqual(summary["Items with stock"], 5)
        self.assertEqual(summary["Items counted"], 4)
        self.assertAlmostEqual(summary["Stock value at year end"], 2590.0)
        rows = list(book["Adjustments"].iter_rows(min_row=4, values_only=True))
        self.assertEqual([(r[0], r[6]) for r in rows], [(adjustment.name, -480.0)])
        approvals = list(book["Approvals"].iter_rows(min_row=4, values_only=True))
        self.assertEqual([r[2] for r in approvals], ["Sam Supervisor", "Fay Finance"])
        entries = list(book["Journal Entries"].iter_rows(min_row=4, values_only=True))
        self.assertEqual([r[1] for r in entries], [adjustment.account_move_ids.name])

    def test_the_xlsx_in_chinese(self):
        self._posted_year()
        pack = self._pack(lang="zh_CN")
        pack.action_export_xlsx()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(pack.file_data)))
        self.assertIn("汇总", book.sheetnames)

    def _pdf_text(self, pack, user):
        content, kind = (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(REPORT, pack.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(content)
            pdf.flush()
            text = subprocess.run(
                ["pdftotext", "-layout", pdf.name, "-"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        # The CJK font maps some ideographs to their Kangxi radicals (⽐ for
        # 比): NFKC gives the characters back.
        return " ".join(unicodedata.normalize("NFKC", text).split())

    def _html(self, pack, user):
        html, __ = (
            self.env["ir.actions.report"]
            .with_user(user)
            ._render_qweb_html(REPORT, pack.ids)
        )
        return " ".join(html.decode().split())

    def test_the_pdf_in_english_and_chinese(self):
        """The real PDF (wkhtmltopdf), read back with pdftotext, in English and
        in Chinese; its HTML has the same figures."""
        adjustment = self._posted_year()
        pack = self._pack()
        self.assertEqual(pack.action_print_pdf()["report_name"], REPORT)
        figures = (
            adjustment.name,
            adjustment.account_move_ids.name,
            "Sam Supervisor",
            "Fay Finance",
            "80.0 %",
            "99.2 %",
        )
        html = self._html(pack, self.finance)
        for text in ("Year-End Pack", "Share of items counted", *figures):
            self.assertIn(text, html)
        text = self._pdf_text(pack, self.finance)
        for expected in (
            "Year-End Pack",
            "Share of items counted 80.0 %",
            "Items with stock 5",
            "Items counted 4",
            *figures,
        ):
            self.assertIn(expected, text)
        self.assertNotIn("年终", text)
        text = self._pdf_text(self._pack(lang="zh_CN"), self.finance)
        for expected in (
            "年终盘点资料包",
            "已盘点物品占比 80.0 %",
            "日记账分录",
            "审批人",
            *figures,
        ):
            self.assertIn(expected, text)

    def test_counters_and_supervisors_are_refused(self):
        self._posted_year()
        for user in (self.counter, self.supervisor):
            with self.assertRaises(AccessError):
                self._pack(user=user)
        # The menu is the finance managers'.
        menu = self.env.ref(
            "cycle_count_dashboard_accounting.cycle_count_year_end_pack_menu"
        )
        visible = self.env["ir.ui.menu"].with_user(self.counter)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        visible = self.env["ir.ui.menu"].with_user(self.finance)._visible_menu_ids()
        self.assertIn(menu.id, visible)

    def test_another_company_is_refused_and_nothing_written(self):
        other = self.env["res.company"].create({"name": "Not Theirs"})
        # As a crafted request would: the form's domain is not a check.
        pack = self._pack(user=self.manager, company_id=other.id)
        with self.assertRaises(UserError):
            pack.with_user(self.manager).action_export_xlsx()
        self.assertFalse(pack.file_data)
        with self.assertRaises(UserError):
            pack.with_user(self.manager).action_print_pdf()
