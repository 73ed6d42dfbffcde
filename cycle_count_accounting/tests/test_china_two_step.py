import io
import unicodedata

from PyPDF2 import PdfReader

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.cycle_count_approval.tests.common import reject_with_comment

from .common import CycleCountAccountingCase


class CycleCountChinaCase(CycleCountAccountingCase):
    """A company of its own on Odoo's Chinese large-business chart (l10n_cn:
    190100 待处理财产损溢, 660200, 122100, 671100, 222100), two-step posting on,
    input VAT 13%. Book: apple 10 × 10, bolt 50 × 25, chip 4 × 400, glue 20 × 5."""

    chart_template = "cn_large_bis"
    country_code = "CN"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        defaults = company._cycle_count_default_accounts()
        cls.suspense = defaults["cycle_count_suspense_account_id"]
        cls.management = defaults["cycle_count_normal_loss_account_id"]
        cls.receivable = defaults["cycle_count_liable_account_id"]
        cls.non_operating = defaults["cycle_count_abnormal_loss_account_id"]
        cls.vat_out = defaults["cycle_count_vat_out_account_id"]
        company.write(
            {
                **{name: account.id for name, account in defaults.items()},
                "cycle_count_two_step": True,
                "cycle_count_vat_out_rate": 13.0,
            }
        )
        Reason = cls.env["cycle.count.reason"]
        cls.reason_normal, cls.reason_liable, cls.reason_theft = Reason.create(
            [
                {"name": "Miscount", "code": "CN-N", "cycle_count_decision": "normal"},
                {
                    "name": "Broken by staff",
                    "code": "CN-L",
                    "cycle_count_decision": "liable",
                },
                {"name": "Theft", "code": "CN-T", "cycle_count_decision": "abnormal"},
            ]
        )
        cls.liable_person = cls.env["res.partner"].create({"name": "Wang Wei"})

    def _reason(self, adjustment, product, reason):
        adjustment.line_ids.filtered(lambda line: line.product_id == product).write(
            {"reason_id": reason.id}
        )

    def _on_hand(self, product, location, lot=None):
        return self.env["stock.quant"]._get_available_quantity(
            product, location, lot_id=lot, strict=True, allow_negative=True
        )

    def _assert_all_balanced(self, adjustment):
        self.assertTrue(adjustment.account_move_ids)
        for entry in adjustment.account_move_ids:
            self.assertEqual(entry.state, "posted")
            self.assertAlmostEqual(sum(entry.line_ids.mapped("balance")), 0.0)


