from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError

from .common import CycleCountCase

START = date(2026, 3, 2)


class TestAdaptiveFrequency(CycleCountCase):
    """Every 15 days, adapting between 7 and 30 days on the last 3 counts."""

    def _adaptive_rule(self, **values):
        return self._create_rule(
            frequency_days=15,
            adaptive_frequency=True,
            interval_min_days=7,
            interval_max_days=30,
            adaptive_window=3,
            **values,
        )

    def _count_on(self, rule, day, **counts):
        """On ``day``: plan, count the planned lines (the books unless
        ``counts`` say otherwise), close the task; return its lines."""
        with freeze_time(f"{day} 09:00:00"):
            task = self._plan(rule, today=day)
            self.assertTrue(task, f"nothing planned on {day}")
            books = {"apple": 10, "bolt": 50, "chip": 4, "glue": 20}
            names = {
                self.product_apple: "apple",
                self.product_bolt: "bolt",
                self.product_chip: "chip",
                self.product_lot: "glue",
            }
            for line in task.with_user(task.user_id).line_ids:
                name = names[line.product_id]
                line.counted_qty = counts.get(name, books[name])
            task.with_user(task.user_id).action_mark_counted()
            if task.state == "counted":
                task._action_done()
        return task.line_ids

    def _intervals(self, rule, day):
        return {
            item["product_id"]: item["frequency"]
            for item in self.env["cycle.count.planner"]._due_items(
                rule, day + timedelta(days=365)
            )
        }

    def test_not_adaptive_keeps_the_interval(self):
        rule = self._create_rule(frequency_days=15)
        self.assertEqual((rule.interval_min_days, rule.interval_max_days), (15, 15))
        self._count_on(rule, START, apple=12)
        self.assertEqual(set(self._intervals(rule, START).values()), {15})
        lines = self._count_on(rule, START + timedelta(days=15))
        self.assertEqual(set(lines.mapped("planned_interval")), {15})
        self.assertFalse(any(lines.mapped("interval_reason")))

    def test_misses_shorten_and_hits_relax(self):
        rule = self._adaptive_rule()
        first = self._count_on(rule, START, apple=12)
        # No history when planned: the rule's interval, nothing to explain.
        self.assertEqual(set(first.mapped("planned_interval")), {15})
        self.assertFalse(any(first.mapped("interval_reason")))
        intervals = self._intervals(rule, START)
        # Apple missed once out of 3 looked at: 15 × (1 − 1/3) = 10.
        self.assertEqual(intervals[self.product_apple.id], 10)
        # Bolt hit once: 15 + (30 − 15) × 1/3 = 20.
        self.assertEqual(intervals[self.product_bolt.id], 20)
        # Apple is due on day 10, not before; bolt on day 20.
        self.assertFalse(self._plan(rule, today=START + timedelta(days=9)))
        apple = self._count_on(rule, START + timedelta(days=10), apple=9)
        self.assertEqual(apple.product_id, self.product_apple)
        self.assertEqual(apple.planned_interval, 10)
        self.assertEqual(apple.plan_frequency_days, 15)
        self.assertEqual(
            apple.interval_reason,
            "Every 10 days instead of 15: 1 miss(es) in the last 1 count(s).",
        )
        self.assertIn(apple.interval_reason, apple.sudo().plan_explain)
        # Two misses in the last 3 (well, 2) counts: 15 × (1 − 2/3) = 5 → 7.
        self.assertEqual(self._intervals(rule, START)[self.product_apple.id], 7)

    def test_bounds_hold(self):
        rule = self._adaptive_rule()
        day = START
        for _i in range(3):
            lines = self._count_on(rule, day, apple=11)
            day += timedelta(days=35)
        intervals = self._intervals(rule, day)
        # Three misses of three: 15 × 0 = 0, held at the minimum 7.
        self.assertEqual(intervals[self.product_apple.id], 7)
        # Three hits of three: the maximum, never beyond.
        self.assertEqual(intervals[self.product_bolt.id], 30)
        # Planned after two hits: 15 + (30 − 15) × 2/3 = 25.
        self.assertEqual(
            lines.filtered(
                lambda line: line.product_id == self.product_bolt
            ).interval_reason,
            "Every 25 days instead of 15: no miss in the last 2 count(s).",
        )
        # A hit after the misses: 2 misses of the last 3 → 7 still (5 → 7).
        self._count_on(rule, day)
        self.assertEqual(self._intervals(rule, day)[self.product_apple.id], 7)

    def test_coverage_never_later_than_the_maximum(self):
        rule = self._adaptive_rule()
        day = START
        for _i in range(4):
            self._count_on(rule, day)
            day += timedelta(days=31)
        # Relaxed to the maximum: due 30 days after the last count, not later.
        last = day - timedelta(days=31)
        due = {
            item["product_id"]: item["due_date"]
            for item in self.env["cycle.count.planner"]._due_items(
                rule, last + timedelta(days=30)
            )
        }
        self.assertEqual(due[self.product_bolt.id], last + timedelta(days=30))

    def test_bounds_are_checked(self):
        with self.assertRaises(ValidationError):
            self._adaptive_rule(name="Too short").write({"interval_min_days": 0})
        with self.assertRaises(ValidationError):
            self._adaptive_rule(name="Max below").write({"interval_max_days": 10})
        with self.assertRaises(ValidationError):
            self._adaptive_rule(name="Min above").write({"interval_min_days": 20})
        with self.assertRaises(ValidationError):
            self._adaptive_rule(name="No window").write({"adaptive_window": 0})

    def test_the_miss_hook_is_sql(self):
        sql = self.env["cycle.count.line"]._is_count_miss("l")
        self.assertIn("has_difference", sql.code)
