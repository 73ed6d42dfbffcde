from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestCounting(CycleCountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._create_rule()
        cls.task = cls.env["cycle.count.planner"]._plan(cls.rule)
        cls.line_apple = cls.task.line_ids.filtered(
            lambda line: line.product_id == cls.product_apple
        )

    def _deliver(self, product, location, quantity):
        """A real done move out of ``location`` to a customer."""
        move = self.env["stock.move"].create(
            {
                "name": "Delivery",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": quantity,
                "location_id": location.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.move_line_ids.quantity = quantity
        move.picked = True
        move._action_done()
        return move

    def test_counter_never_receives_book_quantities(self):
        line = self.line_apple.with_user(self.counter)
        for field in ("book_qty", "difference_qty", "variance_value", "unit_cost"):
            with self.assertRaises(AccessError):
                line.read([field])
            self.assertNotIn(field, line.fields_get())
        arch = (
            self.env["cycle.count.task"]
            .with_user(self.counter)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("book_qty", arch)
        self.assertIn("counted_qty", arch)
        # The supervisor does see them.
        self.assertIn(
            "book_qty", self.line_apple.with_user(self.supervisor).fields_get()
        )

    def test_count_records_book_quantity_cost_and_counter(self):
        self.line_apple.with_user(self.counter).counted_qty = 8
        line = self.line_apple
        self.assertTrue(line.is_counted)
        self.assertEqual(line.counter_id, self.counter)
        self.assertTrue(line.counted_at)
        self.assertEqual(line.book_qty, 10)
        self.assertEqual(line.difference_qty, -2)
        self.assertEqual(line.unit_cost, 10)
        self.assertEqual(line.variance_value, -20)
        self.assertTrue(line.has_difference)
        self.assertEqual(self.task.state, "in_progress")
        self.assertEqual(self.task.counted_line_count, 1)

    def test_book_quantity_is_taken_at_the_moment_of_the_count(self):
        """A delivery between the count and its arrival (a device that synced
        later) does not turn into a false variance."""
        counted_at = datetime.now() - timedelta(minutes=30)
        self._deliver(self.product_apple, self.bin_a, 3)
        self.line_apple._record_counts([(self.line_apple, 10, counted_at)])
        self.assertEqual(self.line_apple.book_qty, 10)
        self.assertFalse(self.line_apple.has_difference)
        # Counted after the delivery, the book is 7.
        self.line_apple.with_user(self.counter).counted_qty = 7
        self.assertEqual(self.line_apple.book_qty, 7)
        self.assertFalse(self.line_apple.has_difference)

    def test_a_count_from_the_future_is_taken_as_now(self):
        self.line_apple._record_counts(
            [(self.line_apple, 10, datetime.now() + timedelta(days=2))]
        )
        self.assertLessEqual(self.line_apple.counted_at, datetime.now())

    def test_negative_quantity_is_refused_and_nothing_written(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.line_apple.with_user(self.counter).counted_qty = -1
        self.assertFalse(self.line_apple.is_counted)
        self.assertEqual(self.line_apple.counted_qty, 0)
        self.assertEqual(self.task.state, "draft")

    def test_empty_quantity_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Enter a counted quantity"):
            self.line_apple.with_user(self.counter).write({"counted_qty": False})

    def test_mark_counted_needs_every_line(self):
        self.line_apple.with_user(self.counter).counted_qty = 10
        with self.assertRaisesRegex(UserError, "3 line"):
            self.task.with_user(self.counter).action_mark_counted()
        self.assertEqual(self.task.state, "in_progress")

    def test_counts_are_frozen_once_counted(self):
        self._count_stock(self.task, apple=9, bolt=50, chip=4, glue=20)
        self.task.with_user(self.counter).action_mark_counted()
        self.assertEqual(self.task.state, "counted")
        with self.assertRaisesRegex(UserError, "no longer open for counting"):
            self.line_apple.with_user(self.counter).counted_qty = 3
        self.assertEqual(self.line_apple.counted_qty, 9)
        with self.assertRaisesRegex(UserError, "only a task to do or in progress"):
            self.task.with_user(self.counter).action_mark_counted()

    def test_counter_edits_counts_through_the_task_form(self):
        task = self.task.with_user(self.counter)
        task.write(
            {"line_ids": [Command.update(self.line_apple.id, {"counted_qty": 9})]}
        )
        self.assertEqual(self.line_apple.counted_qty, 9)
        self.assertEqual(self.line_apple.counter_id, self.counter)

    def test_counter_cannot_change_what_to_count(self):
        with self.assertRaises(AccessError):
            self.line_apple.with_user(self.counter).product_id = self.product_bolt
        with self.assertRaises(AccessError):
            self.task.with_user(self.counter).user_id = self.counter_2
        with self.assertRaises(AccessError):
            self.task.with_user(self.counter).write({"state": "done"})
        with self.assertRaises(AccessError):
            self.task.with_user(self.counter).action_cancel()
        with self.assertRaises(AccessError):
            self.line_apple.with_user(self.supervisor).book_qty = 99
        self.assertEqual(self.task.state, "draft")

    def test_counter_reads_no_stock_figures_anywhere(self):
        """Blind count, declared: Odoo lets every internal user read quants, move
        lines and the stock report; record rules close them to counters."""
        self._count_stock(self.task, apple=9)
        for model in ("stock.quant", "stock.move.line", "report.stock.quantity"):
            with self.subTest(model=model):
                self.assertFalse(self.env[model].with_user(self.counter).search([]))
                self.assertTrue(
                    self.env[model].with_user(self.supervisor).search([])
                    or model != "stock.quant"
                )
        # Nor whether a line differs: no colour, no filter, no field.
        line = self.line_apple.with_user(self.counter)
        self.assertNotIn("has_difference", line.fields_get())
        with self.assertRaises(AccessError):
            line.search([("has_difference", "=", True)])
        arch = (
            self.env["cycle.count.task"]
            .with_user(self.counter)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("has_difference", arch)
        # A counter who is also a stock user reads stock, by the company's choice.
        self.counter.groups_id |= self.env.ref("stock.group_stock_user")
        self.assertTrue(self.env["stock.quant"].with_user(self.counter).search([]))

    def test_not_a_number_is_refused(self):
        # As a JSON-RPC call would send them (Python's JSON reads NaN and Infinity).
        for value in (float("nan"), float("inf"), "12"):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self.line_apple.with_user(self.counter).write({"counted_qty": value})
        self.assertFalse(self.line_apple.is_counted)

    def test_counter_changes_nothing_once_counted(self):
        self._count_stock(self.task, apple=9)
        self.task.with_user(self.counter).action_mark_counted()
        with self.assertRaisesRegex(UserError, "no longer open for counting"):
            self.line_apple.with_user(self.counter).note = "changed my mind"
        with self.assertRaisesRegex(UserError, "no longer open for counting"):
            self.line_apple.with_user(self.counter).reason_id = self.env.ref(
                "cycle_count_planning.reason_theft"
            )

    def test_a_photo_is_never_taken_from_another_record(self):
        product_image = self.env["ir.attachment"].create(
            {
                "name": "catalogue.png",
                "raw": b"png",
                "res_model": "product.product",
                "res_id": self.product_apple.id,
            }
        )
        photo = (
            self.env["ir.attachment"]
            .with_user(self.counter)
            .create(
                {
                    "name": "damaged.jpg",
                    "raw": b"jpg",
                    "res_model": "cycle.count.line",
                    "res_id": 0,
                }
            )
        )
        self.line_apple.with_user(self.counter).write(
            {"attachment_ids": [(4, photo.id), (4, product_image.id)]}
        )
        self.assertEqual(
            (photo.res_model, photo.res_id), ("cycle.count.line", self.line_apple.id)
        )
        self.assertEqual(
            (product_image.res_model, product_image.res_id),
            ("product.product", self.product_apple.id),
        )
