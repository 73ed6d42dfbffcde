from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from .common import (
    add_third_counter,
    recount_beyond,
    reject_with_comment,
    use_periodic_category,
)


@tagged("post_install", "-at_install")
class TestFrozenAfterDecision(CycleCountCase):
    """A variance shows a copy of its count (reason, hint, note, photos), taken
    when it is reported and when a recount or Use This Count changes it before
    the decision; a decided variance never changes; every change before the
    decision is in the report's chatter. Book: apple 10 × 10 (A-01)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_periodic_category(cls)
        add_third_counter(cls, "cc_frozen_counter3")
        cls.damage = cls.env.ref("cycle_count_planning.reason_damage")
        cls.theft = cls.env.ref("cycle_count_planning.reason_theft")
        cls.unknown = cls.env.ref("cycle_count_planning.reason_unknown")

    def _apple_task(self, qty=8, reason=None, note=None, product=None):
        """Plan the apple (or ``product``) alone for the counter, count it with
        ``reason`` and ``note`` (as the counter), mark it counted."""
        product = product or self.product_apple
        task = self._plan(
            self._create_rule(
                user_id=self.counter.id,
                product_domain=str([("id", "=", product.id)]),
            )
        )
        line = task.line_ids.with_user(self.counter)
        line.write(
            {
                "counted_qty": qty,
                "reason_id": reason.id if reason else False,
                "note": note or False,
            }
        )
        task.with_user(self.counter).action_mark_counted()
        return task

    def _recount_apple(self, report, qty, reason=None, note=None):
        task = report.recount_task_id
        line = task.line_ids.with_user(task.user_id)
        line.write(
            {
                "counted_qty": qty,
                "reason_id": reason.id if reason else False,
                "note": note or False,
            }
        )
        task.with_user(task.user_id).action_mark_counted()
        return task

    def _notes(self, report):
        return " ".join(report.message_ids.mapped("body"))

    def test_the_count_is_copied_when_reported(self):
        task = self._apple_task(reason=self.damage, note="crushed box")
        line = task.adjustment_ids.line_ids
        self.assertEqual(line.reason_id, self.damage)
        self.assertEqual(line.count_note, "crushed box")
        # A copy: the count line changing (any path, even the system's) no
        # longer changes the variance.
        task.line_ids.sudo().write({"note": "changed later"})
        self.assertEqual(line.count_note, "crushed box")

    def test_a_recounter_editing_after_approval_changes_nothing(self):
        recount_beyond(self.env, self.company)
        self.company.write(
            {"cycle_count_max_recounts": 1, "cycle_count_tie_break": "last"}
        )
        report = self._apple_task(qty=8, reason=self.damage).adjustment_ids
        self.assertEqual(report.state, "recount")
        recount = self._recount_apple(report, 7, reason=self.theft, note="empty slot")
        self.assertEqual(report.state, "to_approve")
        line = report.line_ids
        # The recount's figures and its reason, note: copied on the variance.
        self.assertEqual(line.counted_qty, 7)
        self.assertEqual(line.reason_id, self.theft)
        self.assertEqual(line.count_note, "empty slot")
        report.with_user(self.supervisor).validate_tier()
        self.assertEqual(report.state, "posted")
        # Later, the recounter's count line (and the first count's) change.
        (recount.line_ids | report.task_id.line_ids).sudo().write(
            {"reason_id": self.unknown.id, "note": "edited after", "counted_qty": 9}
        )
        line.invalidate_recordset()
        self.assertEqual(line.reason_id, self.theft)
        self.assertEqual(line.count_note, "empty slot")
        self.assertEqual(line.counted_qty, 7)
        self.assertEqual(line.difference_qty, -3)

    def test_a_decided_variance_refuses_every_write(self):
        approved = self._apple_task(reason=self.damage).adjustment_ids
        approved.with_user(self.supervisor).validate_tier()
        self.assertEqual(approved.state, "posted")
        line = approved.line_ids
        for user, vals in (
            (self.supervisor, {"reason_id": self.theft.id}),
            (self.manager, {"reason_id": False}),
        ):
            with self.subTest(user=user.login), self.assertRaises(UserError) as caught:
                line.with_user(user).write(vals)
            self.assertIn(approved.name, str(caught.exception))
        # Not even the system writes a decided variance's figures.
        with self.assertRaises(UserError):
            line.sudo().write({"counted_qty": 10, "difference_qty": 0})
        line.invalidate_recordset()
        self.assertEqual(line.reason_id, self.damage)
        self.assertEqual(line.counted_qty, 8)
        self.assertEqual(line.difference_qty, -2)

        rejected = self._apple_task(qty=49, product=self.product_bolt).adjustment_ids
        reject_with_comment(rejected, self.supervisor, "Count it again")
        self.assertEqual(rejected.state, "rejected")
        with self.assertRaises(UserError):
            rejected.line_ids.with_user(self.supervisor).write(
                {"reason_id": self.theft.id}
            )
        self.assertFalse(rejected.line_ids.reason_id)

    def test_changes_before_the_decision_are_in_the_chatter(self):
        recount_beyond(self.env, self.company)
        self.company.write(
            {"cycle_count_max_recounts": 1, "cycle_count_tie_break": "supervisor"}
        )
        report = self._apple_task(qty=8, reason=self.damage).adjustment_ids
        self._recount_apple(report, 7, reason=self.theft)
        notes = self._notes(report)
        # The recount result: old → new, quantities and reason.
        self.assertIn("Variance changed before the decision", notes)
        self.assertIn("8.00 → 7.00", notes)
        self.assertIn(f"{self.damage.name} → {self.theft.name}", notes)
        line = report.line_ids
        # Use This Count: back to the first count's figures, in the chatter.
        line.count_history_ids[0].with_user(self.supervisor).action_use_this_count()
        self.assertEqual(line.counted_qty, 8)
        self.assertIn("7.00 → 8.00", self._notes(report))
        # The reason, set by the supervisor while deciding.
        line.with_user(self.supervisor).reason_id = self.unknown
        self.assertIn(f"→ {self.unknown.name}", self._notes(report))
        # The count keeps the reason its variance was given.
        self.assertEqual(report.task_id.line_ids.reason_id, self.unknown)

    def test_rows_reported_before_the_copy_get_it(self):
        """The install fills the copy of rows reported before it existed (the
        column's creation runs the same SQL)."""
        task = self._apple_task(reason=self.damage, note="crushed box")
        line = task.adjustment_ids.line_ids
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cycle_count_adjustment_line "
            "SET reason_id = NULL, count_note = NULL WHERE id = %s",
            [line.id],
        )
        line.invalidate_recordset()
        self.assertFalse(line.reason_id)
        line._copy_count_lines_sql(line.ids)
        self.assertEqual(line.reason_id, self.damage)
        self.assertEqual(line.count_note, "crushed box")
