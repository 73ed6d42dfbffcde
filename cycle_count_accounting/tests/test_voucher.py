from datetime import date, datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import CycleCountAccountingCase


@tagged("post_install", "-at_install")
class TestVoucher(CycleCountAccountingCase):
    """One journal entry per variance report, accounts per reason, analytic,
    entry date and lock dates. Book: apple 10 × 10, bolt 50 × 25, chip 4 × 400,
    glue lot 20 × 5."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        cls.theft_gain = Account.create(
            {"name": "Found goods", "code": "CC6302", "account_type": "income_other"}
        )
        cls.theft_loss = Account.create(
            {"name": "Theft losses", "code": "CC6712", "account_type": "expense"}
        )
        cls.theft = cls.env["cycle.count.reason"].create(
            {"name": "Theft", "code": "THEFT", "company_id": cls.company.id}
        )
        cls.theft.with_company(cls.company).write(
            {
                "cycle_count_gain_account_id": cls.theft_gain.id,
                "cycle_count_loss_account_id": cls.theft_loss.id,
            }
        )

    def _approve(self, adjustment):
        for user in (self.supervisor, self.finance, self.manager):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()

    def _valuation_per_product(self, products):
        layers = self.env["stock.valuation.layer"].search(
            [("product_id", "in", products.ids)]
        )
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", self.valuation_account.id),
                ("parent_state", "=", "posted"),
                ("product_id", "in", products.ids),
            ]
        )
        return {
            product: (
                round(
                    sum(
                        layers.filtered(
                            lambda lay, p=product: lay.product_id == p
                        ).mapped("value")
                    ),
                    2,
                ),
                round(
                    sum(
                        lines.filtered(
                            lambda aml, p=product: aml.product_id == p
                        ).mapped("balance")
                    ),
                    2,
                ),
            )
            for product in products
        }

    def _counted_report(self, **counts):
        return self._counted_task(**counts).adjustment_ids

    # ------------------------------------------------------------------
    # One entry per report
    # ------------------------------------------------------------------
    def test_one_entry_for_a_report_of_several_products_both_ways(self):
        adjustment = self._counted_report(apple=12, bolt=46, chip=3, glue=23)
        self.assertEqual(len(adjustment._get_lines_to_apply()), 4)
        entries_before = self.env["account.move"].search_count([])
        self._approve(adjustment)
        self.assertEqual(adjustment.state, "posted")
        entry = adjustment.account_move_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(self.env["account.move"].search_count([]), entries_before + 1)
        self.assertEqual(entry.ref, adjustment.name)
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.journal_id, self.stock_journal)
        self.assertEqual(entry.cycle_count_adjustment_id, adjustment)
        self.assertAlmostEqual(sum(entry.line_ids.mapped("balance")), 0.0)
        # Each layer of the report's moves is linked to the one entry.
        layers = adjustment.move_ids.stock_valuation_layer_ids
        self.assertEqual(len(layers), 4)
        self.assertEqual(layers.account_move_id, entry)
        # Lines per product and account: 4 valuation lines, 2 gains, 2 losses.
        self.assertEqual(len(entry.line_ids), 8)
        by_account = {
            account: entry.line_ids.filtered(lambda aml, a=account: aml.account_id == a)
            for account in entry.line_ids.account_id
        }
        self.assertEqual(
            set(by_account),
            {self.valuation_account, self.gain_account, self.loss_account},
        )
        self.assertEqual(
            by_account[self.gain_account].product_id,
            self.product_apple | self.product_lot,
        )
        self.assertEqual(sum(by_account[self.gain_account].mapped("balance")), -20 - 15)
        self.assertEqual(sum(by_account[self.loss_account].mapped("balance")), 500)
        # Odoo's stock valuation still agrees with the ledger, product by product.
        products = self.product_apple | self.product_bolt | self.product_chip
        for product, (value, balance) in self._valuation_per_product(
            products | self.product_lot
        ).items():
            self.assertEqual(value, balance, product.display_name)
        # The chatter counts the one entry.
        # (The reviewers' activities note their own messages beside it.)
        self.assertIn(
            "Journal entries posted: 1",
            "".join(adjustment.message_ids.mapped("body")),
        )

    def test_a_report_applied_in_background_chunks_gets_one_entry(self):
        """Chunk size 1: each variance its own background chunk, the entry is
        built once, after the last chunk; in between no layer has an entry."""
        self.env["ir.config_parameter"].set_param(
            "cycle_count_approval.apply_chunk_size", "1"
        )
        adjustment = self._counted_report(apple=12, bolt=46, chip=3)
        self._approve(adjustment)
        self.assertEqual(adjustment.state, "approved")
        self.assertTrue(adjustment.is_applying)
        adjustment._apply_next_chunk()
        self.assertEqual(len(adjustment.move_ids), 1)
        self.assertFalse(adjustment.move_ids.stock_valuation_layer_ids.account_move_id)
        self.assertFalse(adjustment.account_move_ids)
        self.env["cycle.count.adjustment"]._cron_apply_to_stock()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(len(adjustment.move_ids), 3)
        entry = adjustment.account_move_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(
            adjustment.move_ids.stock_valuation_layer_ids.account_move_id, entry
        )
        self.assertEqual(self._balance(self.loss_account), 500)
        self.assertEqual(self._balance(self.gain_account), -20)

    # ------------------------------------------------------------------
    # Accounts: reason → company → inventory-loss location → refusal
    # ------------------------------------------------------------------
    def test_the_reason_s_accounts_come_first(self):
        adjustment = self._counted_report(apple=12, bolt=46, chip=3)
        theft_lines = adjustment.line_ids.filtered(
            lambda line: line.product_id in (self.product_apple | self.product_bolt)
        )
        theft_lines.reason_id = self.theft
        gain_line = theft_lines.filtered(lambda line: line.difference_qty > 0)
        loss_line = theft_lines - gain_line
        self.assertEqual(gain_line._get_variance_account(), self.theft_gain)
        self.assertEqual(loss_line._get_variance_account(), self.theft_loss)
        self._approve(adjustment)
        self.assertEqual(self._balance(self.theft_gain), -20)
        self.assertEqual(self._balance(self.theft_loss), 100)
        # The chip has no reason: the company's loss account.
        self.assertEqual(self._balance(self.loss_account), 400)
        self.assertEqual(self._balance(self.gain_account), 0)
        self.assertEqual(len(adjustment.account_move_ids), 1)

    def test_the_reason_s_accounts_are_per_company(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.assertFalse(
            self.theft.sudo().with_company(other).cycle_count_loss_account_id
        )
        self.assertEqual(
            self.theft.with_company(self.company).cycle_count_loss_account_id,
            self.theft_loss,
        )

    def test_the_inventory_loss_location_s_accounts_come_last(self):
        location = self.product_apple.with_company(
            self.company
        ).property_stock_inventory
        Account = self.env["account.account"]
        location_in = Account.create(
            {"name": "Location losses", "code": "CC6713", "account_type": "expense"}
        )
        location_out = Account.create(
            {
                "name": "Location gains",
                "code": "CC6303",
                "account_type": "income_other",
            }
        )
        location.write(
            {
                "valuation_in_account_id": location_in.id,
                "valuation_out_account_id": location_out.id,
            }
        )
        self.company.write(
            {
                "cycle_count_gain_account_id": False,
                "cycle_count_loss_account_id": False,
            }
        )
        adjustment = self._counted_report(apple=12, bolt=46)
        interim = self._balance(self.interim_in), self._balance(self.interim_out)
        self._approve(adjustment)
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(self._balance(location_out), -20)
        self.assertEqual(self._balance(location_in), 100)
        # Never the interim accounts.
        self.assertEqual(
            (self._balance(self.interim_in), self._balance(self.interim_out)), interim
        )

    def test_no_account_anywhere_is_refused_and_nothing_is_written(self):
        self.company.cycle_count_loss_account_id = False
        adjustment = self._counted_report(apple=12, bolt=46)
        # The gain has the company's account, the loss none.
        loss = adjustment.line_ids.filtered(
            lambda line: line.product_id == self.product_bolt
        )
        self.assertFalse(loss._get_variance_account())
        moves_before = self.env["stock.move"].search_count([])
        entries_before = self.env["account.move"].search_count([])
        with self.assertRaises(UserError) as caught:
            self._approve(adjustment)
        message = str(caught.exception)
        self.assertIn("no loss account", message)
        self.assertIn(self.product_bolt.display_name, message)
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(self.env["stock.move"].search_count([]), moves_before)
        self.assertEqual(self.env["account.move"].search_count([]), entries_before)
        # The reason's account is enough.
        loss.reason_id = self.theft
        self._approve(adjustment)
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(self._balance(self.theft_loss), 100)

    def test_readiness_check_knows_the_location_fallback(self):
        Readiness = self.env["cycle.count.readiness"].with_company(self.company)
        check = next(
            check
            for check in Readiness._get_readiness_checks(self.company)
            if check["code"] == "gain_loss_accounts"
        )
        self.assertFalse(self.env["res.company"].search(check["domain"]))
        self.company.cycle_count_loss_account_id = False
        check = next(
            check
            for check in Readiness._get_readiness_checks(self.company)
            if check["code"] == "gain_loss_accounts"
        )
        self.assertEqual(self.env["res.company"].search(check["domain"]), self.company)
        Account = self.env["account.account"]
        account = Account.create(
            {"name": "Location", "code": "CC6714", "account_type": "expense"}
        )
        self.env["stock.location"].search(
            [
                ("usage", "=", "inventory"),
                ("scrap_location", "=", False),
                ("company_id", "in", [self.company.id, False]),
            ]
        ).write(
            {
                "valuation_in_account_id": account.id,
                "valuation_out_account_id": account.id,
            }
        )
        check = next(
            check
            for check in Readiness._get_readiness_checks(self.company)
            if check["code"] == "gain_loss_accounts"
        )
        self.assertFalse(self.env["res.company"].search(check["domain"]))

    # ------------------------------------------------------------------
    # Analytic
    # ------------------------------------------------------------------
    def test_analytic_of_warehouse_and_reason_on_the_variance_lines(self):
        Plan = self.env["account.analytic.plan"]
        Analytic = self.env["account.analytic.account"]
        sites = Plan.create({"name": "Sites"})
        causes = Plan.create({"name": "Causes"})
        site = Analytic.create({"name": "Main site", "plan_id": sites.id})
        site_b = Analytic.create({"name": "Second site", "plan_id": sites.id})
        theft = Analytic.create({"name": "Theft cases", "plan_id": causes.id})
        self.warehouse.cycle_count_analytic_distribution = {
            str(site.id): 60.0,
            str(site_b.id): 40.0,
        }
        self.theft.with_company(self.company).cycle_count_analytic_account_id = theft
        adjustment = self._counted_report(apple=12, bolt=46)
        adjustment.line_ids.filtered(
            lambda line: line.product_id == self.product_bolt
        ).reason_id = self.theft
        self._approve(adjustment)
        entry = adjustment.account_move_ids
        valuation = entry.line_ids.filtered(
            lambda aml: aml.account_id == self.valuation_account
        )
        self.assertFalse(any(valuation.mapped("analytic_distribution")))
        gain = entry.line_ids.filtered(lambda aml: aml.account_id == self.gain_account)
        self.assertEqual(
            gain.analytic_distribution, {str(site.id): 60.0, str(site_b.id): 40.0}
        )
        # The theft reason's own loss account, with its analytic account.
        loss = entry.line_ids.filtered(lambda aml: aml.account_id == self.theft_loss)
        self.assertEqual(
            loss.analytic_distribution,
            {f"{site.id},{theft.id}": 60.0, f"{site_b.id},{theft.id}": 40.0},
        )
        # The analytic lines follow: 100 of loss, 60 / 40 per site, all on theft.
        analytic_lines = loss.analytic_line_ids
        self.assertEqual(sum(analytic_lines.mapped("amount")), -100)

    def test_a_reason_s_analytic_account_of_the_warehouse_s_plan_replaces_it(self):
        Plan = self.env["account.analytic.plan"]
        Analytic = self.env["account.analytic.account"]
        sites = Plan.create({"name": "Sites"})
        site = Analytic.create({"name": "Main site", "plan_id": sites.id})
        other = Analytic.create({"name": "Quarantine", "plan_id": sites.id})
        self.warehouse.cycle_count_analytic_distribution = {str(site.id): 100.0}
        self.theft.with_company(self.company).cycle_count_analytic_account_id = other
        adjustment = self._counted_report(bolt=46)
        adjustment.line_ids.filtered("difference_qty").reason_id = self.theft
        self.assertEqual(
            adjustment.line_ids.filtered(
                "difference_qty"
            )._get_variance_analytic_distribution(),
            {str(other.id): 100.0},
        )

    # ------------------------------------------------------------------
    # Entry date and lock dates
    # ------------------------------------------------------------------
    def _backdate_count(self, adjustment, moment):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cycle_count_task SET date_counted = %s WHERE id = %s",
            [moment, adjustment.task_id.id],
        )
        self.env.invalidate_all()

    def test_entry_date_is_the_approval_date_by_default(self):
        adjustment = self._counted_report(apple=12)
        self._backdate_count(adjustment, datetime(2026, 3, 10, 9))
        self.assertEqual(self.company.cycle_count_entry_date, "approval")
        self._approve(adjustment)
        today = fields.Date.context_today(adjustment)
        self.assertEqual(adjustment.account_move_ids.date, today)
        self.assertEqual(adjustment.move_ids.date.date(), today)

    def test_entry_date_can_be_the_count_date(self):
        self.company.cycle_count_entry_date = "count"
        adjustment = self._counted_report(apple=12, bolt=46)
        self._backdate_count(adjustment, datetime(2026, 3, 10, 9))
        self._approve(adjustment)
        self.assertEqual(adjustment.account_move_ids.date, date(2026, 3, 10))
        for move in adjustment.move_ids:
            self.assertEqual(move.date.date(), date(2026, 3, 10))
            self.assertEqual(move.move_line_ids.date.date(), date(2026, 3, 10))

    def test_a_locked_count_date_is_refused_and_nothing_is_written(self):
        self.company.cycle_count_entry_date = "count"
        adjustment = self._counted_report(apple=12)
        self._backdate_count(adjustment, datetime(2026, 3, 10, 9))
        self.company.fiscalyear_lock_date = date(2026, 3, 31)
        self.assertEqual(self.company.cycle_count_lock_date_policy, "refuse")
        moves_before = self.env["stock.move"].search_count([])
        with self.assertRaises(UserError) as caught:
            self._approve(adjustment)
        self.assertIn("locked", str(caught.exception))
        self.assertIn("2026-03-10", str(caught.exception))
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(self.env["stock.move"].search_count([]), moves_before)
        self.assertFalse(adjustment.account_move_ids)

    def test_a_locked_count_date_moves_to_the_first_open_date_with_a_note(self):
        self.company.write(
            {
                "cycle_count_entry_date": "count",
                "cycle_count_lock_date_policy": "next_open",
            }
        )
        adjustment = self._counted_report(apple=12)
        self._backdate_count(adjustment, datetime(2026, 3, 10, 9))
        self.company.fiscalyear_lock_date = date(2026, 3, 31)
        self._approve(adjustment)
        self.assertEqual(adjustment.state, "posted")
        entry = adjustment.account_move_ids
        self.assertEqual(entry.date, date(2026, 4, 1))
        self.assertEqual(adjustment.move_ids.date.date(), date(2026, 4, 1))
        note = next(
            body
            for body in adjustment.message_ids.mapped("body")
            if "Journal entries posted" in body
        )
        self.assertIn("2026-03-10", note)
        self.assertIn("2026-04-01", note)

    def test_the_approval_date_inside_a_lock_date_is_refused_too(self):
        """A hard lock on today's date: the approval date itself is locked."""
        adjustment = self._counted_report(apple=12)
        self.company.fiscalyear_lock_date = fields.Date.context_today(
            adjustment
        ) + timedelta(days=1)
        with self.assertRaises(UserError):
            self._approve(adjustment)
        self.assertFalse(adjustment.move_ids)

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------
    def test_finance_sets_the_reason_accounts_and_the_policies(self):
        settings = Form(
            self.env["cycle.count.account.settings"].with_user(self.finance)
        )
        self.assertEqual(settings.cycle_count_entry_date, "approval")
        settings.cycle_count_entry_date = "count"
        settings.cycle_count_lock_date_policy = "next_open"
        index = next(
            i
            for i in range(len(settings.reason_line_ids))
            if settings.reason_line_ids.edit(i).reason_id == self.theft
        )
        with settings.reason_line_ids.edit(index) as line:
            self.assertEqual(line.loss_account_id, self.theft_loss)
            line.loss_account_id = self.loss_account
        record = settings.save()
        record.with_user(self.finance).action_save()
        self.assertEqual(self.company.cycle_count_entry_date, "count")
        self.assertEqual(self.company.cycle_count_lock_date_policy, "next_open")
        self.assertEqual(
            self.theft.with_company(self.company).cycle_count_loss_account_id,
            self.loss_account,
        )
        self.assertEqual(
            self.theft.with_company(self.company).cycle_count_gain_account_id,
            self.theft_gain,
        )

    def test_the_automatic_valuation_option_is_there_for_an_admin(self):
        """OCA stock_account_show_automatic_valuation: the Community settings
        show, and let an administrator set, automatic stock accounting."""
        admin = new_test_user(
            self.env,
            login="cc_inventory_admin",
            groups="base.group_system,stock.group_stock_manager",
            company_id=self.company.id,
        )
        Settings = self.env["res.config.settings"].with_user(admin)
        arch = Settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="group_stock_accounting_automatic"', arch)
        group = "stock_account.group_stock_accounting_automatic"
        for value in (False, True):
            form = Form(Settings)
            form.group_stock_accounting_automatic = value
            form.save().execute()
            self.assertEqual(admin.has_group(group), value)
