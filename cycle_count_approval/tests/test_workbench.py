from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from .common import counted_report, use_periodic_category


@tagged("post_install", "-at_install")
class TestWorkbench(CycleCountCase):
    """Difference Analysis: variances over many reports, their reasons (required
    above the company's threshold, frozen once decided, tracked before), the
    moves since the count, and one decision over the selected lines' reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_periodic_category(cls)
        cls.reason = cls.env["cycle.count.reason"].create({"name": "Damaged in bin"})
        cls.Line = cls.env["cycle.count.adjustment.line"]

    def _lines(self, user, domain):
        return self.Line.with_user(user).search(domain)

    def test_filters_over_many_reports(self):
        # -1 apple (-10); +2 bolts (+50) and -1 chip (-400).
        first = counted_report(self, {self.product_apple: 9})
        second = counted_report(self, {self.product_bolt: 52, self.product_chip: 3})
        reports = first | second
        sup = self.supervisor
        self.assertEqual(
            self._lines(sup, [("adjustment_id", "in", reports.ids)]).adjustment_id,
            reports,
        )
        gains = self._lines(
            sup, [("adjustment_id", "in", reports.ids), ("variance_value", ">", 0)]
        )
        self.assertEqual(gains.product_id, self.product_bolt)
        above = self._lines(
            sup,
            [("adjustment_id", "in", reports.ids), ("abs_variance_value", ">", 100)],
        )
        self.assertEqual(above.product_id, self.product_chip)
        self.assertEqual(above.warehouse_id, self.warehouse)
        self.assertEqual(above.categ_id, self.category)
        mine = self._lines(
            sup, [("adjustment_id", "in", reports.ids), ("waiting_for_me", "=", True)]
        )
        self.assertEqual(mine.adjustment_id, reports)
        # Finance's tier of the second report waits for the supervisor first.
        self.assertFalse(
            self._lines(
                self.finance,
                [("adjustment_id", "in", reports.ids), ("waiting_for_me", "=", True)],
            )
        )
        groups = self.Line.with_user(sup).read_group(
            [("adjustment_id", "in", reports.ids)], ["variance_value:sum"], ["is_gain"]
        )
        self.assertEqual(
            {group["is_gain"]: group["variance_value"] for group in groups},
            {True: 50, False: -410},
        )

    def test_reason_required_above_the_company_s_value(self):
        self.company.cycle_count_reason_required_above = 100
        adjustment = self._counted_task(bolt=52, chip=3).adjustment_ids
        chip = adjustment.line_ids.filtered(
            lambda line: line.product_id == self.product_chip
        )
        bolt = adjustment.line_ids - chip
        self.assertTrue(chip.is_reason_required)
        self.assertFalse(bolt.is_reason_required)
        with self.assertRaisesRegex(UserError, "give a reason to every variance"):
            adjustment.with_user(self.supervisor).validate_tier()
        self.assertFalse(adjustment.review_ids.done_by)
        chip.with_user(self.supervisor).reason_id = self.reason
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")

    def test_the_setting_is_on_the_inventory_settings(self):
        self.env["res.config.settings"].create(
            {"cycle_count_reason_required_above": 250}
        ).execute()
        self.assertEqual(self.env.company.cycle_count_reason_required_above, 250)
        view = self.env.ref("cycle_count_approval.res_config_settings_view_form")
        self.assertIn("cycle_count_reason_required_above", view.arch_db)

    def test_reason_tracked_then_frozen_after_the_decision(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        line = adjustment.line_ids
        line.with_user(self.supervisor).reason_id = self.reason
        message = adjustment.message_ids[:1]
        self.assertIn("Damaged in bin", message.body)
        self.assertIn("Apple Juice", message.body)
        self.assertEqual(message.author_id, self.supervisor.partner_id)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        other = self.env["cycle.count.reason"].create({"name": "Theft"})
        with self.assertRaisesRegex(UserError, "is decided"):
            line.with_user(self.manager).reason_id = other
        self.assertEqual(line.reason_id, self.reason)

    def test_moves_of_the_item_since_the_count(self):
        adjustment = self._counted_task(apple=9, bolt=49).adjustment_ids
        apple = adjustment.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        # Counted an hour ago; since then two moves of apples at A-01, one of
        # bolts, and one of apples elsewhere (not this item).
        apple.sudo().counted_at = fields.Datetime.now() - timedelta(hours=1)
        (apple | adjustment.line_ids).invalidate_recordset(["moves_since_count"])
        self._ship(self.product_apple, self.bin_a, 1)
        self._receive(self.product_apple, self.bin_a, 3)
        self._receive(self.product_apple, self.bin_b, 3)
        # One done before the count does not count.
        self._ship(self.product_apple, self.bin_a, 1, days_ago=1)
        self.assertEqual(apple.with_user(self.supervisor).moves_since_count, 2)
        action = apple.with_user(self.supervisor).action_view_moves_since_count()
        moves = (
            self.env["stock.move"].with_user(self.supervisor).search(action["domain"])
        )
        self.assertEqual(len(moves), 2)
        self.assertEqual(moves.product_id, self.product_apple)

    def _decide(self, user, lines, decision, comment=None):
        action = self.env.ref(
            f"cycle_count_approval.cycle_count_adjustment_decision_action_{decision}"
        )
        wizard = Form(
            self.env["cycle.count.adjustment.decision"]
            .with_user(user)
            .with_context(
                default_decision=decision,
                active_model="cycle.count.adjustment.line",
                active_ids=lines.ids,
            ),
        )
        if comment:
            wizard.comment = comment
        self.assertTrue(action)
        return wizard.save().action_confirm()

    def test_bulk_approve_and_reject_through_the_tiers(self):
        first = counted_report(self, {self.product_apple: 9})
        second = counted_report(self, {self.product_bolt: 49})
        self._decide(self.supervisor, (first | second).line_ids, "approve")
        self.assertEqual((first | second).mapped("state"), ["posted", "posted"])
        self.assertEqual((first | second).review_ids.done_by, self.supervisor)
        third = counted_report(self, {self.product_apple: 8})
        with self.assertRaisesRegex(UserError, "No report was decided"):
            self._decide(self.supervisor, third.line_ids, "reject", comment="  ")
        self._decide(self.supervisor, third.line_ids, "reject", comment="Recount A-01")
        self.assertEqual(third.state, "rejected")
        self.assertEqual(third.review_ids.comment, "Recount A-01")

    def test_a_partial_refusal_decides_none_and_says_which(self):
        mine = counted_report(self, {self.product_apple: 9}, user=self.supervisor)
        other = counted_report(self, {self.product_bolt: 49})
        with self.assertRaises(UserError) as caught:
            self._decide(self.supervisor, (mine | other).line_ids, "approve")
        message = str(caught.exception)
        self.assertIn("No report was decided; 1 of them cannot be", message)
        self.assertIn(mine.name, message)
        self.assertIn("You counted task", message)
        self.assertNotIn(f"- {other.name}:", message)
        self.assertEqual((mine | other).mapped("state"), ["to_approve", "to_approve"])
        self.assertFalse((mine | other).review_ids.done_by)

    def test_the_bulk_decision_is_no_way_around_the_tiers(self):
        report = counted_report(self, {self.product_chip: 20})  # 6 400: 3 tiers
        # A counter cannot even open the decision.
        with self.assertRaises(AccessError):
            self.env["cycle.count.adjustment.decision"].with_user(self.counter).create(
                {"decision": "approve", "adjustment_ids": [Command.set(report.ids)]}
            )
        # Finance cannot jump the supervisor's tier through it.
        with self.assertRaisesRegex(UserError, "No report was decided"):
            self._decide(self.finance, report.line_ids, "approve")
        self.assertFalse(report.review_ids.done_by)
        self._decide(self.supervisor, report.line_ids, "approve")
        # One person, one tier: the supervisor's second try is refused.
        with self.assertRaisesRegex(UserError, "each tier needs its own approver"):
            self._decide(self.supervisor, report.line_ids, "approve")
        self.assertEqual(report.review_ids.done_by, self.supervisor)
        self.assertEqual(report.state, "to_approve")
