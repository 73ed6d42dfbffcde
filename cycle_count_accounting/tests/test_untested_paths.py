from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.cycle_count_approval.tests.common import reject_with_comment

from .common import CycleCountAccountingCase
from .test_china_two_step import CycleCountChinaCase


@tagged("post_install", "-at_install")
class TestLotValuedFifo(CycleCountAccountingCase):
    """The lot-valued FIFO branch of ``_get_posting_values``: a loss of a lot is
    valued from that lot's layers (oldest first), not the product's."""

    def _receive_lot(self, product, lot, qty, price):
        move = self.env["stock.move"].create(
            {
                "name": "Receipt",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "price_unit": price,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.bin_a.id,
                "company_id": self.company.id,
            }
        )
        move._action_confirm()
        move.move_line_ids.unlink()
        move.write(
            {
                "move_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_id": product.uom_id.id,
                            "quantity": qty,
                            "location_id": move.location_id.id,
                            "location_dest_id": self.bin_a.id,
                            "lot_id": lot.id,
                        },
                    )
                ],
                "picked": True,
            }
        )
        move._action_done()
        return move

    def test_a_lot_valued_fifo_loss_is_valued_from_its_lots_layers(self):
        category = self.category.copy(
            {"name": "Real time FIFO", "property_cost_method": "fifo"}
        )
        product = self.env["product.product"].create(
            {
                "name": "Lot valued resistor",
                "default_code": "CC-RES",
                "is_storable": True,
                "tracking": "lot",
                "categ_id": category.id,
            }
        )
        product.lot_valuated = True
        self.assertTrue(product.lot_valuated)
        lot_old, lot_new = self.env["stock.lot"].create(
            [
                {"name": "RES-OLD", "product_id": product.id},
                {"name": "RES-NEW", "product_id": product.id},
            ]
        )
        # The product's oldest layer is the other lot's (5 at 50); this lot's
        # layers are 5 at 10, then 5 at 30.
        self._receive_lot(product, lot_old, 5, 50)
        self._receive_lot(product, lot_new, 5, 10)
        self._receive_lot(product, lot_new, 5, 30)
        task = self.env["cycle.count.task"].create(
            {
                "warehouse_id": self.warehouse.id,
                "user_id": self.counter.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "location_id": self.bin_a.id,
                            "lot_id": lot_new.id,
                        },
                    )
                ],
            }
        )
        task = task.with_user(self.counter)
        # 7 of the lot's 10 found: 3 missing, 3 × 10 from its oldest layer
        # (the product's oldest, 3 × 50 = 150, would be wrong; the lot's
        # average, 3 × 20 = 60, too).
        task.line_ids.counted_qty = 7
        task.action_mark_counted()
        adjustment = task.adjustment_ids.with_env(self.env)
        line = adjustment.line_ids
        self.assertEqual(line.lot_id, lot_new)
        self.assertEqual(line.variance_value, -30)
        self.assertEqual(line.unit_cost, 10)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        layers = adjustment.move_ids.stock_valuation_layer_ids
        self.assertEqual(layers.lot_id, lot_new)
        self.assertEqual(sum(layers.mapped("value")), -30)
        losses = adjustment.account_move_ids.line_ids.filtered(
            lambda aml: aml.account_id == self.loss_account
        )
        self.assertEqual(sum(losses.mapped("balance")), 30)
        self.assertEqual(adjustment.total_loss, 30)


