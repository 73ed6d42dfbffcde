from odoo.exceptions import AccessError

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase


class TestCounterHint(CycleCountCase):
    """What the counter saw reaches the variance report read-only; the reason is
    still the supervisor's to set."""

    def test_hint_and_note_on_the_variance(self):
        task = self._plan(self._create_rule(user_id=self.counter.id))
        apple = task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        self.env["cycle.count.line"].with_user(self.counter)._apply_counts(
            task.with_user(self.counter),
            [
                {
                    "line": apple,
                    "quantity": 9,
                    "hint": "damaged",
                    "note": "One bottle broken",
                }
            ],
        )
        self._count_stock(task, apple=9)
        task.with_user(self.counter).action_mark_counted()
        variance = task.adjustment_ids.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        ).with_user(self.supervisor)
        self.assertEqual(
            (variance.count_hint, variance.count_note),
            ("damaged", "One bottle broken"),
        )
        self.assertFalse(variance.reason_id)
        with self.assertRaises(AccessError):
            variance.write({"count_hint": "other"})
        reason = self.env.ref("cycle_count_planning.reason_damage")
        variance.write({"reason_id": reason.id})
        self.assertEqual(apple.reason_id, reason)
        self.assertEqual(apple.count_hint, "damaged")
