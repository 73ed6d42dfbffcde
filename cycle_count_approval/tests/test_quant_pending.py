from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from .common import reject_with_comment


@tagged("post_install", "-at_install")
class TestQuantPendingVariance(CycleCountCase):
    """Physical Inventory shows the variance a count found while it waits."""

    def _quant(self, product):
        return (
            self.env["stock.quant"]
            .search(
                [
                    ("product_id", "=", product.id),
                    ("location_id", "child_of", self.stock_location.id),
                ]
            )
            .with_user(self.supervisor)
        )

    def test_pending_until_applied(self):
        adjustment = self._counted_task(apple=7).adjustment_ids
        self.assertEqual(adjustment.state, "to_approve")
        apple, bolt = self._quant(self.product_apple), self._quant(self.product_bolt)
        self.assertEqual(apple.cycle_count_pending_qty, -3)
        self.assertEqual(apple.cycle_count_pending_value, -30)
        self.assertEqual(bolt.cycle_count_pending_qty, 0)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.env.invalidate_all()
        apple = self._quant(self.product_apple)
        self.assertEqual(apple.cycle_count_pending_qty, 0)
        self.assertEqual(apple.quantity, 7)

    def test_rejected_is_not_pending(self):
        adjustment = self._counted_task(apple=7).adjustment_ids
        reject_with_comment(adjustment, self.supervisor, "Count the apples again.")
        self.assertEqual(adjustment.state, "rejected")
        self.env.invalidate_all()
        self.assertEqual(self._quant(self.product_apple).cycle_count_pending_qty, 0)
