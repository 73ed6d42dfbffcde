from odoo.tests import HttpCase, tagged

from .common import create_gain_loss_accounts


@tagged("post_install", "-at_install")
class TestAccountsTour(HttpCase):
    def test_administrator_sets_the_gain_and_loss_accounts(self):
        company, gain, loss = create_gain_loss_accounts(self.env, "CCT")
        self.start_tour(
            "/odoo/action-stock.action_stock_config_settings",
            "cycle_count_accounts_tour",
            login="admin",
        )
        self.assertEqual(company.cycle_count_gain_account_id, gain)
        self.assertEqual(company.cycle_count_loss_account_id, loss)
