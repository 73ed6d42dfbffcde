from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestInboxTours(CycleCountTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def test_delegation_screen(self):
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_approval_delegation_action",
            "cycle_count_delegation_tour",
            login="cc_supervisor",
        )
        delegation = self.env["cycle.count.approval.delegation"].search(
            [("user_id", "=", self.supervisor.id)]
        )
        self.assertEqual(delegation.delegate_id, self.finance)
        self.assertEqual(str(delegation.date_to), "2030-12-31")
        self.assertTrue(delegation.is_current)

    def test_durations_report(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_approval_duration_action",
            "cycle_count_durations_tour",
            login="cc_supervisor",
        )
