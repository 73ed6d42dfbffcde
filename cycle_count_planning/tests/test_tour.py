from odoo.tests import HttpCase, tagged

from .common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestCountingTour(CycleCountTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        rule = cls._create_rule(
            product_domain="[('default_code', 'in', ['CC-APL', 'CC-BLT'])]"
        )
        cls.task = cls.env["cycle.count.planner"]._plan(rule)

    def test_counter_counts_a_task_in_the_backend(self):
        self.assertEqual(
            self.task.line_ids.product_id, self.product_apple | self.product_bolt
        )
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_task_action_my",
            "cycle_count_counting_tour",
            login="cc_counter",
        )
        self.assertEqual(self.task.state, "counted")
        counted = {line.product_id: line.counted_qty for line in self.task.line_ids}
        self.assertEqual(counted, {self.product_apple: 8, self.product_bolt: 50})
        apple = self.task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        self.assertEqual(apple.difference_qty, -2)
        self.assertEqual(apple.counter_id, self.counter)
