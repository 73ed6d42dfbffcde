from odoo.tests import HttpCase, tagged

from .test_china_two_step import CycleCountChinaCase


@tagged("post_install", "-at_install")
class TestTwoStepTour(CycleCountChinaCase, HttpCase):
    def test_finance_turns_on_two_step_and_reads_the_ageing(self):
        task = self._counted_task(bolt=30)
        task.adjustment_ids.with_user(self.supervisor).validate_tier()
        self.assertEqual(task.adjustment_ids.suspense_state, "in_suspense")
        # Off again, its suspense account forgotten: the form finds the chart's.
        self.company.write(
            {"cycle_count_two_step": False, "cycle_count_suspense_account_id": False}
        )
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_action",
            "cycle_count_two_step_tour",
            login=self.finance.login,
        )
        self.assertTrue(self.company.cycle_count_two_step)
        self.assertEqual(self.company.cycle_count_suspense_account_id, self.suspense)
        self.assertEqual(self.company.cycle_count_vat_out_rate, 9.0)
