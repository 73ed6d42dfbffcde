from odoo.tests import tagged

from .common import CycleCountAccountingCase


@tagged("post_install", "-at_install")
class TestBackgroundPosting(CycleCountAccountingCase):
    """A report posted in background chunks (issue 14): the entry is built once,
    after the last chunk, from every chunk's layers; the value approved is the
    value posted, the entry balances, valuation equals the ledger. Book: apple
    10 × 10, bolt 50 × 25, chip 4 × 400, glue lot 20 × 5."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param(
            "cycle_count_approval.apply_chunk_size", "1"
        )

    def _approve(self, adjustment):
        for user in (self.supervisor, self.finance, self.manager):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()

    def _post_in_chunks(self, adjustment):
        chunks = 0
        while adjustment._apply_chunk_in_own_transaction()["report"]:
            chunks += 1
        adjustment.invalidate_recordset()
        return chunks

    def _valuation_total(self, products):
        layers = self.env["stock.valuation.layer"].search(
            [("product_id", "in", products.ids)]
        )
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", self.valuation_account.id),
                ("parent_state", "=", "posted"),
                ("product_id", "in", products.ids),
            ]
        )
        return round(sum(layers.mapped("value")), 2), round(
            sum(lines.mapped("balance")), 2
        )

    def test_chunks_post_the_approved_value_in_one_balanced_entry(self):
        adjustment = self._counted_task(
            apple=12, bolt=46, chip=3, glue=23
        ).adjustment_ids
        approved_net = adjustment.net_value
        approved_lines = {
            line.id: line.variance_value for line in adjustment._get_lines_to_apply()
        }
        self._approve(adjustment)
        self.assertTrue(adjustment.is_applying)
        self.assertFalse(adjustment.move_ids)
        self.assertEqual(self._post_in_chunks(adjustment), 4)
        self.assertEqual(adjustment.state, "posted")
        entry = adjustment.account_move_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        self.assertAlmostEqual(sum(entry.line_ids.mapped("balance")), 0.0)
        # The value approved is the value posted, line by line and in total.
        for move in adjustment.move_ids:
            line = move.cycle_count_adjustment_line_id
            self.assertAlmostEqual(
                sum(move.stock_valuation_layer_ids.mapped("value")),
                approved_lines[line.id],
            )
        valuation = entry.line_ids.filtered(
            lambda aml: aml.account_id == self.valuation_account
        )
        self.assertAlmostEqual(sum(valuation.mapped("balance")), approved_net)
        # Every chunk's layers are in that one entry: valuation = ledger.
        self.assertEqual(
            adjustment.move_ids.stock_valuation_layer_ids.account_move_id, entry
        )
        products = adjustment.line_ids.product_id
        layers_total, ledger_total = self._valuation_total(products)
        self.assertEqual(layers_total, ledger_total)
        self.assertEqual(
            (adjustment.apply_lines_done, adjustment.apply_lines_total), (4, 4)
        )

    def test_between_chunks_nothing_is_in_the_ledger_yet(self):
        adjustment = self._counted_task(apple=12, bolt=46).adjustment_ids
        self._approve(adjustment)
        result = adjustment._apply_chunk_in_own_transaction()
        self.assertTrue(result["applying"])
        adjustment.invalidate_recordset()
        self.assertEqual(len(adjustment.move_ids), 1)
        self.assertFalse(adjustment.account_move_ids)
        self.assertFalse(adjustment.move_ids.stock_valuation_layer_ids.account_move_id)
        self._post_in_chunks(adjustment)
        self.assertEqual(len(adjustment.account_move_ids), 1)