@tagged("post_install", "-at_install")
class TestTwoStepPaths(CycleCountChinaCase):
    """Two-step posting with a manager's restart after step one, and with the
    tolerance's automatic acceptance."""

    def test_no_restart_after_step_one(self):
        """Chip −1 (400) and bolt −4 (100): 500, the supervisor then finance.
        After the supervisor's approval (step one: stock and suspense), the
        cycle count manager's restart is refused, nothing changes; a rejection
        then reverses the stock and the suspense."""
        adjustment = self._counted_task(bolt=46, chip=3).adjustment_ids
        self.assertEqual(len(adjustment.review_ids), 2)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.suspense_state, "in_suspense")
        self.assertEqual(self._balance(self.suspense), 500)
        statuses = adjustment.review_ids.mapped("status")
        with self.assertRaises(UserError) as caught:
            adjustment.with_user(self.manager).restart_validation()
        self.assertIn("cannot start again", str(caught.exception))
        self.assertIn(adjustment.name, str(caught.exception))
        adjustment.invalidate_recordset()
        self.assertEqual(adjustment.review_ids.mapped("status"), statuses)
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(adjustment.suspense_state, "in_suspense")
        self.assertEqual(self._balance(self.suspense), 500)
        self.assertEqual(self._on_hand(self.product_chip, self.bin_b), 3)
        # The way out it names: a rejection reverses stock and suspense.
        reject_with_comment(adjustment, self.finance, "Count the chips again")
        self.assertEqual(adjustment.state, "rejected")
        self.assertEqual(adjustment.suspense_state, "reversed")
        self.assertEqual(self._balance(self.suspense), 0)
        self.assertEqual(self._on_hand(self.product_chip, self.bin_b), 4)
        self._assert_all_balanced(adjustment)

    def test_tolerance_acceptance_goes_through_suspense(self):
        """Apple +2 within a 25 % tolerance, bolt −4 outside it: the apple's
        report of its own is approved by the system and posted through both
        steps at once (suspense, then cleared to 6602); the bolt waits for the
        supervisor with nothing in suspense; the ledger agrees."""
        self.env["cycle.count.tolerance"].create(
            {
                "name": "Apples 25 %",
                "kind": "tolerance",
                "company_id": self.company.id,
                "product_id": self.product_apple.id,
                "gain_pct": 25,
                "loss_pct": 25,
            }
        )
        task = self._counted_task(apple=12, bolt=46)
        reports = task.adjustment_ids
        self.assertEqual(len(reports), 2)
        accepted = reports.filtered("accepted_within_tolerance")
        waiting = reports - accepted
        self.assertEqual(accepted.line_ids.product_id, self.product_apple)
        self.assertTrue(accepted.line_ids.within_tolerance)
        self.assertEqual(accepted.state, "posted")
        self.assertEqual(accepted.suspense_state, "cleared")
        # Step one's entry (Odoo's valuation, against suspense), then clearing.
        self.assertEqual(len(accepted.account_move_ids), 2)
        self.assertIn(
            "clearing", accepted.account_move_ids.mapped("cycle_count_entry_kind")
        )
        self._assert_all_balanced(accepted)
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        # Nothing left in suspense; the gain 20 cleared to 6602.
        self.assertEqual(self._balance(self.suspense), 0)
        self.assertEqual(self._balance(self.management), -20)
        self.assertEqual(waiting.state, "to_approve")
        self.assertFalse(waiting.suspense_state)
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 50)
        # The bolt then goes through both steps on its own tiers.
        waiting.with_user(self.supervisor).validate_tier()
        self.assertEqual(waiting.state, "posted")
        self.assertEqual(self._balance(self.suspense), 0)
        self.assertEqual(self._balance(self.management), 100 - 20)
        # Stock valuation = the valuation accounts' balance, per product.
        for product in (self.product_apple, self.product_bolt):
            with self.subTest(product=product.display_name):
                layers = self.env["stock.valuation.layer"].search(
                    [("product_id", "=", product.id)]
                )
                account = product.categ_id.property_stock_valuation_account_id
                entries = self.env["account.move.line"].search(
                    [
                        ("account_id", "=", account.id),
                        ("product_id", "=", product.id),
                        ("parent_state", "=", "posted"),
                    ]
                )
                self.assertAlmostEqual(
                    sum(layers.mapped("value")), sum(entries.mapped("balance"))
                )
