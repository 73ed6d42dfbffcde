from odoo import Command
from odoo.tests import TransactionCase, tagged

from .common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestReadiness(CycleCountTestMixin, TransactionCase):
    """Each go-live check finds hand-made bad data and leaves good data out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls.Readiness = cls.env["cycle.count.readiness"].with_user(cls.manager)

    def _found(self, code):
        """The records the check ``code`` finds, as its Fix link opens them."""
        check = next(
            c
            for c in self.Readiness._get_readiness_checks(self.company)
            if c["code"] == code
        )
        return self.env[check["model"]].search(check["domain"])

    def _row(self, code):
        action = self.Readiness.action_check()
        rows = self.Readiness.search(action["domain"])
        return rows.filtered(lambda r: r.code == code)

    def test_products_without_barcode(self):
        self.product_apple.barcode = "4006381333931"
        found = self._found("product_barcode")
        self.assertNotIn(self.product_apple, found)
        self.assertIn(self.product_bolt, found)
        row = self._row("product_barcode")
        self.assertEqual(row.record_count, len(found))
        self.assertEqual(row.status, "todo")
        action = row.action_open_records()
        self.assertEqual(action["res_model"], "product.product")
        self.assertEqual(self.env["product.product"].search(action["domain"]), found)

    def test_bins_without_barcode(self):
        self.bin_a.barcode = "BIN-A-01"
        found = self._found("location_barcode")
        self.assertNotIn(self.bin_a, found)
        self.assertIn(self.bin_b, found)

    def test_barcode_shared_between_product_and_bin(self):
        self.product_apple.barcode = "SAME-CODE"
        self.bin_a.barcode = "SAME-CODE"
        self.product_bolt.barcode = "UNIQUE-BOLT"
        self.bin_b.barcode = "UNIQUE-BIN"
        self.assertEqual(self._found("product_barcode_shared"), self.product_apple)
        self.assertEqual(self._found("location_barcode_shared"), self.bin_a)

    def test_barcode_shared_with_a_packaging(self):
        self.bin_b.barcode = "PACK-12"
        self.env["product.packaging"].create(
            {
                "name": "Box",
                "product_id": self.product_bolt.id,
                "qty": 12,
                "barcode": "PACK-12",
            }
        )
        self.assertEqual(self._found("product_barcode_shared"), self.product_bolt)
        self.assertEqual(self._found("location_barcode_shared"), self.bin_b)

    def test_products_sharing_a_reference(self):
        twin = self.env["product.product"].create(
            {
                "name": "Apple Juice (copy)",
                "default_code": "CC-APL",
                "is_storable": True,
            }
        )
        found = self._found("product_code_shared")
        self.assertEqual(found, self.product_apple | twin)

    def test_storable_products_without_cost(self):
        free = self.env["product.product"].create(
            {"name": "No cost", "is_storable": True, "standard_price": 0}
        )
        service = self.env["product.product"].create(
            {"name": "Service", "type": "service", "standard_price": 0}
        )
        found = self._found("product_cost")
        self.assertIn(free, found)
        self.assertNotIn(service, found)
        self.assertNotIn(self.product_apple, found)

    def test_warehouses_without_capacity(self):
        self.assertIn(self.warehouse, self._found("warehouse_capacity"))
        capacity = self.env["cycle.count.capacity"].create(
            {"warehouse_id": self.warehouse.id, "lines_per_counter": 50}
        )
        # A capacity without counters gives the work to nobody: still to fix.
        self.assertIn(self.warehouse, self._found("warehouse_capacity"))
        capacity.user_ids = [Command.set(self.counter.ids)]
        self.assertNotIn(self.warehouse, self._found("warehouse_capacity"))

    def test_capacity_link_opens_the_capacity(self):
        other = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id), ("id", "!=", self.warehouse.id)]
        )
        self.env["cycle.count.capacity"].create(
            [
                {"warehouse_id": w.id, "user_ids": [Command.set(self.counter.ids)]}
                for w in other
            ]
        )
        action = self._row("warehouse_capacity").action_open_records()
        self.assertEqual(action["res_model"], "cycle.count.capacity")
        self.assertEqual(action["context"]["default_warehouse_id"], self.warehouse.id)
        self.assertEqual(action["views"], [(False, "form")])

    def test_ready_check_shows_ready(self):
        for product in self.env["product.product"].search(
            [("is_storable", "=", True), ("barcode", "=", False)]
        ):
            product.barcode = f"EAN-{product.id}"
        row = self._row("product_barcode")
        self.assertEqual(row.record_count, 0)
        self.assertEqual(row.status, "ok")
