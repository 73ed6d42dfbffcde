from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestApprovalTour(CycleCountTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def test_supervisor_approves_in_the_backend(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        self.assertEqual(adjustment.state, "to_approve")
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_action_to_approve",
            "cycle_count_approval_tour",
            login="cc_supervisor",
        )
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(adjustment.review_ids.done_by, self.supervisor)
