from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from .common import add_third_counter, recount_beyond, use_periodic_category


@tagged("post_install", "-at_install")
class TestRecount(CycleCountCase):
    """The recount loop. Book: apple 10 × 10 (A-01), bolt 50 × 25 (A-01), chip
    4 × 400 (A-02), glue lot 20 × 5 (B-01). Recount threshold: 5 % either way;
    the warehouse's counters: Carl, Cleo and Cora."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_periodic_category(cls)
        add_third_counter(cls, "cc_counter3")
        cls.threshold = recount_beyond(cls.env, cls.company)

    def _settings(self, max_recounts=1, tie_break="agree"):
        self.company.write(
            {
                "cycle_count_max_recounts": max_recounts,
                "cycle_count_tie_break": tie_break,
            }
        )

    def _recount(self, report, **quantities):
        """Count the recount of ``report`` as its counter (``quantities`` by
        product code name: apple, chip) and mark it counted."""
        task = report.recount_task_id
        products = {"apple": self.product_apple, "chip": self.product_chip}
        self._count(task, {products[name]: qty for name, qty in quantities.items()})
        task.with_user(task.user_id).action_mark_counted()
        return task

    def test_a_recount_goes_to_another_counter_blind_and_today(self):
        self._settings()
        task = self._counted_task(apple=8)
        report = task.adjustment_ids
        self.assertEqual(report.state, "recount")
        self.assertFalse(report.review_ids)
        recount = report.recount_task_id
        self.assertEqual(recount.user_id, self.counter_2)
        self.assertTrue(recount.is_recount)
        self.assertTrue(recount.recount_reason)
        self.assertEqual(recount.recount_of_id, task)
        self.assertEqual(recount.scheduled_date, fields.Date.context_today(recount))
        self.assertEqual(recount.state, "draft")
        self.assertEqual(recount.line_ids.product_id, self.product_apple)
        original = task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        self.assertEqual(recount.line_ids.recount_of_id, original)
        self.assertTrue(original.is_superseded)
        # Blind: the recounter's line holds no count and no book figure for them.
        line = recount.line_ids.with_user(self.counter_2)
        self.assertFalse(line.is_counted)
        self.assertEqual(line.counted_qty, 0)
        with self.assertRaises(AccessError):
            line.read(["book_qty"])
        with self.assertRaises(AccessError):
            line.read(["recount_of_id"])
        # The original counter is not the recounter.
        with self.assertRaises(AccessError):
            recount.with_user(self.counter).read(["name"])

    def test_two_agreeing_counts_win(self):
        self._settings(max_recounts=2, tie_break="agree")
        report = self._counted_task(apple=8).adjustment_ids
        first = report.recount_task_id
        self._recount(report, apple=7)
        # 8 and 7 disagree: a second recount, by the third counter.
        self.assertEqual(report.state, "recount")
        second = report.recount_task_id
        self.assertNotEqual(second, first)
        self.assertEqual(second.user_id, self.counter_3)
        self.assertEqual(first.state, "done")
        self._recount(report, apple=7)
        self.assertEqual(report.state, "to_approve")
        line = report.line_ids
        self.assertEqual(line.counted_qty, 7)
        self.assertEqual(line.difference_qty, -3)
        self.assertEqual(line.variance_value, -30)
        self.assertEqual(line.counter_id, self.counter_3)
        self.assertEqual(line.recount_count, 2)
        self.assertFalse(line.needs_supervisor)
        history = line.count_history_ids
        self.assertEqual(
            history.mapped("label"), ["First count", "Recount 1", "Recount 2 (final)"]
        )
        self.assertEqual(history.mapped("counted_qty"), [8, 7, 7])
        self.assertEqual(
            history.counter_id.ids,
            (self.counter | self.counter_2 | self.counter_3).ids,
        )
        # Nobody who counted or recounted reviews the report.
        for user in (self.counter, self.counter_2, self.counter_3):
            self.assertIn(user, report.counter_ids)
        self.assertEqual(report.abs_variance_total, 30)

    def test_the_first_count_confirmed_by_the_recount(self):
        self._settings(max_recounts=2, tie_break="agree")
        report = self._counted_task(apple=8).adjustment_ids
        self._recount(report, apple=8)
        self.assertEqual(report.state, "to_approve")
        self.assertEqual(report.line_ids.counted_qty, 8)
        self.assertEqual(report.line_ids.recount_count, 1)

    def test_no_agreement_within_the_maximum_goes_to_the_supervisor(self):
        self._settings(max_recounts=1, tie_break="agree")
        report = self._counted_task(apple=8).adjustment_ids
        self._recount(report, apple=6)
        self.assertEqual(report.state, "to_approve")
        line = report.line_ids
        self.assertEqual(line.counted_qty, 6)
        self.assertTrue(line.needs_supervisor)
        self.assertIn(
            "the supervisor decides", "".join(report.message_ids.mapped("body"))
        )

    def test_the_last_count_wins(self):
        self._settings(max_recounts=1, tie_break="last")
        report = self._counted_task(apple=8, chip=3).adjustment_ids
        self.assertEqual(
            report.recount_task_id.line_ids.product_id, report.line_ids.product_id
        )
        self._recount(report, apple=10, chip=2)
        self.assertEqual(report.state, "to_approve")
        # The apple recount found the book: no difference left, accepted.
        accepted = report.task_id.adjustment_ids - report
        self.assertEqual(accepted.line_ids.product_id, self.product_apple)
        self.assertEqual(accepted.line_ids.difference_qty, 0)
        self.assertEqual(accepted.state, "posted")
        self.assertEqual(report.line_ids.product_id, self.product_chip)
        self.assertEqual(report.line_ids.counted_qty, 2)
        self.assertEqual(report.abs_variance_total, 800)

    def test_the_supervisor_decides(self):
        self._settings(max_recounts=1, tie_break="supervisor")
        report = self._counted_task(apple=8).adjustment_ids
        self._recount(report, apple=7)
        self.assertEqual(report.state, "to_approve")
        line = report.line_ids
        self.assertTrue(line.needs_supervisor)
        self.assertEqual(line.counted_qty, 7)
        first = line.count_history_ids[0]
        with self.assertRaises(AccessError):
            first.with_user(self.counter).action_use_this_count()
        # Nor a recounter.
        with self.assertRaises(AccessError):
            first.with_user(self.counter_2).action_use_this_count()
        first.with_user(self.supervisor).action_use_this_count()
        self.assertEqual(line.counted_qty, 8)
        self.assertEqual(line.counter_id, self.counter)
        self.assertFalse(line.needs_supervisor)
        self.assertEqual(
            line.count_history_ids.mapped("label"),
            ["First count (final)", "Recount 1"],
        )
        self.assertEqual(report.state, "to_approve")
        self.assertEqual(report.review_ids.status, "pending")
        report.with_user(self.supervisor).validate_tier()
        self.assertEqual(report.state, "posted")
        self.assertEqual(report.move_ids.quantity, 2)

    def test_at_most_n_recounts(self):
        self._settings(max_recounts=0)
        report = self._counted_task(apple=8).adjustment_ids
        self.assertEqual(report.state, "to_approve")
        self.assertFalse(report.recount_task_id)

    def test_the_one_recount_allowed(self):
        self._settings(max_recounts=1, tie_break="last")
        report = self._counted_task(chip=2).adjustment_ids
        self._recount(report, chip=1)
        # Still beyond the threshold, but the one recount allowed is spent.
        self.assertEqual(report.state, "to_approve")
        self.assertEqual(report.line_ids.recount_count, 1)

    def test_within_the_threshold_no_recount(self):
        self._settings()
        report = self._counted_task(bolt=49).adjustment_ids  # 2 %
        self.assertEqual(report.state, "to_approve")
        self.assertEqual(report.line_ids.recount_threshold_id, self.threshold)

    def test_no_other_counter_goes_to_the_supervisor(self):
        self._settings()
        capacity = self.env["cycle.count.capacity"].search(
            [("warehouse_id", "=", self.warehouse.id)]
        )
        capacity.user_ids = self.counter
        report = self._counted_task(apple=8).adjustment_ids
        self.assertEqual(report.state, "to_approve")
        self.assertFalse(report.recount_task_id)
        self.assertTrue(report.line_ids.needs_supervisor)
        self.assertIn(
            "No counter who has not counted these items",
            "".join(report.message_ids.mapped("body")),
        )

    def test_the_least_loaded_counter(self):
        self._settings()
        self.env["cycle.count.task"].create(
            {"warehouse_id": self.warehouse.id, "user_id": self.counter_2.id}
        )
        report = self._counted_task(apple=8).adjustment_ids
        self.assertEqual(report.recount_task_id.user_id, self.counter_3)

    def test_recount_then_tolerance(self):
        self._settings(tie_break="last")
        self.env["cycle.count.tolerance"].create(
            {"name": "2 units", "company_id": self.company.id, "loss_qty": 2}
        )
        report = self._counted_task(apple=5).adjustment_ids
        self._recount(report, apple=9)
        self.assertTrue(report.accepted_within_tolerance)
        self.assertEqual(report.state, "posted")
        self.assertEqual(report.task_id.state, "done")
        self.assertEqual(report.move_ids.quantity, 1)

    def test_the_supervisor_sends_lines_to_recount(self):
        self._settings(max_recounts=0)
        report = self._counted_task(apple=8, chip=3).adjustment_ids
        self.assertEqual(report.state, "to_approve")
        chip = report.line_ids.filtered(
            lambda line: line.product_id == self.product_chip
        )
        action = chip.with_user(self.supervisor).action_send_to_recount()
        self.assertEqual(action["res_model"], "cycle.count.recount.wizard")
        Wizard = self.env["cycle.count.recount.wizard"].with_user(self.supervisor)
        wizard = Wizard.create(
            {
                "adjustment_id": report.id,
                "line_ids": [Command.set(chip.ids)],
                "comment": " ",
            }
        )
        with self.assertRaisesRegex(UserError, "Say why"):
            wizard.action_confirm()
        self.assertEqual(report.state, "to_approve")
        self.assertTrue(report.review_ids)
        with self.assertRaises(AccessError):
            chip.with_user(self.counter).action_send_to_recount()
        wizard.comment = "Look behind the boxes on A-02"
        wizard.action_confirm()
        self.assertEqual(report.state, "recount")
        self.assertFalse(report.review_ids)
        recount = report.recount_task_id
        self.assertEqual(recount.recount_reason, "Look behind the boxes on A-02")
        self.assertEqual(recount.line_ids.product_id, self.product_chip)
        self.assertNotIn(recount.user_id, self.counter)
        self._recount(report, chip=4)
        self.assertEqual(report.state, "to_approve")
        # The chip was found: only the apple remains to approve, tiers asked again.
        self.assertEqual(report.line_ids.product_id, self.product_apple)
        self.assertTrue(report.review_ids)
        self.assertEqual(report.abs_variance_total, 20)

    def test_the_count_history_is_the_systems(self):
        self._settings(max_recounts=1, tie_break="last")
        report = self._counted_task(apple=8).adjustment_ids
        self._recount(report, apple=7)
        history = report.line_ids.count_history_ids
        for user in (self.supervisor, self.finance, self.manager):
            with self.assertRaises(AccessError):
                history.with_user(user).write({"counted_qty": 10})
            with self.assertRaises(AccessError):
                history.with_user(user).create(
                    {
                        "line_id": report.line_ids.id,
                        "count_line_id": history[0].count_line_id.id,
                    }
                )
            with self.assertRaises(AccessError):
                history.with_user(user).unlink()
            with self.assertRaises(AccessError):
                report.with_user(user).write({"recount_task_id": False})
        with self.assertRaises(AccessError):
            history.with_user(self.counter).read(["counted_qty"])
        self.assertEqual(history.mapped("counted_qty"), [8, 7])
