from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestAccountsTour(HttpCase):
    def test_administrator_sets_the_gain_and_loss_accounts(self):
        company = self.env.ref("base.main_company")
        if not self.env["account.account"].search_count(
            self.env["account.account"]._check_company_domain(company), limit=1
        ):
            self.env["account.chart.template"].try_loading(
                "generic_coa", company=company, install_demo=False
            )
        Account = self.env["account.account"].with_company(company)
        gain = Account.create(
            {
                "name": "Inventory Gains",
                "code": "CCT6301",
                "account_type": "income_other",
            }
        )
        loss = Account.create(
            {"name": "Inventory Losses", "code": "CCT6711", "account_type": "expense"}
        )
        self.start_tour(
            "/odoo/action-stock.action_stock_config_settings",
            "cycle_count_accounts_tour",
            login="admin",
        )
        self.assertEqual(company.cycle_count_gain_account_id, gain)
        self.assertEqual(company.cycle_count_loss_account_id, loss)
