from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestAbcClassification(CycleCountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.class_a = cls.env.ref("cycle_count_planning.abc_class_a")
        cls.class_b = cls.env.ref("cycle_count_planning.abc_class_b")
        cls.class_c = cls.env.ref("cycle_count_planning.abc_class_c")
        # Deliveries of the last year, each received first so stock stays put:
        # chip 10 × 400 = 4000 (1 move), bolt 40 × 25 = 1000 (1 move),
        # apple 3 × 10 × 10 = 300 (3 moves); the glue never leaves.
        for product, qty, location, moves in (
            (cls.product_chip, 10, cls.bin_b, 1),
            (cls.product_bolt, 40, cls.bin_a, 1),
            (cls.product_apple, 10, cls.bin_a, 3),
        ):
            for _i in range(moves):
                cls._receive(product, location, qty, days_ago=200)
                cls._ship(product, location, qty, days_ago=100)
        # Older than the period: does not count.
        cls._receive(cls.product_apple, cls.bin_a, 1000, days_ago=401)
        cls._ship(cls.product_apple, cls.bin_a, 1000, days_ago=400)
        cls.products = (
            cls.product_apple | cls.product_bolt | cls.product_chip | cls.product_lot
        )

    def _classes(self, profile):
        rows = self.env["cycle.count.product.class"].search(
            [("profile_id", "=", profile.id), ("product_id", "in", self.products.ids)]
        )
        return {row.product_id: row.abc_class_id.code for row in rows}

    def test_consumption_value_ranks_by_outgoing_value(self):
        profile = self._abc_profile(basis="consumption_value")
        self.assertEqual(
            self._classes(profile),
            {
                self.product_chip: "A",  # 4000 of 5300: 0 % before it
                self.product_bolt: "A",  # 75.5 % before it, under 80 %
                self.product_apple: "B",  # 94.3 % before it, under 95 %
                self.product_lot: "C",  # no value at all
            },
        )
        chip = profile.class_line_ids.filtered(
            lambda r: r.product_id == self.product_chip
        )
        self.assertAlmostEqual(chip.basis_value, 4000.0)
        self.assertAlmostEqual(chip.share, 4000 / 5300 * 100, places=2)
        self.assertEqual(chip.rank, 1)
        self.assertEqual(profile.date_computed, date.today())
        self.assertEqual(profile.product_count_a, 2)

    def test_class_and_date_are_stored_on_the_product(self):
        self._abc_profile(basis="consumption_value")
        self.assertEqual(self.product_chip.cycle_count_abc_class_id, self.class_a)
        self.assertEqual(self.product_apple.cycle_count_abc_class_id, self.class_b)
        self.assertEqual(self.product_lot.cycle_count_abc_class_id, self.class_c)
        self.assertEqual(self.product_chip.cycle_count_abc_date, date.today())
        # The field is searchable, so a rule's product filter can use it.
        found = self.env["product.product"].search(
            [
                ("cycle_count_abc_class_id", "=", self.class_a.id),
                ("id", "in", self.products.ids),
            ]
        )
        self.assertEqual(found, self.product_chip | self.product_bolt)

    def test_outgoing_quantity(self):
        profile = self._abc_profile(basis="outgoing_qty")
        # bolt 40, apple 30, chip 10 of 80.
        self.assertEqual(
            self._classes(profile),
            {
                self.product_bolt: "A",
                self.product_apple: "A",
                self.product_chip: "B",
                self.product_lot: "C",
            },
        )

    def test_pick_frequency(self):
        profile = self._abc_profile(basis="pick_frequency")
        # apple 3 moves, bolt 1, chip 1 (ties by id: bolt first) of 5.
        self.assertEqual(
            self._classes(profile),
            {
                self.product_apple: "A",
                self.product_bolt: "A",
                self.product_chip: "B",
                self.product_lot: "C",
            },
        )

    def test_onhand_value(self):
        profile = self._abc_profile(basis="onhand_value")
        # chip 1600, bolt 1250, apple 100, glue 100 of 3050.
        self.assertEqual(
            self._classes(profile),
            {
                self.product_chip: "A",
                self.product_bolt: "A",
                self.product_apple: "B",
                self.product_lot: "C",
            },
        )

    def test_period_and_thresholds(self):
        # Over 500 days the old apple delivery (10 000 of 15 300) comes first,
        # and pushes the bolt (93.5 % before it) into B.
        profile = self._abc_profile(basis="consumption_value", period_days=500)
        classes = self._classes(profile)
        self.assertEqual(classes[self.product_apple], "A")
        self.assertEqual(classes[self.product_chip], "A")
        self.assertEqual(classes[self.product_bolt], "B")
        profile = self._abc_profile(
            basis="consumption_value", period_days=365, threshold_a=50, threshold_b=99
        )
        self.assertEqual(
            self._classes(profile),
            {
                self.product_chip: "A",
                self.product_bolt: "B",
                self.product_apple: "B",
                self.product_lot: "C",
            },
        )

    def test_class_changes_are_tracked(self):
        day_1, day_2, day_3 = (date.today() + timedelta(days=n) for n in (1, 2, 3))
        with freeze_time(day_1):
            profile = self._abc_profile(basis="consumption_value")
        History = self.env["cycle.count.product.class.history"]
        first = History.search(
            [("profile_id", "=", profile.id), ("product_id", "in", self.products.ids)]
        )
        self.assertEqual(len(first), 4)
        self.assertFalse(first.old_class_id)
        # Same data again: nothing changed, nothing recorded.
        with freeze_time(day_2):
            profile._compute_classes()
        self.assertEqual(
            History.search_count(
                [
                    ("profile_id", "=", profile.id),
                    ("product_id", "in", self.products.ids),
                ]
            ),
            4,
        )
        with freeze_time(day_3):
            profile.write({"basis": "outgoing_qty"})
            profile._compute_classes()
        changes = History.search(
            [
                ("profile_id", "=", profile.id),
                ("product_id", "in", self.products.ids),
                ("date", "=", day_3),
            ]
        )
        self.assertEqual(
            {(c.product_id, c.old_class_id.code, c.new_class_id.code) for c in changes},
            {
                (self.product_apple, "B", "A"),
                (self.product_chip, "A", "B"),
            },
        )
        self.assertEqual(self.product_apple.cycle_count_abc_class_id, self.class_a)

    def test_warehouse_profile_ranks_its_own_moves(self):
        second = self.env["stock.warehouse"].create(
            {"name": "Second", "code": "CC2", "company_id": self.company.id}
        )
        self._receive(self.product_lot, second.lot_stock_id, 100, lot=self.lot_1)
        self._ship(self.product_lot, second.lot_stock_id, 100, lot=self.lot_1)
        profile = self.env["cycle.count.abc.profile"].create(
            {
                "name": "Second only",
                "warehouse_id": second.id,
                "company_id": self.company.id,
            }
        )
        profile._compute_classes()
        self.assertEqual(
            self._classes(profile),
            {
                self.product_lot: "A",
                self.product_chip: "C",
                self.product_bolt: "C",
                self.product_apple: "C",
            },
        )
        # Only the company-wide profile writes the product's class.
        self.assertFalse(self.product_lot.cycle_count_abc_class_id)

    def test_companies_are_classified_apart(self):
        company_b = self.env["res.company"].create({"name": "ABC Company B"})
        self._abc_profile(basis="consumption_value")
        profile_b = self.env["cycle.count.abc.profile"].search(
            [("company_id", "=", company_b.id)]
        )
        self.assertEqual(len(profile_b), 1, "a new company gets its profile")
        profile_b._compute_classes()
        self.assertEqual(set(self._classes(profile_b).values()), {"C"})
        self.assertEqual(
            self.product_chip.with_company(company_b).cycle_count_abc_class_id,
            self.class_c,
        )
        self.assertEqual(
            self.product_chip.with_company(self.company).cycle_count_abc_class_id,
            self.class_a,
        )
        with self.assertRaises(AccessError):
            profile_b.with_user(self.manager).read(["name"])

    def test_cron_and_button_compute(self):
        profile = self.env["cycle.count.abc.profile"].search(
            [("company_id", "=", self.company.id), ("warehouse_id", "=", False)]
        )
        self.env["cycle.count.abc.profile"]._cron_compute_classes()
        self.assertEqual(profile.date_computed, date.today())
        self.assertEqual(self._classes(profile)[self.product_chip], "A")
        with self.assertRaises(AccessError):
            profile.with_user(self.supervisor).action_compute()
        profile.with_user(self.manager).action_compute()

    def test_profile_form_refuses_bad_values(self):
        form = Form(self.env["cycle.count.abc.profile"].with_user(self.manager))
        form.name = "Second company-wide"
        # Odoo's assertRaises rolls back to a savepoint: nothing stays written.
        with self.assertRaises(ValidationError) as caught:
            form.save()
        self.assertIn("already has an active ABC profile", str(caught.exception))
        form.warehouse_id = self.warehouse
        form.threshold_a = 96
        with self.assertRaises(ValidationError) as caught:
            form.save()
        self.assertIn("0 < A < B", str(caught.exception))
        form.threshold_a = 70
        profile = form.save()
        self.assertEqual(profile.warehouse_id, self.warehouse)

    def test_classification_takes_the_same_queries_whatever_the_products(self):
        profile = self._abc_profile(basis="consumption_value")
        few = self._count_queries(profile._compute_classes)
        products = self.env["product.product"].create(
            [
                {"name": f"Many {i}", "is_storable": True, "standard_price": i + 1}
                for i in range(30)
            ]
        )
        for product in products[:10]:
            self._receive(product, self.bin_a, 5)
            self._ship(product, self.bin_a, 5)
        many = self._count_queries(profile._compute_classes)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 10)
        self.assertEqual(
            len(profile.class_line_ids.filtered(lambda r: r.product_id in products)), 30
        )