@tagged("post_install", "-at_install")
class TestChinaTwoStep(CycleCountChinaCase):
    def test_the_chart_gives_the_accounts(self):
        self.assertEqual(self.suspense.code, "190100")
        self.assertEqual(self.management.code, "660200")
        self.assertEqual(self.receivable.code, "122100")
        self.assertEqual(self.non_operating.code, "671100")
        self.assertEqual(self.vat_out.code, "222100")

    def test_losses_and_a_gain_through_suspense(self):
        """Apple +2 (gain 20), bolt −4 normal (100), chip −1 theft (400, VAT out
        52), glue −2 liable (10): step one on the supervisor's approval, step
        two on finance's; at the end suspense is zero, every entry balanced."""
        task = self._counted_task(apple=12, bolt=46, chip=3, glue=18)
        adjustment = task.adjustment_ids
        self._reason(adjustment, self.product_bolt, self.reason_normal)
        self._reason(adjustment, self.product_chip, self.reason_theft)
        self._reason(adjustment, self.product_lot, self.reason_liable)
        self.assertEqual(len(adjustment.review_ids), 2)

        # Step one: the count is confirmed.
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(adjustment.suspense_state, "in_suspense")
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 46)
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        self.assertEqual(self._balance(self.suspense), 510 - 20)
        self.assertEqual(self._balance(self.management), 0)
        self._assert_all_balanced(adjustment)
        ageing = self.env["cycle.count.suspense.report"].search(
            [("adjustment_id", "=", adjustment.id)]
        )
        self.assertEqual(len(ageing), 1)
        self.assertEqual(ageing.amount, 490)
        self.assertEqual(ageing.age_bucket, "0_7")
        self.assertEqual(ageing.date_since, fields.Date.context_today(adjustment))

        # Step two: finance decides; the liable person named on the loss.
        glue = adjustment.line_ids.filtered(
            lambda line: line.product_id == self.product_lot
        )
        glue.with_user(self.finance).liable_partner_id = self.liable_person
        adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(adjustment.suspense_state, "cleared")
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 46)
        self.assertEqual(self._balance(self.suspense), 0)
        # Normal loss 100 − gain 20 on management expense; theft 400 + VAT 52.
        self.assertEqual(self._balance(self.management), 100 - 20)
        self.assertEqual(self._balance(self.non_operating), 452)
        self.assertEqual(self._balance(self.vat_out), -52)
        receivable = self.env["account.move.line"].search(
            [("account_id", "=", self.receivable.id), ("parent_state", "=", "posted")]
        )
        self.assertEqual(receivable.partner_id, self.liable_person)
        self.assertEqual(sum(receivable.mapped("balance")), 10)
        self._assert_all_balanced(adjustment)
        clearing = adjustment.account_move_ids.filtered(
            lambda entry: entry.cycle_count_entry_kind == "clearing"
        )
        self.assertEqual(len(clearing), 1)
        self.assertEqual(clearing.cycle_count_adjustment_id, adjustment)
        self.assertFalse(
            self.env["cycle.count.suspense.report"].search(
                [("adjustment_id", "=", adjustment.id)]
            )
        )
        # The stock valuation still agrees with the ledger.
        layers = self.env["stock.valuation.layer"].search(
            [("product_id", "in", task.line_ids.product_id.ids)]
        )
        self.assertAlmostEqual(
            sum(layers.mapped("value")), self._balance(self.valuation_account)
        )
        # Both documents, numbered per company and year, on the clearing entry.
        year = fields.Date.context_today(adjustment).year
        self.assertEqual(adjustment.gain_document_number, f"PY{year}-0001")
        self.assertEqual(adjustment.loss_document_number, f"PK{year}-0001")
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", clearing.id)]
        )
        self.assertEqual(
            sorted(attachments.mapped("name")),
            [f"PK{year}-0001.html", f"PY{year}-0001.html"],
        )

    def test_a_gain_alone_clears_to_management_expense(self):
        # No tier for a gain of 20 but the supervisor's: both steps at once.
        task = self._counted_task(apple=12)
        adjustment = task.adjustment_ids
        for user in (self.supervisor, self.finance):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(adjustment.suspense_state, "cleared")
        self.assertEqual(self._balance(self.suspense), 0)
        self.assertEqual(self._balance(self.management), -20)
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        self._assert_all_balanced(adjustment)
        self.assertTrue(adjustment.gain_document_number)
        self.assertFalse(adjustment.loss_document_number)

    def test_a_liable_loss_needs_the_liable_person(self):
        task = self._counted_task(bolt=20, glue=18)
        adjustment = task.adjustment_ids
        self._reason(adjustment, self.product_lot, self.reason_liable)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.suspense_state, "in_suspense")
        with self.assertRaisesRegex(UserError, "liable person"):
            adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(adjustment.suspense_state, "in_suspense")
        self.assertFalse(adjustment.account_move_ids.filtered("cycle_count_entry_kind"))

    def test_rejected_after_step_one_is_reversed(self):
        """Bolt −20 (500): confirmed, then finance rejects: the stock comes back,
        the suspense is zero, the report is rejected and the task recounted."""
        task = self._counted_task(bolt=30)
        adjustment = task.adjustment_ids
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 30)
        self.assertEqual(self._balance(self.suspense), 500)
        reject_with_comment(adjustment, self.finance, "Count the back shelf too")
        self.assertEqual(adjustment.state, "rejected")
        self.assertEqual(adjustment.suspense_state, "reversed")
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 50)
        self.assertEqual(self._balance(self.suspense), 0)
        self.assertEqual(self._balance(self.valuation_account), 100 + 1250 + 1600 + 100)
        self.assertEqual(len(adjustment.move_ids), 2)
        self._assert_all_balanced(adjustment)
        self.assertFalse(adjustment.loss_document_number)
        self.assertFalse(
            self.env["cycle.count.suspense.report"].search(
                [("adjustment_id", "=", adjustment.id)]
            )
        )

    def test_missing_two_step_account_is_refused_before_stock(self):
        self.company.cycle_count_suspense_account_id = False
        task = self._counted_task(bolt=30)
        adjustment = task.adjustment_ids
        with self.assertRaisesRegex(UserError, "Suspense Account"):
            adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 50)
        self.assertFalse(adjustment.move_ids)

    def test_the_ageing_buckets(self):
        task = self._counted_task(bolt=30)
        adjustment = task.adjustment_ids
        adjustment.with_user(self.supervisor).validate_tier()
        Ageing = self.env["cycle.count.suspense.report"].with_user(self.finance)
        for days, bucket in ((3, "0_7"), (20, "8_30"), (60, "31_90"), (120, "over_90")):
            date = fields.Date.subtract(
                fields.Date.context_today(adjustment), days=days
            )
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move_line SET date = %s WHERE move_id IN %s",
                    date,
                    tuple(adjustment.account_move_ids.ids),
                )
            )
            Ageing.invalidate_model()
            row = Ageing.search([("adjustment_id", "=", adjustment.id)])
            self.assertEqual((row.age_days, row.age_bucket), (days, bucket))
            self.assertEqual(row.amount, 500)
        groups = Ageing.read_group(
            [("adjustment_id", "=", adjustment.id)], ["amount:sum"], ["age_bucket"]
        )
        self.assertEqual(groups[0]["age_bucket"], "over_90")

    def test_the_ageing_of_another_company_is_not_shown(self):
        task = self._counted_task(bolt=30)
        task.adjustment_ids.with_user(self.supervisor).validate_tier()
        other = self.env["res.company"].create({"name": "Other CN"})
        self.finance.write({"company_ids": [(4, other.id)], "company_id": other.id})
        Ageing = (
            self.env["cycle.count.suspense.report"]
            .with_user(self.finance)
            .with_context(allowed_company_ids=other.ids)
        )
        self.assertFalse(Ageing.search([]))
        Ageing = Ageing.with_context(allowed_company_ids=self.company.ids)
        self.assertEqual(len(Ageing.search([])), 1)


