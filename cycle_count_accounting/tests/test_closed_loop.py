from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CycleCountAccountingCase


@tagged("post_install", "-at_install")
class TestClosedLoop(CycleCountAccountingCase):
    """Book: apple 10 × 10, bolt 50 × 25, chip 4 × 400, glue lot 20 × 5."""

    def _on_hand(self, product, location, lot=None):
        return self.env["stock.quant"]._get_available_quantity(
            product, location, lot_id=lot, strict=True, allow_negative=True
        )

    def test_the_whole_loop(self):
        """Rule → task → counts (a gain, a loss, exact lines) → variance report →
        supervisor then finance approve → stock corrected → entries posted on
        the gain and loss accounts, balanced; the books agree with valuation."""
        valuation_before = self._balance(self.valuation_account)
        self.assertEqual(valuation_before, 100 + 1250 + 1600 + 100)
        task = self._counted_task(apple=12, bolt=46, chip=3)
        self.assertEqual(task.state, "counted")
        adjustment = task.adjustment_ids
        self.assertEqual(len(adjustment.line_ids), 3)
        self.assertEqual(adjustment.total_gain, 20)
        self.assertEqual(adjustment.total_loss, 100 + 400)
        self.assertEqual(adjustment.abs_variance_total, 520)
        # 520 ≥ 500: the supervisor, then the finance manager.
        self.assertEqual(len(adjustment.review_ids), 2)
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)
        adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(task.state, "done")
        # Stock corrected by the differences.
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 46)
        self.assertEqual(self._on_hand(self.product_chip, self.bin_b), 3)
        self.assertEqual(self._on_hand(self.product_lot, self.bin_c, self.lot_1), 20)
        self.assertEqual(adjustment.move_count, 3)
        self.assertTrue(all(move.is_inventory for move in adjustment.move_ids))
        self.assertEqual(set(adjustment.move_ids.mapped("state")), {"done"})
        # One balanced entry for the report (one voucher), its ref the report's
        # name, every layer of its moves linked to it; configured accounts only.
        entries = adjustment.account_move_ids
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries.state, "posted")
        self.assertEqual(entries.ref, adjustment.name)
        self.assertEqual(entries.cycle_count_adjustment_id, adjustment)
        self.assertEqual(
            adjustment.move_ids.stock_valuation_layer_ids.account_move_id, entries
        )
        self.assertAlmostEqual(sum(entries.line_ids.mapped("balance")), 0.0)
        lines = entries.line_ids
        self.assertEqual(
            lines.account_id,
            self.valuation_account | self.gain_account | self.loss_account,
        )
        self.assertFalse(
            lines.filtered(
                lambda line: line.account_id in (self.interim_in | self.interim_out)
            )
        )
        self.assertEqual(self._balance(self.gain_account), -20)
        self.assertEqual(self._balance(self.loss_account), 500)
        self.assertEqual(
            self._balance(self.valuation_account), valuation_before + 20 - 500
        )
        # Stock valuation and the general ledger agree.
        layers = self.env["stock.valuation.layer"].search(
            [("product_id", "in", task.line_ids.product_id.ids)]
        )
        self.assertAlmostEqual(
            sum(layers.mapped("value")), self._balance(self.valuation_account)
        )

    def test_the_report_opens_its_journal_entries(self):
        task = self._counted_task(apple=12, bolt=46)
        adjustment = task.adjustment_ids
        for user in (self.supervisor, self.finance):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        entries = adjustment.with_user(self.finance).action_view_journal_entries()
        self.assertEqual(
            self.env["account.move"].search(entries["domain"]),
            adjustment.account_move_ids,
        )
        self.assertEqual(len(adjustment.account_move_ids), 1)
        self.assertEqual(
            adjustment.account_move_ids.stock_valuation_layer_ids,
            adjustment.move_ids.stock_valuation_layer_ids,
        )
        # And the entry opens its report.
        action = adjustment.account_move_ids.with_user(
            self.finance
        ).action_open_cycle_count_adjustment()
        self.assertEqual(action["res_id"], adjustment.id)

    def test_a_report_applied_by_hand_posts_its_entries(self):
        adjustment = self._counted_task(apple=12).adjustment_ids
        # As if approved by 18.0.1 without this addon: stock was not touched.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cycle_count_adjustment SET state = 'approved' WHERE id = %s",
            [adjustment.id],
        )
        self.env.invalidate_all()
        adjustment.with_user(self.finance).action_apply_to_stock()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        self.assertEqual(self._balance(self.gain_account), -20)
        self.assertEqual(len(adjustment.account_move_ids), 1)

    def test_lot_loss(self):
        task = self._counted_task(glue=17)
        task.adjustment_ids.with_user(self.supervisor).validate_tier()
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.product_lot.id),
                ("location_id", "=", self.bin_c.id),
            ]
        )
        self.assertEqual(quant.lot_id, self.lot_1)
        self.assertEqual(quant.quantity, 17)
        self.assertEqual(self._balance(self.loss_account), 15)

    def test_lot_gain_in_a_package_free_bin(self):
        task = self._counted_task(glue=23)
        task.adjustment_ids.with_user(self.supervisor).validate_tier()
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.product_lot.id),
                ("location_id", "=", self.bin_c.id),
            ]
        )
        self.assertEqual(quant.lot_id, self.lot_1)
        self.assertFalse(quant.package_id)
        self.assertEqual(quant.quantity, 23)
        self.assertEqual(self._balance(self.gain_account), -15)

    def test_missing_accounts_block_the_approval_and_nothing_is_posted(self):
        # A loss: the loss account is the one it needs.
        self.company.cycle_count_loss_account_id = False
        task = self._counted_task(apple=9)
        adjustment = task.adjustment_ids
        with self.assertRaises(UserError) as caught:
            adjustment.with_user(self.supervisor).validate_tier()
        self.assertIn("gain and loss accounts", str(caught.exception))
        self.assertEqual(adjustment.state, "to_approve")
        self.assertFalse(adjustment.move_ids)
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)
        self.assertEqual(adjustment.review_ids.status, "pending")
        # Once configured, the approval goes through.
        self.company.cycle_count_loss_account_id = self.loss_account
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(self._balance(self.loss_account), 10)

    def test_missing_accounts_are_refused_before_stock_is_touched(self):
        """The check runs before any move is made, not undone by a rollback
        afterwards: no savepoint here keeps what would have been written."""
        adjustment = self._counted_task(apple=9, bolt=52).adjustment_ids
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cycle_count_adjustment SET state = 'approved' WHERE id = %s",
            [adjustment.id],
        )
        self.env.invalidate_all()
        self.company.cycle_count_loss_account_id = False
        moves_before = self.env["stock.move"].search_count([])
        refusal = None
        try:
            adjustment.with_user(self.finance).action_apply_to_stock()
        except UserError as error:
            refusal = error
        self.assertIn("gain and loss accounts", str(refusal))
        self.env.flush_all()
        self.assertEqual(self.env["stock.move"].search_count([]), moves_before)
        self.assertFalse(adjustment.move_ids)
        self.assertEqual(adjustment.state, "approved")
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 10)
        self.assertEqual(self._on_hand(self.product_bolt, self.bin_a), 50)
        self.assertEqual(self._balance(self.loss_account), 0)

    def test_valuation_and_ledger_agree_after_any_sequence_of_counts(self):
        """Average cost, with receipts and deliveries between counts: after every
        posting the stock valuation equals the valuation account's balance."""
        self._count_in_rounds("average")

    def test_valuation_and_ledger_agree_with_fifo_too(self):
        self._count_in_rounds("fifo")

    def test_valuation_and_ledger_agree_at_standard_cost(self):
        self._count_in_rounds("standard")

    def _count_in_rounds(self, cost_method):
        self.category.property_cost_method = cost_method
        products = self.product_apple | self.product_bolt | self.product_chip
        scenario = [
            {"apple": 13, "bolt": 47, "chip": 4},  # gain, loss, exact
            {"apple": 11, "bolt": 52, "chip": 6},
            {"apple": 0, "bolt": 52, "chip": 5},
        ]
        for round_number, counts in enumerate(scenario):
            with self.subTest(round=round_number):
                # Stock keeps moving between the rounds, at a new purchase cost.
                self.product_apple.standard_price = 10 + round_number
                self._receive(self.product_apple, self.bin_a, 4)
                self._deliver(self.product_bolt, self.bin_a, 2)
                on_hand_apple = self._on_hand(self.product_apple, self.bin_a)
                task = self._plan(
                    self._create_rule(
                        product_domain=f"[('id', 'in', {products.ids})]",
                        frequency_days=1,
                    ),
                    today=f"2099-01-0{round_number + 1}",
                )
                self._count(
                    task,
                    {
                        self.product_apple: counts["apple"],
                        self.product_bolt: counts["bolt"],
                        self.product_chip: counts["chip"],
                    },
                )
                task.with_user(self.counter).action_mark_counted()
                for adjustment in task.adjustment_ids:
                    for user in (self.supervisor, self.finance, self.manager):
                        if adjustment.with_user(user).can_review:
                            adjustment.with_user(user).validate_tier()
                    self.assertEqual(adjustment.state, "posted")
                    for entry in adjustment.account_move_ids:
                        self.assertAlmostEqual(
                            sum(entry.line_ids.mapped("balance")), 0.0
                        )
                self.assertEqual(
                    self._on_hand(self.product_apple, self.bin_a), counts["apple"]
                )
                self.assertNotEqual(on_hand_apple, counts["apple"])
                # Every product valued on that account, the glue included.
                layers = self.env["stock.valuation.layer"].search(
                    [("product_id.categ_id", "=", self.category.id)]
                )
                self.assertAlmostEqual(
                    sum(layers.mapped("value")),
                    self._balance(self.valuation_account),
                    places=2,
                )

    def test_without_approval_tier_the_counter_s_count_is_posted_at_once(self):
        """No tier applies: marking counted posts at once, even though the counter
        has no right on stock moves or journal entries."""
        self.env["tier.definition"].search(
            [("model", "=", "cycle.count.adjustment")]
        ).active = False
        self.category.property_cost_method = "average"
        task = self._counted_task(apple=12)
        self.assertEqual(task.adjustment_ids.state, "posted")
        self.assertEqual(self._on_hand(self.product_apple, self.bin_a), 12)
        self.assertEqual(self._balance(self.gain_account), -20)
