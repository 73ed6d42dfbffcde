from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import create_gain_loss_accounts

FINANCE = "cycle_count_planning.group_cycle_count_finance"


@tagged("post_install", "-at_install")
class TestReasonAccountsTour(HttpCase):
    def test_finance_sets_a_reason_s_loss_account(self):
        company, _gain, _loss = create_gain_loss_accounts(self.env, "CCR")
        theft_loss = (
            self.env["account.account"]
            .with_company(company)
            .create(
                {"name": "Theft Losses", "code": "CCR6712", "account_type": "expense"}
            )
        )
        reason = self.env["cycle.count.reason"].create(
            {"name": "Tour theft", "code": "TTHEFT", "company_id": company.id}
        )
        finance = new_test_user(
            self.env,
            login="cc_finance_reason_tour",
            groups=FINANCE,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        self.assertFalse(
            finance.has_group("cycle_count_planning.group_cycle_count_manager")
        )
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_action",
            "cycle_count_reason_accounts_tour",
            login="cc_finance_reason_tour",
        )
        self.assertEqual(
            reason.with_company(company).cycle_count_loss_account_id, theft_loss
        )
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_reason_action",
            "cycle_count_reason_accounts_list_tour",
            login="cc_finance_reason_tour",
        )
