from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin


class VarianceTourMixin(CycleCountTestMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def _report(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(adjustment.task_id.state, "counted")
        return adjustment


@tagged("post_install", "-at_install")
class TestVarianceDesktopTour(VarianceTourMixin, HttpCase):
    def test_variance_reports_without_new_on_a_desktop(self):
        self._report()
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_task_action",
            "cycle_count_all_tasks_counted_tour",
            login="cc_supervisor",
        )
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_action",
            "cycle_count_variance_desktop_tour",
            login="cc_supervisor",
        )


@tagged("post_install", "-at_install")
class TestVariancePhoneTour(VarianceTourMixin, HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_variance_reports_as_cards_on_a_phone(self):
        report = self._report()
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_action",
            "cycle_count_variance_phone_tour",
            login="cc_supervisor",
        )
        # Approved by the phone's own button, and so applied.
        report.invalidate_recordset()
        self.assertEqual(report.state, "posted")
        self.assertIn(self.supervisor, report.review_ids.mapped("done_by"))
