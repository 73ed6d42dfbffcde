from odoo.tests import HttpCase, tagged

from .common import ApprovalApiMixin


class ApprovalTourMixin(ApprovalApiMixin):
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_approvals()
        # -1 apple (-10) and -2 bolts (-50): the supervisor's tier only.
        cls.apple_report = cls._report({(cls.bin_a, cls.product_apple): 9})
        cls.bolt_report = cls._report({(cls.bin_a, cls.product_bolt): 48})

    def _approve_one_reject_the_other(self):
        self.start_tour(
            "/cycle_count/app",
            "cycle_count_mobile_approval_tour",
            login="cc_supervisor",
        )
        self.assertEqual(self.apple_report.state, "posted")
        self.assertEqual(self.apple_report.review_ids.done_by, self.supervisor)
        self.assertEqual(self.bolt_report.state, "rejected")
        self.assertEqual(
            self.bolt_report.review_ids.comment, "Count the second pallet too"
        )
        self.assertIn(
            "Count the second pallet too", self.bolt_report.task_id.recount_reason
        )


@tagged("post_install", "-at_install")
class TestApprovalTourPhone(ApprovalTourMixin, HttpCase):
    browser_size = "390x844"

    def test_approve_and_reject_on_a_phone(self):
        self._approve_one_reject_the_other()

    def test_a_counter_sees_no_approvals(self):
        self.start_tour(
            "/cycle_count/app",
            "cycle_count_mobile_approval_counter_tour",
            login="cc_counter",
        )


@tagged("post_install", "-at_install")
class TestApprovalTourPda(ApprovalTourMixin, HttpCase):
    browser_size = "480x800"

    def test_approve_and_reject_on_a_pda(self):
        self._approve_one_reject_the_other()
