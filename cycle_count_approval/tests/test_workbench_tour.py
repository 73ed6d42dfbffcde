from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin

from .common import counted_report, use_periodic_category


@tagged("post_install", "-at_install")
class TestWorkbenchTour(CycleCountTestMixin, HttpCase):
    browser_size = "1440x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        use_periodic_category(cls)
        cls.env["cycle.count.reason"].create({"name": "Damaged in bin"})

    def test_difference_analysis_on_a_desktop(self):
        self.company.cycle_count_reason_required_above = 100
        # -1 chip (-400, needs a reason) and -1 apple (-10).
        chip = counted_report(self, {self.product_chip: 3})
        apple = counted_report(self, {self.product_apple: 9})
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_adjustment_line_action_workbench",
            "cycle_count_workbench_tour",
            login="cc_supervisor",
        )
        self.assertEqual(chip.line_ids.reason_id.name, "Damaged in bin")
        self.assertEqual(chip.state, "posted")
        self.assertEqual(apple.state, "posted")
