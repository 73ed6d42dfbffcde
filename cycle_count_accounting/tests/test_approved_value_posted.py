from odoo.tests import tagged

from .common import CycleCountAccountingCase


@tagged("post_install", "-at_install")
class TestApprovedValueIsPosted(CycleCountAccountingCase):
    """Issue 10: the value the tiers see is the value that posts, for standard,
    average and FIFO cost, and the report's totals equal the entries to the
    cent. Tiers: supervisor (> 0), finance (>= 500), director (> 5000)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_supervisor"
        )
        cls.finance_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_finance"
        )

    def _category(self, cost_method):
        return self.category.copy(
            {"name": f"Real time {cost_method}", "property_cost_method": cost_method}
        )

    def _product(self, name, cost_method, cost=0.0):
        return self.env["product.product"].create(
            {
                "name": name,
                "is_storable": True,
                "categ_id": self._category(cost_method).id,
                "standard_price": cost,
            }
        )

    def _receive_at(self, product, qty, price, location=None):
        move = self.env["stock.move"].create(
            {
                "name": "Receipt",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "price_unit": price,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": (location or self.bin_a).id,
                "company_id": self.company.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.move_line_ids.quantity = qty
        move.picked = True
        move._action_done()
        return move

    def _count(self, quantities, location=None):
        """A hand-made task of ``quantities`` ({product: counted}) in one bin,
        counted by the counter and marked counted: its variance report."""
        location = location or self.bin_a
        task = self.env["cycle.count.task"].create(
            {
                "warehouse_id": self.warehouse.id,
                "user_id": self.counter.id,
                "line_ids": [
                    (0, 0, {"product_id": product.id, "location_id": location.id})
                    for product in quantities
                ],
            }
        )
        task = task.with_user(self.counter)
        for line in task.line_ids:
            line.counted_qty = quantities[line.product_id]
        task.action_mark_counted()
        return task.adjustment_ids.with_env(self.env)

    def _approve(self, adjustment):
        for user in (self.supervisor, self.finance, self.manager):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()

    def _posted(self, adjustment, account):
        """The balance the report's entries put on ``account``."""
        lines = adjustment.account_move_ids.line_ids.filtered(
            lambda line: line.account_id == account
        )
        return sum(lines.mapped("balance"))

    def _assert_books_equal_report(self, adjustment):
        self.assertEqual(adjustment.state, "posted")
        currency = adjustment.currency_id
        self.assertFalse(
            currency.compare_amounts(
                self._posted(adjustment, self.loss_account), adjustment.total_loss
            ),
            (self._posted(adjustment, self.loss_account), adjustment.total_loss),
        )
        self.assertFalse(
            currency.compare_amounts(
                -self._posted(adjustment, self.gain_account), adjustment.total_gain
            ),
            (-self._posted(adjustment, self.gain_account), adjustment.total_gain),
        )
        layers = adjustment.move_ids.stock_valuation_layer_ids
        self.assertFalse(
            currency.compare_amounts(sum(layers.mapped("value")), adjustment.net_value)
        )

    def test_fifo_loss_is_valued_from_the_layers_it_consumes(self):
        """The landed main: 5 received at 380, then 5 at 20 (cost 200); 2
        missing were approved at -400 by the supervisor alone, and posted -760
        from the oldest layer, which needed finance. Now -760 is what the tiers
        see: finance is asked."""
        product = self._product("FIFO Valve", "fifo")
        self._receive_at(product, 5, 380)
        self._receive_at(product, 5, 20)
        self.assertEqual(product.standard_price, 200)
        adjustment = self._count({product: 8})
        self.assertEqual(adjustment.total_loss, 760)
        self.assertEqual(adjustment.line_ids.unit_cost, 380)
        self.assertEqual(
            adjustment.review_ids.definition_id,
            self.supervisor_tier | self.finance_tier,
        )
        self._approve(adjustment)
        self._assert_books_equal_report(adjustment)
        self.assertEqual(self._posted(adjustment, self.loss_account), 760)

    def test_fifo_loss_across_layers_rounds_as_the_entry(self):
        """Layers of unround unit values: the report rounds per layer taken, as
        Odoo's FIFO does, so the report and the books agree to the cent."""
        product = self._product("FIFO Thread", "fifo")
        self._receive_at(product, 3, 100 / 3)
        self._receive_at(product, 7, 10.0 / 7)
        adjustment = self._count({product: 1})
        self._approve(adjustment)
        self._assert_books_equal_report(adjustment)

    def test_fifo_gain_and_several_items(self):
        fifo = self._product("FIFO Nut", "fifo")
        self._receive_at(fifo, 4, 12.5)
        self._receive_at(fifo, 4, 7.25, location=self.bin_b)
        adjustment = self.env["cycle.count.adjustment"]
        adjustment |= self._count({fifo: 6, self.product_apple: 7})
        adjustment |= self._count({fifo: 1}, location=self.bin_b)
        for report in adjustment:
            self._approve(report)
            self._assert_books_equal_report(report)

    def test_standard_cost_change_between_count_and_approval(self):
        """Apple: 10 on hand at 10, 8 counted (-20); the standard cost becomes
        12 before the approval: the report is re-valued (-24, a note old → new)
        and posts -24; the same tier applies, so the approval goes on."""
        adjustment = self._count({self.product_apple: 8})
        self.assertEqual(adjustment.total_loss, 20)
        self.product_apple.standard_price = 12
        self._approve(adjustment)
        self.assertEqual(adjustment.total_loss, 24)
        self.assertEqual(adjustment.line_ids.unit_cost, 12)
        self.assertTrue(
            any("Re-valued" in body for body in adjustment.message_ids.mapped("body"))
        )
        self._assert_books_equal_report(adjustment)

    def test_cost_change_crossing_a_band_goes_back_to_the_tiers(self):
        """Chip: 4 on hand at 400, 3 counted (-400: supervisor only). Its cost
        becomes 800: at the supervisor's approval the report is re-valued to
        -800, which needs finance too; the approval starts again with both
        tiers instead of applying."""
        adjustment = self._count({self.product_chip: 3}, location=self.bin_b)
        self.assertEqual(adjustment.review_ids.definition_id, self.supervisor_tier)
        self.product_chip.standard_price = 800
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(adjustment.state, "to_approve")
        self.assertEqual(adjustment.total_loss, 800)
        self.assertFalse(adjustment.move_ids)
        self.assertEqual(
            adjustment.review_ids.definition_id,
            self.supervisor_tier | self.finance_tier,
        )
        self.assertNotIn("approved", adjustment.review_ids.mapped("status"))
        self._approve(adjustment)
        self._assert_books_equal_report(adjustment)
        self.assertEqual(self._posted(adjustment, self.loss_account), 800)

    def test_average_cost_moved_by_a_receipt_between_count_and_approval(self):
        product = self._product("AVCO Oil", "average")
        self._receive_at(product, 10, 10)
        adjustment = self._count({product: 8})
        self.assertEqual(adjustment.total_loss, 20)
        self._receive_at(product, 10, 30)  # average cost 20
        self._approve(adjustment)
        self.assertEqual(adjustment.total_loss, 40)
        self._assert_books_equal_report(adjustment)

    def test_average_gain_posts_at_the_average(self):
        product = self._product("AVCO Wax", "average")
        self._receive_at(product, 3, 10)
        self._receive_at(product, 3, 10.01)
        adjustment = self._count({product: 7})
        self._approve(adjustment)
        self._assert_books_equal_report(adjustment)
        self.assertEqual(adjustment.total_gain, adjustment.line_ids.variance_value)

    def test_average_cost_moving_between_chunks_posts_the_approved_value(self):
        """Issue 14: a report posted in background chunks, a receipt between
        them moving the average cost: every loss posts the value approved
        (not the new average), the books equal the report, and each
        product's cost stays its stock value over its quantity (the
        difference stays in the remaining stock), said on the report."""
        self.env["ir.config_parameter"].set_param(
            "cycle_count_approval.apply_chunk_size", "1"
        )
        first = self._product("AVCO Bolt", "average")
        second = self._product("AVCO Nut", "average")
        for product in first | second:
            self._receive_at(product, 10, 10)
        adjustment = self._count({first: 8, second: 8})
        approved = {
            line.product_id: line.variance_value
            for line in adjustment._get_lines_to_apply()
        }
        self.assertEqual(set(approved.values()), {-20})
        self._approve(adjustment)
        self.assertTrue(adjustment.is_applying)
        self.assertTrue(adjustment._apply_chunk_in_own_transaction()["report"])
        # Between the chunks, a receipt at 20 moves both averages.
        for product in first | second:
            self._receive_at(product, 10, 20)
        while adjustment._apply_chunk_in_own_transaction()["report"]:
            pass
        adjustment.invalidate_recordset()
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(len(adjustment.move_ids), 2)
        for move in adjustment.move_ids:
            line = move.cycle_count_adjustment_line_id
            self.assertAlmostEqual(
                sum(move.stock_valuation_layer_ids.mapped("value")),
                approved[line.product_id],
            )
            self.assertAlmostEqual(line.variance_value, approved[line.product_id])
        self._assert_books_equal_report(adjustment)
        self.assertAlmostEqual(self._posted(adjustment, self.loss_account), 40)
        for product in first | second:
            layers = self.env["stock.valuation.layer"].search(
                [("product_id", "=", product.id)]
            )
            self.assertAlmostEqual(
                product.standard_price,
                sum(layers.mapped("value")) / sum(layers.mapped("quantity")),
                places=2,
            )
        notes = adjustment.message_ids.filtered(
            lambda message: "approved unit cost" in (message.body or "")
        )
        self.assertEqual(len(notes), 1)
