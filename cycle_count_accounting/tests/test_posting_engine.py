from odoo import SUPERUSER_ID
from odoo.tests import tagged

from .test_posting_engine_differential import PostingEngineCase


@tagged("post_install", "-at_install")
class TestPostingEngine(PostingEngineCase):
    def _notes(self, report):
        return report.message_ids.filtered(
            lambda message: "set-based posting engine" in (message.body or "")
        )

    def _engine_report(self, variances):
        report = self.reports[self.warehouse.code]
        self._set_variances(report, variances)
        return report

    def test_fallback_leaves_a_note_and_posts_through_odoo(self):
        """An item valued per lot is not the engine's: the report says why,
        and Odoo's path posts all of it (stock, layers, the one entry)."""
        self.product_lot.lot_valuated = True
        product = self.engine_products[0]
        report = self._engine_report({product: (-2.0, None)})
        glue = report.line_ids.filtered(
            lambda line: line.product_id == self.product_lot
        )
        self.env.cr.execute(
            "UPDATE cycle_count_adjustment_line SET difference_qty = -3 WHERE id = %s",
            [glue.id],
        )
        self.env.invalidate_all()
        self._set_engine(True)
        self._post(report)
        notes = self._notes(report)
        self.assertTrue(notes)
        for note in notes:
            self.assertIn("Lot Glue", note.body)
        self.assertEqual(len(report.move_ids), 2)
        self.assertEqual(set(report.move_ids.mapped("state")), {"done"})
        # One entry per stock journal (the two categories' journals).
        self.assertTrue(report.account_move_ids)
        self.assertEqual(set(report.account_move_ids.mapped("state")), {"posted"})
        self.assertEqual(
            report.move_ids.stock_valuation_layer_ids.account_move_id,
            report.account_move_ids,
        )

    def test_switch_off_posts_through_odoo(self):
        """The support switch (system parameter) off: Odoo's machinery posts,
        with no note (nothing fell back) and its many more queries."""
        variances = dict.fromkeys(self.engine_products, (2.0, None))
        report = self.reports[self.warehouse.code]
        queries = {}
        for enabled in (True, False):
            with self.env.cr.savepoint() as savepoint:
                self._set_variances(report, variances)
                self._set_engine(enabled)
                self.assertEqual(
                    self.env["cycle.count.posting.engine"]._is_enabled(), enabled
                )
                queries[enabled] = self._count_queries(self._post, report)
                self.assertFalse(self._notes(report))
                self.assertEqual(len(report.move_ids), 6)
                self.assertEqual(len(report.account_move_ids), 1)
                self.env.flush_all()
                savepoint.rollback()
                self.env.invalidate_all()
        self.assertLess(queries[True], queries[False], queries)

    def test_valuation_equals_ledger_after_the_engine(self):
        variances = {}
        for index, product in enumerate(self.engine_products):
            variances[product] = (4.0 if index % 2 else -5.0, None)
        report = self._engine_report(variances)
        self._set_engine(True)
        self._post(report)
        self.assertFalse(self._notes(report))
        layers = self.env["stock.valuation.layer"].search(
            [
                (
                    "product_id.categ_id.property_stock_valuation_account_id",
                    "=",
                    self.valuation_account.id,
                )
            ]
        )
        self.assertAlmostEqual(
            sum(layers.mapped("value")), self._balance(self.valuation_account), 2
        )
        entry = report.account_move_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        self.assertTrue(entry.name and entry.name != "/")
        self.assertAlmostEqual(sum(entry.line_ids.mapped("balance")), 0.0)
        # Each layer's value is debited once (and credited once).
        values = report.move_ids.stock_valuation_layer_ids.mapped("value")
        self.assertAlmostEqual(
            sum(entry.line_ids.mapped("debit")), sum(abs(value) for value in values)
        )
        # Odoo's own reports read it: the stock valuation report per product
        # (quantity_svl) and the quants agree with the on-hand.
        for product in self.engine_products:
            product = product.with_company(self.company)
            self.assertAlmostEqual(product.quantity_svl, product.qty_available)

    def test_a_line_is_never_posted_twice(self):
        """The engine called twice on the same lines posts them once."""
        product = self.engine_products[2]
        report = self._engine_report({product: (-3.0, None)})
        self._set_engine(True)
        engine = self.env["cycle.count.posting.engine"]
        report = report.with_user(SUPERUSER_ID).with_company(self.company)
        lines = report._get_lines_to_apply()
        bin_quant = self.env["stock.quant"].search(
            [("product_id", "=", product.id), ("location_id", "=", self.bin_a.id)]
        )
        before = bin_quant.quantity
        moves, reason = engine._post_lines(report, lines)
        self.assertFalse(reason)
        self.assertEqual(len(moves), 1)
        again, reason = engine._post_lines(report, lines)
        self.assertFalse(reason)
        self.assertFalse(again)
        self.env.invalidate_all()
        self.assertEqual(bin_quant.quantity, before - 3)
        self.assertEqual(len(report.move_ids), 1)
        self.assertEqual(len(report.move_ids.stock_valuation_layer_ids), 1)

    def _reserve(self, product, qty):
        """A delivery from the bin, reserved on its quant."""
        delivery = self.env["stock.move"].create(
            {
                "name": "Engine delivery",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "location_id": self.bin_a.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "company_id": self.company.id,
            }
        )
        delivery._action_confirm()
        delivery._action_assign()
        self.assertEqual(delivery.state, "assigned")
        return delivery

    def test_a_reserved_bin_keeps_its_reservation(self):
        """A loss at a bin reserved by a delivery: the reservation kept (the
        inventory move line reserves and frees its own quantity), by the
        engine as by Odoo; beyond what the loss leaves (Odoo would unreserve
        the delivery: _free_reservation) the report falls back, and says
        so."""
        product = self.engine_products[0]
        report = self.reports[self.warehouse.code]
        for loss, falls_back in ((-4.0, False), (-10.0, False), (-12.0, True)):
            with self.subTest(loss=loss):
                odoo, engine = self._run_both(
                    report,
                    {product: (loss, None)},
                    prepare=lambda: self._reserve(product, 5),
                )
                self.assertEqual(engine["fallback"], falls_back)
                self._assert_same(odoo, engine)
                quant = [
                    q
                    for q in engine["quants"]
                    if q["product_id"] == product.id
                    and q["location_id"] == self.bin_a.id
                ]
                self.assertEqual(quant[0]["quantity"], 15 + loss)
                if falls_back:
                    self.assertIn("is reserved beyond", engine["notes"][0])
                else:
                    self.assertEqual(quant[0]["reserved_quantity"], 5)

    def test_stock_without_lot_beside_a_lot_falls_back(self):
        """Odoo takes a lot's loss from the bin's stock without lot (or makes
        up a negative lot from it): not the engine's, said on the report."""
        report = self.reports[self.warehouse.code]
        odoo, engine = self._run_both(
            report,
            {self.product_lot: (-3.0, None)},
            prepare=lambda: (
                self.env["stock.quant"]
                .sudo()
                ._update_available_quantity(self.product_lot, self.bin_c, 2)
            ),
        )
        self.assertTrue(engine["fallback"])
        self.assertIn("stock without lot beside its lots", engine["notes"][0])
        self._assert_same(odoo, engine)
