from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase


@tagged("post_install", "-at_install")
class TestAccuracy(CycleCountCase):
    """Book: apple 10 × 10, bolt 50 × 25, chip 4 × 400, glue lot 20 × 5."""

    def _figures(self, groupby):
        return {
            group: (accuracy, value_accuracy, lines)
            for group, accuracy, value_accuracy, lines in self.env[
                "cycle.count.accuracy.report"
            ]._read_group(
                [("warehouse_id", "=", self.warehouse.id)],
                [groupby],
                ["accuracy:avg", "value_accuracy:avg", "line_count:sum"],
            )
        }

    def test_accuracy_by_count_and_by_value(self):
        # Apple +2 (weight 12 × 10 = 120), bolt -4 (weight 50 × 25 = 1 250),
        # chip and glue exact (1 600 and 100).
        task = self._counted_task(apple=12, bolt=46, chip=4, glue=20)
        self.assertEqual(task.accuracy, 50.0)
        self.assertAlmostEqual(task.value_accuracy, 100 * 1700 / 3070, delta=0.05)
        figures = self._figures("task_id")
        self.assertEqual(figures[task][2], 4)
        self.assertAlmostEqual(figures[task][1], 100 * 1700 / 3070, places=6)

    def test_warehouse_accuracy_is_a_ratio_of_all_its_lines(self):
        first = self._counted_task(apple=12, bolt=46, chip=4, glue=20)
        # The dashboard knows only planning: a downstream addon may hold the
        # counted task for its own work (approval's review); close it the way
        # planning does, its differences left out of the books, so that its
        # items can be planned again against the same book quantities.
        if first.state == "counted":
            first._action_done()
        self.assertEqual(first.state, "done")
        # The next count of the same items: all as the books say but the chip
        # (-1 of 4).
        first.line_ids.task_id.sudo().write({"scheduled_date": "2020-01-01"})
        second = self.env["cycle.count.planner"]._plan(
            self._create_rule(frequency_days=1), today="2099-01-01"
        )
        self._count_stock(second, chip=3)
        second.with_user(self.counter).action_mark_counted()
        accuracy, value_accuracy, lines = self._figures("warehouse_id")[self.warehouse]
        self.assertEqual(lines, 8)
        self.assertAlmostEqual(accuracy, 100 * 5 / 8)
        # Weights: first 120 + 1 250 + 1 600 + 100; second 100 + 1 250 + 1 600 + 100.
        hit_value = 1600 + 100 + 100 + 1250 + 100
        total_value = 3070 + 3050
        self.assertAlmostEqual(value_accuracy, 100 * hit_value / total_value, places=6)

    def test_stock_found_in_an_empty_bin_is_not_accurate(self):
        task = self._plan(self._create_rule())
        empty = self.env["cycle.count.line"].create(
            {
                "task_id": task.id,
                "location_id": self.bin_b.id,
                "product_id": self.product_apple.id,
            }
        )
        self._count_stock(task)
        empty.with_user(self.counter).counted_qty = 5
        task.with_user(self.counter).action_mark_counted()
        self.assertEqual(task.accuracy, 80.0)
        # The surplus weighs what was found: 5 × 10 out of 50 + 3 050.
        self.assertAlmostEqual(task.value_accuracy, 100 * 3050 / 3100, delta=0.05)

    def test_counters_do_not_read_accuracy(self):
        self._counted_task(apple=10, bolt=50, chip=4, glue=20)
        with self.assertRaises(AccessError):
            self.env["cycle.count.accuracy.report"].with_user(self.counter).search([])
        report = self.env["cycle.count.accuracy.report"].with_user(self.supervisor)
        self.assertEqual(
            report.search_count([("warehouse_id", "=", self.warehouse.id)]), 4
        )

    def test_counts_fall_on_the_counter_s_calendar_day(self):
        self.counter.tz = "Asia/Shanghai"
        task = self._counted_task()
        # 23:30 UTC is 07:30 the next morning in Shanghai.
        task.line_ids.sudo().write({"counted_at": "2026-03-01 23:30:00"})
        dates = (
            self.env["cycle.count.accuracy.report"]
            .search([("task_id", "=", task.id)])
            .mapped("date")
        )
        self.assertEqual({str(date) for date in dates}, {"2026-03-02"})
