from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestBlindOutcome(CycleCountCase):
    """Marking a task counted ends it (every count matched the book) or leaves it
    counted (differences wait for approval, with the approval addon): a blind
    counter learns neither, through any read of the task or its lines."""

    def _observe(self, task):
        """What the counter can learn of ``task`` once they submitted it."""
        Task = self.env["cycle.count.task"].with_user(self.counter)
        Line = self.env["cycle.count.line"].with_user(self.counter)
        seen = {
            "search": Task.search_count([("id", "=", task.id)]),
            # The groups and their counts (each group's domain names the task's
            # id, the same for any task: the kanban shows empty open states).
            "by state": [
                (group["state"], group["state_count"])
                for group in Task.read_group(
                    [("id", "=", task.id)], ["state"], ["state"]
                )
            ],
            "lines": Line.search_count([("task_id", "=", task.id)]),
            "state told": task.with_user(self.counter)._get_visible_state(),
        }
        for fields in (["state"], ["date_done"], ["name"]):
            try:
                task.with_user(self.counter).read(fields)
            except AccessError:
                seen[f"read {fields[0]}"] = "refused"
            else:
                seen[f"read {fields[0]}"] = "read"
        try:
            task.line_ids.with_user(self.counter).read(["is_counted"])
        except AccessError:
            seen["read lines"] = "refused"
        return seen

    def _submit(self, code, **counts):
        task = self._plan(
            self._create_rule(product_domain=f"[('default_code', '=', '{code}')]")
        )
        self.assertTrue(task.line_ids)
        self._count_stock(task, **counts)
        action = task.with_user(self.counter).action_mark_counted()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("submitted", action["params"]["message"])
        self.assertEqual(action["params"]["next"]["res_model"], "cycle.count.task")
        return task

    def test_a_counter_learns_submitted_whatever_the_counts(self):
        exact = self._submit("CC-APL")
        seen_exact = self._observe(exact)
        # Bolts counted short: a difference of one bolt.
        differs = self._submit("CC-BLT", bolt=49)
        seen_differs = self._observe(differs)
        self.assertEqual(exact.state, "done")
        if "cycle.count.adjustment" in self.env:
            self.assertEqual(differs.state, "counted")
        self.assertEqual(seen_exact, seen_differs)
        self.assertEqual(
            seen_exact,
            {
                "search": 0,
                # The kanban's open columns, empty (done only shows when it
                # holds tasks the user reads).
                "by state": [("draft", 0), ("in_progress", 0), ("counted", 0)],
                "lines": 0,
                "state told": "counted",
                "read state": "refused",
                "read date_done": "refused",
                "read name": "refused",
                "read lines": "refused",
            },
        )
        # Supervisors read how each ended.
        self.assertEqual(exact.with_user(self.supervisor)._get_visible_state(), "done")

    def test_a_task_to_count_and_a_cancelled_one_stay_readable(self):
        task = self._plan(self._create_rule())
        Task = self.env["cycle.count.task"].with_user(self.counter)
        self.assertEqual(Task.search([("id", "=", task.id)]), task)
        task.with_user(self.supervisor).action_cancel()
        self.assertEqual(Task.search([("id", "=", task.id)]).state, "cancel")
