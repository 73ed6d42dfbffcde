from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import create_gain_loss_accounts

FINANCE = "cycle_count_planning.group_cycle_count_finance"


@tagged("post_install", "-at_install")
class TestFinanceAccountsTour(HttpCase):
    def test_finance_sets_the_gain_and_loss_accounts(self):
        company, gain, loss = create_gain_loss_accounts(self.env, "CCF")
        # A finance manager and nothing else: no administrator right.
        finance = new_test_user(
            self.env,
            login="cc_finance_tour",
            groups=FINANCE,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        self.assertFalse(finance.has_group("base.group_system"))
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_action",
            "cycle_count_finance_accounts_tour",
            login="cc_finance_tour",
        )
        self.assertEqual(company.cycle_count_gain_account_id, gain)
        self.assertEqual(company.cycle_count_loss_account_id, loss)
