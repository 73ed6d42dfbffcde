from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from .common import use_periodic_category


@tagged("post_install", "-at_install")
class TestTolerance(CycleCountCase):
    """Tolerances accept small differences without approval. Book: apple 10 × 10
    (bin A-01), bolt 50 × 25 (A-01), chip 4 × 400 (A-02), glue lot 20 × 5
    (B-01)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_periodic_category(cls)
        cls.Tolerance = cls.env["cycle.count.tolerance"]

    def _tolerance(self, **values):
        vals = {"name": "Tolerance", "company_id": self.company.id}
        vals.update(values)
        return self.Tolerance.with_user(self.manager).create(vals).with_env(self.env)

    def _line(self, task, product):
        return task.adjustment_ids.line_ids.filtered(
            lambda line: line.product_id == product
        )

    def test_no_rule_is_zero_tolerance(self):
        task = self._counted_task(apple=9)
        line = self._line(task, self.product_apple)
        self.assertFalse(line.tolerance_id)
        self.assertFalse(line.within_tolerance)
        self.assertEqual(line.adjustment_id.state, "to_approve")

    def test_a_report_within_tolerance_is_approved_by_the_system(self):
        rule = self._tolerance(loss_pct=20, gain_pct=20)
        task = self._counted_task(apple=9, bolt=52)
        report = task.adjustment_ids
        self.assertEqual(len(report), 1)
        self.assertTrue(report.accepted_within_tolerance)
        self.assertFalse(report.review_ids)
        self.assertEqual(report.state, "posted")
        self.assertEqual(task.state, "done")
        self.assertEqual(report.line_ids.tolerance_id, rule)
        self.assertTrue(all(report.line_ids.mapped("within_tolerance")))
        self.assertEqual(
            report.line_ids[0].tolerance_note, "Accepted within tolerance by Tolerance"
        )
        self.assertIn(
            "within its tolerance", "".join(report.message_ids.mapped("body"))
        )
        quant = self.env["stock.quant"]._get_available_quantity
        self.assertEqual(quant(self.product_apple, self.bin_a, strict=True), 9)
        self.assertEqual(quant(self.product_bolt, self.bin_a, strict=True), 52)

    def test_a_mixed_report_splits_the_accepted_variances_off(self):
        # Apple -1 (10 %) within 20 %; chip -1 (25 %) outside.
        self._tolerance(loss_pct=20)
        task = self._counted_task(apple=9, chip=3)
        accepted = task.adjustment_ids.filtered("accepted_within_tolerance")
        pending = task.adjustment_ids - accepted
        self.assertEqual(accepted.line_ids.product_id, self.product_apple)
        self.assertEqual(accepted.state, "posted")
        self.assertEqual(pending.line_ids.product_id, self.product_chip)
        self.assertEqual(pending.state, "to_approve")
        # The tiers see the value outside tolerance only, which is what they post.
        self.assertEqual(pending.abs_variance_total, 400)
        self.assertEqual(task.state, "counted")
        pending.with_user(self.supervisor).validate_tier()
        self.assertEqual(pending.state, "posted")
        self.assertEqual(task.state, "done")
        self.assertEqual(pending.move_ids.product_id, self.product_chip)
        self.assertEqual(accepted.move_ids.product_id, self.product_apple)

    def test_gains_and_losses_apart(self):
        self._tolerance(gain_qty=5)
        task = self._counted_task(apple=12, bolt=48)
        self.assertTrue(self._line(task, self.product_apple).within_tolerance)
        # No loss limit set: a loss is outside (zero).
        self.assertFalse(self._line(task, self.product_bolt).within_tolerance)

    def test_value_quantity_and_percent(self):
        # Every limit set holds: 2 units and 30 of value.
        self._tolerance(loss_qty=2, loss_value=30)
        task = self._counted_task(apple=8, bolt=49, chip=3)
        self.assertTrue(self._line(task, self.product_apple).within_tolerance)  # 2, 20
        self.assertTrue(self._line(task, self.product_bolt).within_tolerance)  # 1, 25
        self.assertFalse(self._line(task, self.product_chip).within_tolerance)  # 400

    def test_percent_of_the_book(self):
        self._tolerance(gain_pct=10)
        task = self._counted_task(apple=11, bolt=56)
        self.assertTrue(self._line(task, self.product_apple).within_tolerance)  # 10 %
        self.assertFalse(self._line(task, self.product_bolt).within_tolerance)  # 12 %

    def test_most_specific_wins(self):
        profile_class = self.env["cycle.count.abc.class"].search([], limit=1)
        self.product_bolt.with_company(
            self.company
        ).sudo().cycle_count_abc_class_id = profile_class
        child = self.env["product.category"].create(
            {"name": "Chips", "parent_id": self.category.id}
        )
        self.product_chip.categ_id = child
        company = self._tolerance(name="Company", loss_pct=0.1)
        warehouse = self._tolerance(
            name="Warehouse", loss_pct=0.2, warehouse_id=self.warehouse.id
        )
        location = self._tolerance(
            name="Stock", loss_pct=0.3, location_id=self.stock_location.id
        )
        deeper = self._tolerance(
            name="Bin A-02", loss_pct=0.4, location_id=self.bin_b.id
        )
        category = self._tolerance(
            name="Goods", loss_pct=0.5, categ_id=self.category.id
        )
        subcategory = self._tolerance(name="Chips", loss_pct=0.6, categ_id=child.id)
        abc = self._tolerance(name="Class", loss_pct=0.7, abc_class_id=profile_class.id)
        product = self._tolerance(
            name="Apple", loss_pct=0.8, product_id=self.product_apple.id
        )
        # A rule of another warehouse never applies here.
        other = self.env["stock.warehouse"].create({"name": "Other", "code": "OTH"})
        self._tolerance(name="Other", loss_pct=50, warehouse_id=other.id)
        lines = self._counted_task(apple=9, bolt=49, chip=3, glue=19).adjustment_ids
        lines = lines.line_ids

        def resolved():
            rules = self.Tolerance._resolve(lines, "tolerance")
            return {line.product_id: rules[line.id] for line in lines}

        self.assertEqual(lines.filtered("within_tolerance"), lines.browse())
        rules = resolved()
        self.assertEqual(rules[self.product_apple], product)
        self.assertEqual(rules[self.product_bolt], abc)
        self.assertEqual(rules[self.product_chip], subcategory)
        self.assertEqual(rules[self.product_lot], category)
        self.assertEqual({line.product_id: line.tolerance_id for line in lines}, rules)
        (category | subcategory | abc | product).active = False
        rules = resolved()
        self.assertEqual(rules[self.product_chip], deeper)
        self.assertEqual(rules[self.product_apple], location)
        (location | deeper).active = False
        self.assertEqual(resolved()[self.product_apple], warehouse)
        warehouse.active = False
        self.assertEqual(resolved()[self.product_apple], company)
        company.active = False
        self.assertFalse(resolved()[self.product_apple])

    def test_resolution_is_set_based(self):
        self._tolerance(loss_pct=1)
        self._tolerance(name="Bolt", loss_pct=1, product_id=self.product_bolt.id)
        task = self._counted_task(apple=9, bolt=49, chip=3, glue=19)
        lines = task.adjustment_ids.line_ids
        queries = self._count_queries(
            self.Tolerance._resolve, lines, "tolerance", cached=True
        )
        self.assertLessEqual(queries, 3)

    def test_only_the_manager_configures_tolerances(self):
        rule = self._tolerance(loss_pct=1)
        self.assertEqual(rule.with_user(self.supervisor).loss_pct, 1)
        for user in (self.supervisor, self.finance, self.counter):
            with self.assertRaises(AccessError):
                rule.with_user(user).write({"loss_pct": 50})
        with self.assertRaises(AccessError):
            rule.with_user(self.counter).read(["loss_pct"])
        with self.assertRaises(ValidationError):
            self._tolerance(loss_pct=-1)

    def test_the_tolerance_flag_cannot_be_forged(self):
        report = self._counted_task(apple=9).adjustment_ids
        with self.assertRaises(AccessError):
            report.with_user(self.supervisor).write({"accepted_within_tolerance": True})
        with self.assertRaises(AccessError):
            report.line_ids.with_user(self.supervisor).write({"within_tolerance": True})
        self.assertEqual(report.state, "to_approve")
