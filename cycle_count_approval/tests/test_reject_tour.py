from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestRejectTour(CycleCountTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def test_supervisor_rejects_with_a_comment(self):
        task = self._counted_task(apple=9)
        adjustment = task.adjustment_ids
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_action_to_approve",
            "cycle_count_approval_reject_tour",
            login="cc_supervisor",
        )
        self.assertEqual(adjustment.state, "rejected")
        self.assertEqual(
            adjustment.review_ids.comment, "The apples are behind the boxes"
        )
        self.assertEqual(adjustment.review_ids.done_by, self.supervisor)
        self.assertEqual(task.state, "in_progress")
        self.assertTrue(task.is_recount)
        self.assertEqual(task.recount_reason, "The apples are behind the boxes")
