from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.models.cycle_count_task import CycleCountTask

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestTaskLifecycle(CycleCountCase):
    """Planning finishes its own tasks: a counted task with nothing downstream is
    done. Written to pass whatever is installed on top of planning."""

    def test_an_exact_count_ends_the_task(self):
        task = self._counted_task()
        self.assertEqual(task.state, "done")
        self.assertTrue(task.date_counted)
        self.assertTrue(task.date_done)

    def test_with_nothing_downstream_a_counted_task_is_done(self):
        """Planning's own hook, whatever overrides it downstream: a count with
        differences ends the task too."""
        task = self._plan(self._create_rule())
        self._count_stock(task, apple=9, bolt=51)
        task = task.with_user(self.counter)
        task._check_can_transition()
        task._action_counted()
        self.assertEqual(task.state, "counted")
        # Planning's implementation itself, not what an addon on top makes of it.
        CycleCountTask._on_counted(task)
        self.assertEqual(task.state, "done")
        self.assertTrue(task.date_done)
        # Done is the end: no more counts, no cancelling.
        self.assertFalse(task.is_open_for_counting)

    def test_a_count_with_differences_ends_done_unless_an_addon_takes_over(self):
        task = self._counted_task(apple=9)
        if "cycle.count.adjustment" in self.env:
            # Approval took over: the task waits for its variance report.
            self.assertEqual(task.state, "counted")
        else:
            self.assertEqual(task.state, "done")

    def test_counters_write_only_the_fields_the_hook_names(self):
        task = self._plan(self._create_rule())
        writable = task._get_counter_writable_fields()
        self.assertEqual(set(writable), {"line_ids", "note"})
        task.with_user(self.counter).note = "Bin A-02 was blocked by a pallet."
        self.assertEqual(task.note, "Bin A-02 was blocked by a pallet.")
        for values in ({"scheduled_date": "2099-01-01"}, {"state": "done"}):
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(AccessError, "ask a supervisor to change"),
            ):
                task.with_user(self.counter).write(values)
        self.assertEqual(task.state, "draft")
        # A supervisor is not limited by the hook.
        task.with_user(self.supervisor).scheduled_date = "2099-01-01"
        self.assertEqual(str(task.scheduled_date), "2099-01-01")
