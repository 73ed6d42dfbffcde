from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from .common import reject_with_comment


@tagged("post_install", "-at_install")
class TestApplyToStock(CycleCountCase):
    """Approval corrects stock itself, accounting installed or not: the test
    products' category is valued manually (no account involved). Book: apple
    10 × 10, bolt 50 × 25, chip 4 × 400, glue lot 20 × 5."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category = cls.env["product.category"].create({"name": "Counted goods"})
        if "property_valuation" in cls.category._fields:
            # With stock_account installed: valued by hand, nothing to post.
            cls.category.property_valuation = "manual_periodic"
        (
            cls.product_apple | cls.product_bolt | cls.product_chip | cls.product_lot
        ).categ_id = cls.category

    def _on_hand(self, product, location, lot=None):
        return self.env["stock.quant"]._get_available_quantity(
            product, location, lot_id=lot, strict=True, allow_negative=True
        )

    def _approve(self, adjustment):
        for user in (self.supervisor, self.finance, self.manager):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()

    def test_final_approval_applies_the_differences_to_stock(self):
        task = self._counted_task(apple=12, bolt=46, chip=4)
        adjustment = task.adjustment_ids
        self.assertEqual(len(adjustment.line_ids), 2)
        adjustment.with_user(self.supervisor).validate_tier()  # 120: one tier
        self.assertEqual(adjustment.state, "posted")
        self.assertTrue(adjustment.date_posted)
        self.assertEqual(task.state, "done")
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 46)
        self.assertEqual(self._on_hand(self.product_chip, self.bin_b), 4)
        moves = adjustment.move_ids
        self.assertEqual(adjustment.move_count, 2)
        self.assertEqual(moves.cycle_count_adjustment_line_id, adjustment.line_ids)
        self.assertEqual(set(moves.mapped("state")), {"done"})
        self.assertTrue(all(moves.mapped("is_inventory")))
        inventory = self.product_apple.property_stock_inventory
        gain = moves.filtered(lambda move: move.product_id == self.product_apple)
        self.assertEqual(
            (gain.location_id, gain.location_dest_id), (inventory, self.bin_a)
        )
        self.assertEqual(gain.product_uom_qty, 2)
        self.assertEqual(gain.price_unit, 10)
        self.assertEqual(gain.origin, task.name)
        loss = moves - gain
        self.assertEqual(
            (loss.location_id, loss.location_dest_id), (self.bin_a, inventory)
        )
        self.assertEqual(loss.quantity, 4)

    def test_stock_moved_between_count_and_approval_stays_right(self):
        task = self._counted_task(apple=12)
        adjustment = task.adjustment_ids
        # 3 apples shipped after the count, before the approval.
        self._ship(self.product_apple, self.bin_a, 3)
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 7)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        # counted (12) - shipped (3), not the counted 12.
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 9)

    def _glue_quant(self):
        return self.env["stock.quant"].search(
            [
                ("product_id", "=", self.product_lot.id),
                ("location_id", "=", self.bin_c.id),
            ]
        )

    def test_lot_loss(self):
        self._approve(self._counted_task(glue=17).adjustment_ids)
        quant = self._glue_quant()
        self.assertEqual(quant.lot_id, self.lot_1)
        self.assertEqual(quant.quantity, 17)

    def test_lot_gain_in_a_package_free_bin(self):
        self._approve(self._counted_task(glue=23).adjustment_ids)
        quant = self._glue_quant()
        self.assertEqual(quant.lot_id, self.lot_1)
        self.assertFalse(quant.package_id)
        self.assertEqual(quant.quantity, 23)

    def test_without_approval_tier_the_counter_s_count_is_applied_at_once(self):
        """No tier applies: marking counted applies the count at once, though the
        counter has no right on stock moves."""
        self.env["tier.definition"].search(
            [("model", "=", "cycle.count.adjustment")]
        ).active = False
        task = self._counted_task(apple=12)
        self.assertEqual(task.adjustment_ids.state, "posted")
        self.assertEqual(task.state, "done")
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)

    def test_the_report_opens_its_task_and_moves(self):
        task = self._counted_task(apple=12, bolt=46)
        adjustment = task.adjustment_ids
        self.assertEqual(task.action_view_adjustments()["res_id"], adjustment.id)
        self.assertEqual(adjustment.action_open_task()["res_id"], task.id)
        self._approve(adjustment)
        for user in (self.supervisor, self.finance):
            action = adjustment.with_user(user).action_view_stock_moves()
            self.assertEqual(
                self.env[action["res_model"]].with_user(user).search(action["domain"]),
                adjustment.move_ids.with_user(user),
            )

    def test_a_report_approved_before_is_applied_by_hand(self):
        adjustment = self._counted_task(apple=12).adjustment_ids
        # As if approved by 18.0.1, where approval did not touch stock.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cycle_count_adjustment SET state = 'approved' WHERE id = %s",
            [adjustment.id],
        )
        self.env.invalidate_all()
        with self.assertRaises(AccessError) as caught:
            adjustment.with_user(self.supervisor).action_apply_to_stock()
        self.assertIn("Only a finance manager", str(caught.exception))
        self.assertFalse(adjustment.move_ids)
        adjustment.with_user(self.finance).action_apply_to_stock()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(adjustment.task_id.state, "done")
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        with self.assertRaisesRegex(UserError, "Only approved variance reports"):
            adjustment.with_user(self.finance).action_apply_to_stock()
        self.assertEqual(len(adjustment.move_ids), 1)

    def test_nobody_applies_a_report_that_is_not_approved(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        with self.assertRaises(AccessError):
            adjustment.with_user(self.counter).action_apply_to_stock()
        with self.assertRaisesRegex(UserError, "Only approved variance reports"):
            adjustment.with_user(self.finance).action_apply_to_stock()
        self.assertEqual(adjustment.state, "to_approve")
        self.assertFalse(adjustment.move_ids)
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)

    def test_a_rejected_report_never_reaches_stock(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        reject_with_comment(adjustment, self.supervisor, "Count the apples again")
        self.assertEqual(adjustment.state, "rejected")
        self.assertFalse(adjustment.move_ids)
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)

    def test_inventory_move_values_are_core_s(self):
        """The move of a variance is the one core builds for an inventory
        adjustment (stock.quant._get_inventory_move_values), plus its link, cost
        and origin: a key core adds or drops shows here."""
        adjustment = self._counted_task(apple=12, bolt=46).adjustment_ids
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.product_apple.id),
                ("location_id", "=", self.bin_a.id),
            ]
        )
        inventory = self.product_apple.property_stock_inventory
        core = quant._get_inventory_move_values(2, inventory, self.bin_a)
        ours = {"cycle_count_adjustment_line_id", "price_unit", "origin"}
        for line in adjustment.line_ids:
            with self.subTest(product=line.product_id.name):
                vals = line._prepare_stock_move_vals()
                self.assertEqual(set(vals), set(core) | ours)
                self.assertEqual(len(vals["move_line_ids"]), 1)
                self.assertEqual(
                    set(vals["move_line_ids"][0][2]), set(core["move_line_ids"][0][2])
                )
                self.assertEqual(vals["product_uom_qty"], abs(line.difference_qty))
                self.assertEqual(vals["cycle_count_adjustment_line_id"], line.id)
                self.assertTrue(vals["is_inventory"])
                self.assertIn(adjustment.name, vals["name"])
