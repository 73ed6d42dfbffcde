from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from .common import reject_with_comment


@tagged("post_install", "-at_install")
class TestApproval(CycleCountCase):
    """The seed's policy: any variance → supervisor; from 500 → + finance;
    above 5 000 → + operations director. Book: apple 10 × 10, bolt 50 × 25,
    chip 4 × 400, glue lot 20 × 5."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_supervisor"
        )
        cls.finance_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_finance"
        )
        cls.director_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_director"
        )

    def test_exact_count_needs_no_approval(self):
        task = self._counted_task()
        self.assertFalse(task.adjustment_ids)
        self.assertEqual(task.state, "done")

    def test_small_variance_goes_to_the_supervisor(self):
        task = self._counted_task(apple=9)
        adjustment = task.adjustment_ids
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(task.state, "counted")
        self.assertEqual(adjustment.line_ids.product_id, self.product_apple)
        self.assertEqual(adjustment.total_loss, 10)
        self.assertEqual(adjustment.total_gain, 0)
        self.assertEqual(adjustment.net_value, -10)
        self.assertEqual(adjustment.review_ids.definition_id, self.supervisor_tier)
        self.assertTrue(adjustment.with_user(self.supervisor).can_review)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.review_ids.status, "approved")
        self.assertEqual(adjustment.review_ids.done_by, self.supervisor)
        self.assertEqual(adjustment.state, "posted")
        self.assertTrue(adjustment.date_approved)

    def test_gains_and_losses_do_not_cancel_out_of_a_tier(self):
        # +12 bolts (+300) and -1 chip (-400): net -100, but 700 moved.
        adjustment = self._counted_task(bolt=62, chip=3).adjustment_ids
        self.assertEqual(adjustment.net_value, -100)
        self.assertEqual(adjustment.abs_variance_total, 700)
        self.assertEqual(
            adjustment.review_ids.sorted("sequence").definition_id,
            self.supervisor_tier | self.finance_tier,
        )

    def test_large_variance_climbs_to_the_director_in_order(self):
        # +16 chips: 6 400.
        adjustment = self._counted_task(chip=20).adjustment_ids
        reviews = adjustment.review_ids.sorted("sequence")
        self.assertEqual(
            reviews.definition_id,
            self.supervisor_tier | self.finance_tier | self.director_tier,
        )
        # Tiers are reviewed in order: finance cannot jump the supervisor.
        self.assertFalse(adjustment.with_user(self.finance).can_review)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(reviews.mapped("status"), ["approved", "pending", "waiting"])
        # The supervisor cannot approve above their tier.
        self.assertFalse(adjustment.with_user(self.supervisor).can_review)
        with self.assertRaisesRegex(UserError, "Nothing on .* waits for your approval"):
            adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(reviews.mapped("status"), ["approved", "pending", "waiting"])
        with self.assertRaises(AccessError) as caught:
            reviews[1].with_user(self.supervisor).write({"status": "approved"})
        self.assertIn("written only by its approval", str(caught.exception))
        with self.assertRaises(ValidationError):
            adjustment.with_user(self.supervisor).write({"state": "approved"})
        self.assertEqual(adjustment.state, "to_approve")
        adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(adjustment.state, "to_approve")
        adjustment.with_user(self.manager).validate_tier()
        self.assertEqual(
            reviews.mapped("done_by"), self.supervisor | self.finance | self.manager
        )
        self.assertEqual(adjustment.state, "posted")

    def test_a_counter_never_approves_their_own_count(self):
        # A supervisor who counted the task is taken off its reviewers.
        supervisor_2 = self.supervisor.copy({"login": "cc_supervisor_2", "name": "Sue"})
        task = self._counted_task(apple=9, user=self.supervisor)
        adjustment = task.adjustment_ids
        self.assertIn(self.supervisor, adjustment.counter_ids)
        self.assertNotIn(self.supervisor, adjustment.review_ids.reviewer_ids)
        self.assertIn(supervisor_2, adjustment.review_ids.reviewer_ids)
        self.assertFalse(adjustment.with_user(self.supervisor).can_review)
        with self.assertRaises(AccessError) as caught:
            adjustment.with_user(self.supervisor).validate_tier()
        self.assertIn("You counted task", str(caught.exception))
        with self.assertRaises(AccessError) as caught:
            adjustment.with_user(self.supervisor).reject_tier()
        self.assertIn("You counted task", str(caught.exception))
        with self.assertRaises(AccessError) as caught:
            adjustment.review_ids.with_user(self.supervisor).write(
                {"status": "approved"}
            )
        self.assertIn("written only by its approval", str(caught.exception))
        self.assertEqual(adjustment.state, "to_approve")
        adjustment.with_user(supervisor_2).validate_tier()
        self.assertEqual(adjustment.state, "posted")

    def test_a_counter_cannot_see_or_approve_variances(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        with self.assertRaises(AccessError):
            adjustment.with_user(self.counter).read(["state"])
        with self.assertRaises(AccessError):
            adjustment.with_user(self.counter).validate_tier()
        self.assertEqual(adjustment.state, "to_approve")

    def test_rejection_sends_the_task_back_for_a_recount(self):
        task = self._counted_task(apple=9)
        first = task.adjustment_ids
        reject_with_comment(first, self.supervisor, "Count the apples again")
        self.assertEqual(first.state, "rejected")
        self.assertEqual(first.review_ids.status, "rejected")
        self.assertEqual(task.state, "in_progress")
        # The recount finds the apple after all.
        line = task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        line.with_user(self.counter).counted_qty = 10
        task.with_user(self.counter).action_mark_counted()
        self.assertEqual(task.state, "done")
        self.assertEqual(task.adjustment_ids, first)

    def test_a_rejection_needs_a_comment_that_reaches_the_task(self):
        task = self._counted_task(apple=9)
        adjustment = task.adjustment_ids
        self.assertFalse(task.is_recount)
        # Reject always asks for the reason, even on a tier without comments.
        self.assertFalse(adjustment.review_ids.definition_id.has_comment)
        action = adjustment.with_user(self.supervisor).reject_tier()
        self.assertEqual(action["res_model"], "comment.wizard")
        self.assertEqual(
            action["views"],
            [
                (
                    self.env.ref(
                        "cycle_count_approval.cycle_count_adjustment_reject_view_form"
                    ).id,
                    "form",
                )
            ],
        )
        self.assertEqual(adjustment.state, "to_approve")
        # Without a comment (blank, or around the wizard): refused, nothing written.
        for comment in ("   ", None):
            # (assertRaises: in a savepoint, as the request that raises is undone)
            with self.assertRaises(UserError) as caught:
                if comment:
                    self.env["comment.wizard"].with_user(self.supervisor).with_context(
                        **action["context"]
                    ).create({"comment": comment}).add_comment()
                else:
                    adjustment.with_user(self.supervisor)._rejected_tier()
            self.assertIn("Say why you reject", str(caught.exception))
            self.assertEqual(adjustment.review_ids.status, "pending")
            self.assertEqual(adjustment.state, "to_approve")
            self.assertEqual(task.state, "counted")
            self.assertFalse(task.is_recount)
        reject_with_comment(adjustment, self.supervisor, "Shelf A-01 has a hidden row")
        self.assertEqual(adjustment.state, "rejected")
        self.assertEqual(adjustment.review_ids.comment, "Shelf A-01 has a hidden row")
        # The counter reads it on their task, as a recount.
        task = task.with_user(self.counter)
        self.assertEqual(task.state, "in_progress")
        self.assertTrue(task.is_recount)
        self.assertEqual(task.recount_reason, "Shelf A-01 has a hidden row")

    def test_no_tier_means_no_approval_needed(self):
        (self.supervisor_tier | self.finance_tier | self.director_tier).active = False
        adjustment = self._counted_task(apple=9).adjustment_ids
        self.assertFalse(adjustment.review_ids)
        self.assertEqual(adjustment.state, "posted")

    def test_approved_adjustment_cannot_be_deleted(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        adjustment.with_user(self.supervisor).validate_tier()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            adjustment.with_user(self.manager).unlink()
        self.assertTrue(adjustment.exists())

    def test_only_a_manager_restarts_an_approval(self):
        adjustment = self._counted_task(bolt=40).adjustment_ids  # 250: supervisor only
        self.assertEqual(adjustment.waiting_for, "Warehouse supervisor")
        with self.assertRaises(AccessError) as caught:
            adjustment.with_user(self.supervisor).restart_validation()
        self.assertIn("Only a cycle count manager", str(caught.exception))
        self.assertEqual(len(adjustment.review_ids), 1)
        # The tiers changed: from 200, finance reviews too. The manager asks again.
        # (the shipped tiers' bands are policy fields, the tier domain adds to them)
        self.finance_tier.cycle_count_value_from = 200
        adjustment.with_user(self.manager).restart_validation()
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(
            adjustment.review_ids.sorted("sequence").definition_id,
            self.supervisor_tier | self.finance_tier,
        )
        self.assertEqual(
            adjustment.waiting_for, "Warehouse supervisor → Finance manager (from 500)"
        )

    def test_one_person_approves_one_tier(self):
        """A director belongs to every group, yet a report that needs the
        supervisor and the finance manager needs two people."""
        adjustment = self._counted_task(bolt=62, chip=3).adjustment_ids  # 700
        reviews = adjustment.review_ids.sorted("sequence")
        adjustment.with_user(self.manager).validate_tier()
        self.assertEqual(reviews.mapped("status"), ["approved", "pending"])
        self.assertFalse(adjustment.with_user(self.manager).can_review)
        with self.assertRaisesRegex(UserError, "Nothing on .* waits for your approval"):
            adjustment.with_user(self.manager).validate_tier()
        with self.assertRaises(AccessError) as caught:
            reviews[1].with_user(self.manager).write({"status": "approved"})
        self.assertIn("written only by its approval", str(caught.exception))
        self.assertEqual(adjustment.state, "to_approve")
        adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(reviews.mapped("done_by"), self.manager | self.finance)

    def test_reported_figures_are_frozen(self):
        """What is approved is what is applied: nobody retypes a variance, on
        the report or on the count line behind it."""
        adjustment = self._counted_task(apple=9).adjustment_ids
        variance = adjustment.line_ids
        count_line = variance.count_line_id
        for values in (
            {"difference_qty": -1000},
            {"variance_value": -1},
            {"counted_qty": 1},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                variance.with_user(self.supervisor).write(values)
        for values in (
            {"difference_qty": -1000},
            {"variance_value": -1},
            {"has_difference": False},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                count_line.with_user(self.supervisor).write(values)
        self.assertEqual(variance.difference_qty, -1)
        self.assertEqual(count_line.difference_qty, -1)
        # The reason may still be set during approval, from the report.
        adjustment.with_user(self.supervisor).write(
            {
                "line_ids": [
                    (
                        1,
                        variance.id,
                        {
                            "reason_id": self.env.ref(
                                "cycle_count_planning.reason_theft"
                            ).id
                        },
                    )
                ]
            }
        )
        self.assertEqual(
            count_line.reason_id, self.env.ref("cycle_count_planning.reason_theft")
        )

    def test_a_rejected_item_must_be_counted_again(self):
        task = self._counted_task(apple=9)
        reject_with_comment(
            task.adjustment_ids, self.supervisor, "Count the apples again"
        )
        apple = task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        self.assertFalse(apple.is_counted)
        with self.assertRaisesRegex(UserError, "1 line"):
            task.with_user(self.counter).action_mark_counted()
        self.assertEqual(task.state, "in_progress")

    def test_who_may_approve_is_one_rule(self):
        """The reviewers of a tier, who can review, the buttons and a direct write
        of a review all ask the report's one predicate."""
        adjustment = self._counted_task(bolt=62, chip=3).adjustment_ids  # 700
        reviews = adjustment.review_ids.sorted("sequence")
        self.assertIn(
            "You counted task", adjustment._get_review_refusal(self.counter) or ""
        )
        self.assertFalse(adjustment._get_review_refusal(self.manager))
        self.assertFalse(adjustment._get_review_refusal(self.supervisor))
        adjustment.with_user(self.manager).validate_tier()
        refusal = adjustment._get_review_refusal(self.manager)
        self.assertIn("already approved another tier", refusal)
        # The tier they decided is theirs; every other is refused to them.
        self.assertFalse(adjustment._get_review_refusal(self.manager, reviews[0]))
        self.assertTrue(adjustment._get_review_refusal(self.manager, reviews[1]))
        # A counter is never among the computed reviewers of any tier.
        self.assertFalse(reviews.reviewer_ids & adjustment.counter_ids)
        with self.assertRaisesRegex(AccessError, "already approved another tier"):
            adjustment.with_user(self.manager)._validate_tier(reviews[1])
        self.assertEqual(reviews.mapped("status"), ["approved", "pending"])
