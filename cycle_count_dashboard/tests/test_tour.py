from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestAccuracyTour(CycleCountTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def test_supervisor_reads_accuracy(self):
        # Two of four lines without difference: 50 %.
        self._counted_task(apple=12, bolt=46)
        self.start_tour(
            "/odoo/action-cycle_count_dashboard.cycle_count_accuracy_report_action",
            "cycle_count_accuracy_tour",
            login="cc_supervisor",
        )
