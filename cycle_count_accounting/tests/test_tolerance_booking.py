from odoo.tests import tagged

from .common import CycleCountAccountingCase


@tagged("post_install", "-at_install")
class TestToleranceBooking(CycleCountAccountingCase):
    """A variance accepted within tolerance is booked like any approved one.
    Book: apple 10 × 10, chip 4 × 400."""

    def test_accepted_within_tolerance_posts_its_entry(self):
        self.env["cycle.count.tolerance"].create(
            {"name": "10 %", "company_id": self.company.id, "loss_pct": 10}
        )
        task = self._counted_task(apple=9, chip=3)
        accepted = task.adjustment_ids.filtered("accepted_within_tolerance")
        pending = task.adjustment_ids - accepted
        self.assertEqual(accepted.state, "posted")
        self.assertFalse(accepted.review_ids)
        entries = accepted.account_move_ids
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries.state, "posted")
        self.assertEqual(
            entries.line_ids.account_id, self.valuation_account | self.loss_account
        )
        self.assertAlmostEqual(
            sum(
                entries.line_ids.filtered(
                    lambda line: line.account_id == self.loss_account
                ).mapped("balance")
            ),
            10,
        )
        # The chip, outside, waits: nothing of it is booked yet.
        self.assertEqual(pending.state, "to_approve")
        self.assertFalse(pending.account_move_ids)
