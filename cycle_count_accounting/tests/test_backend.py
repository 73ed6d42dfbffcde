from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CycleCountAccountingCase


@tagged("post_install", "-at_install")
class TestFinanceSettingsAndReadiness(CycleCountAccountingCase):
    def test_finance_sets_the_gain_and_loss_accounts(self):
        Account = self.env["account.account"]
        gain = Account.create(
            {"name": "Gains 2", "code": "CC6302", "account_type": "income_other"}
        )
        loss = Account.create(
            {"name": "Losses 2", "code": "CC6712", "account_type": "expense"}
        )
        Settings = self.env["cycle.count.account.settings"].with_user(self.finance)
        action = Settings.action_open()
        form = Settings.browse(action["res_id"])
        # Opened with the company's accounts.
        self.assertEqual(form.cycle_count_gain_account_id, self.gain_account)
        form.write(
            {
                "cycle_count_gain_account_id": gain.id,
                "cycle_count_loss_account_id": loss.id,
            }
        )
        form.action_save()
        self.assertEqual(self.company.cycle_count_gain_account_id, gain)
        self.assertEqual(self.company.cycle_count_loss_account_id, loss)

    def test_others_may_not(self):
        for user in (self.counter, self.supervisor):
            with self.assertRaises(AccessError):
                self.env["cycle.count.account.settings"].with_user(user).create({})
        self.assertEqual(self.company.cycle_count_gain_account_id, self.gain_account)

    def _found(self, code):
        check = next(
            c
            for c in self.env["cycle.count.readiness"]
            .with_user(self.manager)
            ._get_readiness_checks(self.company)
            if c["code"] == code
        )
        return self.env[check["model"]].search(check["domain"])

    def test_real_time_categories_without_accounts(self):
        # As with a chart that sets no stock accounts (the Chinese ones): no
        # company default for the category accounts.
        self.env["ir.default"].search(
            [
                ("field_id.model", "=", "product.category"),
                (
                    "field_id.name",
                    "in",
                    [
                        "property_stock_valuation_account_id",
                        "property_stock_account_input_categ_id",
                        "property_stock_account_output_categ_id",
                    ],
                ),
            ]
        ).unlink()
        self.env.registry.clear_cache()
        # Odoo refuses a real-time category without accounts when it is written;
        # a company default makes every category without its own valuation real
        # time, unchecked.
        bare = self.env["product.category"].create({"name": "No accounts"})
        self.env["ir.default"].set(
            "product.category",
            "property_valuation",
            "real_time",
            company_id=self.company.id,
        )
        periodic = self.env["product.category"].create(
            {"name": "Periodic", "property_valuation": "manual_periodic"}
        )
        found = self._found("category_accounts")
        self.assertIn(bare, found)
        self.assertNotIn(periodic, found)
        self.assertNotIn(self.category, found)

    def test_gain_and_loss_accounts(self):
        self.assertFalse(self._found("gain_loss_accounts"))
        self.company.cycle_count_loss_account_id = False
        self.assertEqual(self._found("gain_loss_accounts"), self.company)
        action = (
            self.env["cycle.count.readiness"].with_user(self.manager).action_check()
        )
        row = (
            self.env["cycle.count.readiness"]
            .search(action["domain"])
            .filtered(lambda r: r.code == "gain_loss_accounts")
        )
        self.assertEqual(row.record_count, 1)
        fix = row.action_open_records()
        self.assertEqual(fix["res_model"], "cycle.count.account.settings")
        self.assertEqual(fix["target"], "new")
