from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestRuleDimensions(CycleCountCase):
    """Each dimension of a rule on its own, then combined as the seed asks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = date.today()
        cls.class_a = cls.env.ref("cycle_count_planning.abc_class_a")
        cls.class_b = cls.env.ref("cycle_count_planning.abc_class_b")
        cls.class_c = cls.env.ref("cycle_count_planning.abc_class_c")
        cls.Rule = cls.env["cycle.count.rule"]
        # Product dimensions: category, tag, supplier, tracking (the glue).
        cls.category = cls.env["product.category"].create({"name": "Electronics"})
        cls.product_chip.categ_id = cls.category
        cls.tag = cls.env["product.tag"].create({"name": "Fasteners"})
        cls.product_bolt.product_tag_ids = [Command.set(cls.tag.ids)]
        cls.supplier = cls.env["res.partner"].create({"name": "Orchard Supplies"})
        cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.supplier.id,
                "product_tmpl_id": cls.product_apple.product_tmpl_id.id,
                "price": 8.0,
            }
        )
        # Movement: the bolt left A-01 twice 3 days ago, the apple arrived in A-01
        # 5 days ago, the chip left A-02 20 days ago; an inventory adjustment of
        # the glue 40 days ago is no movement (but a count: due in 30 days).
        cls._ship(cls.product_bolt, cls.bin_a, 5, days_ago=3)
        cls._ship(cls.product_bolt, cls.bin_a, 5, days_ago=3)
        cls._receive(cls.product_apple, cls.bin_a, 10, days_ago=5)
        cls._ship(cls.product_chip, cls.bin_b, 1, days_ago=20)
        cls._move(
            cls.product_lot,
            cls.product_lot.with_company(cls.company).property_stock_inventory,
            cls.bin_c,
            1,
            days_ago=40,
            lot=cls.lot_1,
            inventory=True,
        )
        # Consumption value over a year: chip 400, bolt 250: both A; apple and
        # glue have no outgoing value: C. Received first to keep the stock.
        cls._receive(cls.product_apple, cls.bin_a, 3, days_ago=60)
        cls._ship(cls.product_apple, cls.bin_a, 3, days_ago=50)
        cls._abc_profile(basis="consumption_value", threshold_a=90, threshold_b=99)

    def _selected(self, rule):
        """(location, product) of the items the rule finds due today."""
        items = self.env["cycle.count.planner"]._due_items(rule, self.today)
        locations = self.env["stock.location"].browse([i["location_id"] for i in items])
        products = self.env["product.product"].browse([i["product_id"] for i in items])
        return set(zip(locations, products, strict=True))

    def _products(self, rule):
        return {product for _location, product in self._selected(rule)}

    def test_abc_classes_of_the_company_profile(self):
        self.assertEqual(self.product_chip.cycle_count_abc_class_id, self.class_a)
        self.assertEqual(self.product_bolt.cycle_count_abc_class_id, self.class_a)
        self.assertEqual(self.product_apple.cycle_count_abc_class_id, self.class_b)
        rule = self._create_rule(abc_class_ids=[Command.set(self.class_a.ids)])
        self.assertEqual(self._products(rule), {self.product_chip, self.product_bolt})
        rule.abc_class_ids = self.class_b | self.class_c
        self.assertEqual(self._products(rule), {self.product_apple, self.product_lot})

    def test_product_filter_by_category_tag_supplier_and_tracking(self):
        for domain, expected in (
            (f"[('categ_id', 'child_of', {self.category.id})]", {self.product_chip}),
            (f"[('all_product_tag_ids', 'in', {self.tag.ids})]", {self.product_bolt}),
            (
                f"[('seller_ids.partner_id', 'in', {self.supplier.ids})]",
                {self.product_apple},
            ),
            ("[('tracking', '=', 'lot')]", {self.product_lot}),
            ("[('standard_price', '>=', 20)]", {self.product_bolt, self.product_chip}),
        ):
            with self.subTest(domain=domain):
                rule = self._create_rule(product_domain=domain)
                self.assertEqual(self._products(rule), expected)

    def test_movement_direction_window_and_count(self):
        for values, expected in (
            ({"move_direction": "out", "move_days": 7}, {self.product_bolt}),
            (
                {"move_direction": "out", "move_days": 7, "move_min_count": 2},
                {self.product_bolt},
            ),
            ({"move_direction": "out", "move_days": 7, "move_min_count": 3}, set()),
            ({"move_direction": "in", "move_days": 7}, {self.product_apple}),
            ({"move_direction": "in", "move_days": 60}, {self.product_apple}),
            (
                {"move_direction": "out", "move_days": 30},
                {self.product_bolt, self.product_chip},
            ),
            (
                {"move_direction": "any", "move_days": 30},
                {self.product_bolt, self.product_chip, self.product_apple},
            ),
        ):
            with self.subTest(values=values):
                rule = self._create_rule(**values)
                self.assertEqual(self._products(rule), expected)

    def test_delivery_orders_are_movement_and_consumption(self):
        picking = self._deliver_picking(self.product_apple, self.bin_a, 4)
        self.assertEqual(picking.state, "done")
        rule = self._create_rule(move_direction="out", move_days=2)
        self.assertEqual(self._products(rule), {self.product_apple})
        profile = self._abc_profile(basis="pick_frequency")
        apple = profile.class_line_ids.filtered(
            lambda c: c.product_id == self.product_apple
        )
        self.assertEqual(apple.basis_value, 2, "the delivery order and the older one")

    def test_an_internal_transfer_moves_both_bins(self):
        self._move(self.product_chip, self.bin_b, self.bin_a, 1, days_ago=1)
        out = self._create_rule(move_direction="out", move_days=2)
        incoming = self._create_rule(move_direction="in", move_days=2)
        self.assertEqual(self._selected(out), {(self.bin_b, self.product_chip)})
        self.assertEqual(self._selected(incoming), {(self.bin_a, self.product_chip)})

    def test_unit_cost_and_onhand_value(self):
        rule = self._create_rule(unit_cost_min=100)
        self.assertEqual(self._products(rule), {self.product_chip})
        # bolt 40 × 25 = 1000 and chip 3 × 400 = 1200; apple 20 × 10, glue 21 × 5.
        rule = self._create_rule(onhand_value_min=1000)
        self.assertEqual(self._products(rule), {self.product_bolt, self.product_chip})

    def test_location_subtrees_and_warehouses(self):
        zone = self.env["stock.location"].create(
            {"name": "Zone Z", "location_id": self.stock_location.id, "usage": "view"}
        )
        bin_z = self.env["stock.location"].create(
            {"name": "Z-01", "location_id": zone.id, "usage": "internal"}
        )
        self.env["stock.quant"]._update_available_quantity(self.product_chip, bin_z, 2)
        second = self.env["stock.warehouse"].create(
            {"name": "Second", "code": "CC2", "company_id": self.company.id}
        )
        self.env["stock.quant"]._update_available_quantity(
            self.product_apple, second.lot_stock_id, 7
        )
        rule = self._create_rule(location_ids=[Command.set(zone.ids)])
        self.assertEqual(self._selected(rule), {(bin_z, self.product_chip)})
        rule = self._create_rule(location_ids=[Command.set(self.bin_a.ids)])
        self.assertEqual(self._products(rule), {self.product_apple, self.product_bolt})
        rule = self._create_rule(warehouse_ids=[Command.set(second.ids)])
        self.assertEqual(
            self._selected(rule), {(second.lot_stock_id, self.product_apple)}
        )
        self.assertEqual(rule.warehouse_id, second)
        rule = self._create_rule(warehouse_id=False)
        self.assertFalse(rule.warehouse_ids)
        self.assertIn((second.lot_stock_id, self.product_apple), self._selected(rule))
        self.assertIn((bin_z, self.product_chip), self._selected(rule))

    def test_dimensions_combine(self):
        rule = self._create_rule(
            abc_class_ids=[Command.set(self.class_a.ids)],
            move_direction="out",
            move_days=30,
            unit_cost_min=100,
            location_ids=[Command.set(self.bin_b.ids)],
        )
        self.assertEqual(self._selected(rule), {(self.bin_b, self.product_chip)})
        rule.onhand_value_min = 2000
        self.assertEqual(self._selected(rule), set())

    def test_counts_per_year(self):
        rule = self._create_rule(frequency_type="per_year", counts_per_year=52)
        self.assertEqual(rule.interval_days, 7)
        rule.counts_per_year = 4
        self.assertEqual(rule.interval_days, 91)
        rule.frequency_type = "days"
        self.assertEqual(rule.interval_days, rule.frequency_days)

    def _count_everything(self, tasks):
        for task in tasks:
            for line in task.line_ids:
                line.with_user(task.user_id).counted_qty = 1
            task.with_user(task.user_id).action_mark_counted()
            task._action_done()

    def test_seed_rule_a_class_outbound_every_15_days(self):
        """All A-class items with an outbound move in the last 7 days are counted
        every 15 days — built in the form, no code."""
        form = Form(self.Rule.with_user(self.manager))
        form.name = "A-class fast movers"
        form.warehouse_ids.add(self.warehouse)
        form.abc_class_ids.add(self.class_a)
        form.move_direction = "out"
        form.move_days = 7
        form.frequency_days = 15
        form.user_id = self.counter
        # Preview before saving: the bolt (A, out 3 days ago); the chip is A but
        # left 20 days ago.
        self.assertEqual(form.preview_item_count, 1)
        self.assertEqual(form.due_item_count, 1)
        self.assertAlmostEqual(form.preview_lines_per_day, 1 / 15, places=2)
        rule = form.save()
        tasks = self._plan(rule, today=self.today)
        self.assertEqual(tasks.line_ids.product_id, self.product_bolt)
        self.assertEqual(tasks.line_ids.rule_ids, rule)
        self._count_everything(tasks)
        self.assertFalse(self._plan(rule, today=self.today + timedelta(days=14)))
        # Still moving: shipped again, due 15 days after its count.
        with freeze_time(self.today + timedelta(days=13)):
            self._ship(self.product_bolt, self.bin_a, 1)
        later = self._plan(rule, today=self.today + timedelta(days=15))
        self.assertEqual(later.line_ids.product_id, self.product_bolt)
        self.assertEqual(later.scheduled_date, self.today + timedelta(days=15))

    def test_seed_buyer_weekly_tasks_from_class_and_outbound_frequency(self):
        """Generate weekly count tasks from ABC class and recent outbound
        frequency — built in the form, no code."""
        form = Form(self.Rule.with_user(self.manager))
        form.name = "Weekly: A and B with at least 2 deliveries a month"
        form.abc_class_ids.add(self.class_a)
        form.abc_class_ids.add(self.class_b)
        form.move_direction = "out"
        form.move_days = 30
        form.move_min_count = 2
        form.frequency_type = "per_year"
        form.counts_per_year = 52
        form.user_id = self.counter
        self.assertEqual(form.preview_item_count, 1)
        self.assertAlmostEqual(form.preview_lines_per_day, 1 / 7, places=2)
        rule = form.save()
        self.assertEqual(rule.interval_days, 7)
        weeks = []
        for week in range(3):
            day = self.today + timedelta(days=7 * week)
            with freeze_time(day):
                tasks = self._plan(rule, today=day)
                self.assertFalse(self._plan(rule, today=day + timedelta(days=6)))
                weeks.append(tasks)
                self._count_everything(tasks)
                # It keeps moving: two deliveries a week.
                self._ship(self.product_bolt, self.bin_a, 1)
                self._ship(self.product_bolt, self.bin_a, 1)
        self.assertEqual(
            [tasks.scheduled_date for tasks in weeks],
            [self.today + timedelta(days=7 * week) for week in range(3)],
        )
        self.assertEqual({t.line_ids.product_id for t in weeks}, {self.product_bolt})

    def test_preview_follows_the_form_before_saving(self):
        form = Form(self.Rule.with_user(self.manager))
        form.name = "Preview"
        self.assertEqual(form.preview_item_count, 4)
        form.frequency_days = 2
        self.assertAlmostEqual(form.preview_lines_per_day, 2.0)
        form.product_domain = "[('default_code', '=', 'CC-CHP')]"
        self.assertEqual(form.preview_item_count, 1)
        form.product_domain = "[('no_such_field', '=', "
        self.assertEqual(form.preview_item_count, 0)

    def test_most_frequent_rule_sets_the_due_date_and_every_reason_is_explained(self):
        monthly = self._create_rule(name="Monthly")
        fast = self._create_rule(
            name="Fast movers",
            move_direction="out",
            move_days=7,
            frequency_days=7,
            priority="2",
        )
        tasks = self._plan(monthly | fast, today=self.today)
        bolt = tasks.line_ids.filtered(
            lambda line: line.product_id == self.product_bolt
        )
        self.assertEqual(bolt.rule_ids, monthly | fast)
        self.assertEqual(bolt.plan_frequency_days, 7)
        self.assertEqual(bolt.plan_priority, "2")
        explain = bolt.with_user(self.supervisor).plan_explain
        self.assertIn("Rule “Fast movers”, every 7 days: 2 move(s) outgoing", explain)
        self.assertIn("It is the most frequent", explain)
        self.assertIn("Rule “Monthly”, every 30 days.", explain)
        self.assertIn("Never counted", explain)
