import uuid

from odoo.tests import TransactionCase, tagged

from .common import MobileTestMixin


class BatchQueriesMixin:
    def _queries_of(self, counts):
        """The queries the counter's batch ``counts`` costs, from a cold cache,
        writes included; every count accepted."""
        task = self.task.with_user(self.counter)
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = task.env["cycle.count.api"]._submit_counts(task, counts)
        self.env.flush_all()
        self.assertEqual(result["accepted"], len(counts))
        return self.env.cr.sql_log_count - before


@tagged("post_install", "-at_install")
class TestDeviceCountsQueries(BatchQueriesMixin, MobileTestMixin, TransactionCase):
    """A batch costs a fixed number of queries, whatever its size: set-based,
    never a query per count (200 000 quants, 10 000 counts a day)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        bins = cls.env["stock.location"].create(
            [
                {"name": f"Q-{i:02d}", "location_id": cls.stock_location.id}
                for i in range(12)
            ]
        )
        products = cls.env["product.product"].create(
            [{"name": f"Item {i}", "is_storable": True} for i in range(20)]
        )
        items = [(b, p, None) for b in bins for p in products][:230]
        cls.task = cls._make_task(cls.counter, items)

    def _submit(self, lines):
        counts = [
            {"client_id": str(uuid.uuid4()), "line_id": line.id, "quantity": 3}
            for line in lines
        ]
        return self._queries_of(counts)

    def test_queries_do_not_grow_with_the_batch(self):
        lines = self.task.line_ids
        self._submit(lines[:10])  # warm the caches
        small = self._submit(lines[10:20])
        large = self._submit(lines[20:220])
        self.assertLess(small, 40)
        self.assertLessEqual(large, small + 10, f"10 counts: {small}, 200: {large}")


@tagged("post_install", "-at_install")
class TestFoundItemsQueries(BatchQueriesMixin, MobileTestMixin, TransactionCase):
    """Items found where the task did not list them (a whole bin counted) cost no
    query each either: what they name is read once per batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls.products = cls.env["product.product"].create(
            [{"name": f"Found {i}", "is_storable": True} for i in range(115)]
        )
        cls.task = cls._make_task(cls.counter, [(cls.bin_a, cls.product_apple, None)])

    def _submit(self, products):
        counts = [
            {
                "client_id": str(uuid.uuid4()),
                "location_id": self.bin_a.id,
                "product_id": product.id,
                "quantity": 2,
            }
            for product in products
        ]
        return self._queries_of(counts)

    def test_queries_do_not_grow_with_the_found_items(self):
        self._submit(self.products[:5])  # warm the caches
        small = self._submit(self.products[5:15])
        large = self._submit(self.products[15:115])
        self.assertEqual(len(self.task.line_ids), 116)
        self.assertLessEqual(large, small + 10, f"10 found: {small}, 100: {large}")