@tagged("post_install", "-at_install")
class TestChinaDocuments(CycleCountChinaCase):
    def _posted_report(self):
        task = self._counted_task(apple=12, chip=3)
        adjustment = task.adjustment_ids
        self._reason(adjustment, self.product_chip, self.reason_theft)
        for user in (self.supervisor, self.finance):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        return adjustment

    def _render(self, adjustment, kind, lang):
        report = {
            "gain": "cycle_count_accounting.action_report_cycle_count_gain_receipt",
            "loss": "cycle_count_accounting.action_report_cycle_count_loss_report",
        }[kind]
        content, _report_type = (
            self.env["ir.actions.report"]
            .with_context(lang=lang)
            ._render_qweb_pdf(report, adjustment.ids)
        )
        return content.decode()

    def test_the_documents_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["cycle_count_accounting"], ["zh_CN"], overwrite=True
        )
        adjustment = self._posted_report()
        gain = self._render(adjustment, "gain", "zh_CN")
        self.assertIn("盘盈单", gain)
        self.assertIn(adjustment.gain_document_number, gain)
        self.assertIn("Apple Juice", gain)
        self.assertIn("盘点人", gain)
        self.assertNotIn("Chip Set", gain)
        loss = self._render(adjustment, "loss", "zh_CN")
        self.assertIn("盘亏报损单", loss)
        self.assertIn(adjustment.loss_document_number, loss)
        self.assertIn("Chip Set", loss)
        self.assertIn("400.00", loss)
        self.assertIn("671100", loss)
        self.assertIn("Theft", loss)
        self.assertIn(self.supervisor.name, loss)
        self.assertIn(self.counter.name, loss)
        self.assertIn("审批人", loss)

    def test_the_documents_in_english(self):
        adjustment = self._posted_report()
        gain = self._render(adjustment, "gain", "en_US")
        self.assertIn("Inventory Gain Receipt", gain)
        self.assertIn("20.00", gain)
        self.assertIn("660200", gain)
        loss = self._render(adjustment, "loss", "en_US")
        self.assertIn("Inventory Loss Report", loss)
        self.assertIn(adjustment.loss_document_number, loss)

    def _pdf_text(self, adjustment, kind, lang):
        """A real PDF (wkhtmltopdf; tests render HTML unless forced) and the
        text PyPDF2 extracts from it."""
        report = {
            "gain": "cycle_count_accounting.action_report_cycle_count_gain_receipt",
            "loss": "cycle_count_accounting.action_report_cycle_count_loss_report",
        }[kind]
        content, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True, lang=lang)
            ._render_qweb_pdf(report, adjustment.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF"), "a real PDF")
        reader = PdfReader(io.BytesIO(content))
        text = " ".join(page.extract_text() for page in reader.pages)
        # The font maps some ideographs to their Kangxi radicals (⼈ for 人):
        # NFKC gives the characters back; words come apart by tabs and breaks.
        return " ".join(unicodedata.normalize("NFKC", text).split())

    def test_the_documents_as_real_pdfs(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["cycle_count_accounting"], ["zh_CN"], overwrite=True
        )
        adjustment = self._posted_report()
        for lang, gain_title, loss_title in (
            ("zh_CN", "盘盈单", "盘亏报损单"),
            ("en_US", "Inventory Gain Receipt", "Inventory Loss Report"),
        ):
            with self.subTest(lang=lang):
                gain = self._pdf_text(adjustment, "gain", lang)
                self.assertIn(adjustment.gain_document_number, gain)
                self.assertIn(self.product_apple.default_code, gain)
                self.assertIn("20.00", gain)
                self.assertIn(gain_title, gain)
                loss = self._pdf_text(adjustment, "loss", lang)
                self.assertIn(adjustment.loss_document_number, loss)
                self.assertIn(self.product_chip.default_code, loss)
                self.assertIn("400.00", loss)
                self.assertIn("671100", loss)
                self.assertIn(loss_title, loss)
                self.assertIn(self.supervisor.name, loss)
                # The signature boxes carry the Chinese title in both languages.
                self.assertIn("审批人", loss)

    def test_the_numbers_are_per_company(self):
        adjustment = self._posted_report()
        year = fields.Date.context_today(adjustment).year
        self.assertEqual(adjustment.loss_document_number, f"PK{year}-0001")
        sequence = adjustment._get_document_sequence("loss")
        self.assertEqual(sequence.company_id, self.company)
        self.assertTrue(sequence.use_date_range)
        other = self.env["res.company"].create({"name": "Other CN"})
        other_adjustment = self.env["cycle.count.adjustment"].new(
            {"company_id": other.id}
        )
        other_sequence = other_adjustment._get_document_sequence("loss")
        self.assertNotEqual(other_sequence, sequence)
        self.assertEqual(other_sequence.company_id, other)
        self.assertEqual(
            other_sequence.next_by_id(sequence_date=fields.Date.today()),
            f"PK{year}-0001",
        )


@tagged("post_install", "-at_install")
class TestPeriodicBooking(CycleCountChinaCase):
    """Bolt at periodic (manual) valuation, where Odoo posts nothing: the
    company books its variances all the same."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_variation = cls.company._cycle_count_default_accounts().get(
            "cycle_count_stock_variation_account_id"
        ) or cls.env["account.account"].search(
            [("code", "=", "140500"), ("company_ids", "in", cls.company.ids)], limit=1
        )
        cls.periodic = cls.env["product.category"].create(
            {
                "name": "Periodic",
                "property_cost_method": "standard",
                "property_valuation": "manual_periodic",
                "property_stock_journal": cls.stock_journal.id,
            }
        )
        cls.product_bolt.categ_id = cls.periodic
        cls.company.write(
            {
                "cycle_count_two_step": False,
                "cycle_count_periodic_booking": True,
                "cycle_count_stock_variation_account_id": cls.stock_variation.id,
            }
        )

    def test_a_periodic_loss_and_gain_are_booked(self):
        task = self._counted_task(bolt=46, apple=12)
        adjustment = task.adjustment_ids
        for user in (self.supervisor, self.finance):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        periodic = adjustment.account_move_ids.filtered(
            lambda entry: entry.cycle_count_entry_kind == "periodic"
        )
        self.assertEqual(len(periodic), 1)
        self.assertEqual(periodic.cycle_count_adjustment_id, adjustment)
        bolt_lines = periodic.line_ids.filtered(
            lambda line: line.product_id == self.product_bolt
        )
        self.assertEqual(
            {(line.account_id, line.balance) for line in bolt_lines},
            {(self.loss_account, 100.0), (self.stock_variation, -100.0)},
        )
        # The real-time apple is still Odoo's own entry, not booked twice.
        self.assertFalse(
            periodic.line_ids.filtered(
                lambda line: line.product_id == self.product_apple
            )
        )
        self.assertEqual(self._balance(self.gain_account), -20)
        self._assert_all_balanced(adjustment)

    def test_periodic_with_two_step_goes_through_suspense(self):
        self.company.cycle_count_two_step = True
        task = self._counted_task(bolt=30)
        adjustment = task.adjustment_ids
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(self._balance(self.suspense), 500)
        self.assertEqual(self._balance(self.stock_variation), -500)
        adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(self._balance(self.suspense), 0)
        self.assertEqual(self._balance(self.management), 500)
        self._assert_all_balanced(adjustment)

    def test_periodic_rejected_after_step_one(self):
        self.company.cycle_count_two_step = True
        task = self._counted_task(bolt=30)
        adjustment = task.adjustment_ids
        adjustment.with_user(self.supervisor).validate_tier()
        reject_with_comment(adjustment, self.finance, "Recount please")
        self.assertEqual(self._balance(self.suspense), 0)
        self.assertEqual(self._balance(self.stock_variation), 0)
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 50)

    def test_no_stock_variation_account_is_refused(self):
        self.company.cycle_count_stock_variation_account_id = False
        task = self._counted_task(bolt=46)
        adjustment = task.adjustment_ids
        with self.assertRaisesRegex(UserError, "stock variation account"):
            for user in (self.supervisor, self.finance):
                if adjustment.with_user(user).can_review:
                    adjustment.with_user(user).validate_tier()
        self.assertFalse(adjustment.move_ids)
