from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.models.cycle_count_line import CountRefused

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
        # Planning alone ends the task; approval, when installed, takes it over.
        expected = "counted" if "cycle.count.adjustment" in self.env else "done"
        self.assertEqual(self.task.state, expected)
        with self.assertRaisesRegex(UserError, "no longer open for counting"):
            self.line_apple.with_user(self.counter).counted_qty = 3
        self.assertEqual(self.line_apple.counted_qty, 9)
        # The counter's task, submitted: closed to them (they no longer read it).
        with self.assertRaisesRegex(UserError, "was submitted: it is no longer open"):
            self.task.with_user(self.counter).action_mark_counted()
        with self.assertRaisesRegex(UserError, "only a task to do or in progress"):
            self.task.with_user(self.supervisor).action_mark_counted()

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

    # ------------------------------------------------------------------
    # One counting method: the later count wins, found items, refusals
    # ------------------------------------------------------------------
    def _apply(self, counts, user=None):
        user = user or self.counter
        return (
            self.env["cycle.count.line"]
            .with_user(user)
            ._apply_counts(self.task.with_user(user), counts)
        )

    def test_a_later_count_is_not_overwritten_by_an_earlier_one(self):
        now = datetime.now().replace(microsecond=0)
        later, earlier = now - timedelta(minutes=5), now - timedelta(minutes=20)
        line = self.line_apple.with_user(self.counter)
        first = self._apply([{"line": line, "quantity": 7, "counted_at": later}])
        self.assertEqual(first[0]["status"], "applied")
        # The earlier count arrives last (a device that synced late): superseded.
        second = self._apply([{"line": line, "quantity": 3, "counted_at": earlier}])
        self.assertEqual(second[0]["status"], "superseded")
        self.assertEqual(self.line_apple.counted_qty, 7)
        self.assertEqual(self.line_apple.counted_at, later)

    def test_within_one_batch_the_latest_count_wins(self):
        now = datetime.now().replace(microsecond=0)
        line = self.line_apple.with_user(self.counter)
        results = self._apply(
            [
                {"line": line, "quantity": 4, "counted_at": now},
                {"line": line, "quantity": 9, "counted_at": now - timedelta(hours=1)},
            ]
        )
        self.assertEqual([r["status"] for r in results], ["applied", "superseded"])
        self.assertEqual(self.line_apple.counted_qty, 4)

    def test_a_backend_count_obeys_the_later_count_wins(self):
        """A count typed in the backend is a count made now: it wins over a
        device's earlier count, and goes through the same method."""
        device_at = datetime.now().replace(microsecond=0) - timedelta(minutes=30)
        self._apply([{"line": self.line_apple, "quantity": 3, "counted_at": device_at}])
        self.assertEqual(self.line_apple.counted_qty, 3)
        self.line_apple.with_user(self.counter).counted_qty = 8
        self.assertEqual(self.line_apple.counted_qty, 8)
        self.assertGreater(self.line_apple.counted_at, device_at)
        # The device's count sent again afterwards no longer changes the line.
        results = self._apply(
            [{"line": self.line_apple, "quantity": 3, "counted_at": device_at}]
        )
        self.assertEqual(results[0]["status"], "superseded")
        self.assertEqual(self.line_apple.counted_qty, 8)

    def test_a_backend_count_goes_through_the_counting_method(self):
        calls = []
        Line = self.env.registry["cycle.count.line"]
        apply_counts = Line._apply_counts

        def spy(lines, task, counts):
            calls.append([count["quantity"] for count in counts])
            return apply_counts(lines, task, counts)

        Line._apply_counts = spy
        self.addCleanup(setattr, Line, "_apply_counts", apply_counts)
        self.line_apple.with_user(self.counter).counted_qty = 6
        self.assertEqual(calls, [[6]])

    def test_a_found_item_becomes_a_line(self):
        results = self._apply(
            [
                {
                    "location_id": self.bin_b.id,
                    "product_id": self.product_apple.id,
                    "quantity": 2,
                },
                {
                    "location_id": self.bin_b.id,
                    "product_id": self.product_lot.id,
                    "lot_name": "GLU-NEW",
                    "quantity": 5,
                    "note": "on the top shelf",
                },
            ]
        )
        found = self.task.line_ids.filtered("is_found")
        self.assertEqual(len(found), 2)
        apple = found.filtered(lambda line: line.product_id == self.product_apple)
        self.assertEqual((apple.location_id, apple.counted_qty), (self.bin_b, 2))
        glue = found - apple
        self.assertEqual(glue.lot_id.name, "GLU-NEW")
        self.assertEqual(glue.lot_id.company_id, self.task.company_id)
        self.assertEqual(glue.note, "on the top shelf")
        self.assertEqual([r["line"] for r in results], [apple, glue])
        # The same item counted again is the same line, not a second one.
        again = self._apply(
            [
                {
                    "location_id": self.bin_b.id,
                    "product_id": self.product_lot.id,
                    "lot_name": "GLU-NEW",
                    "quantity": 6,
                }
            ]
        )
        self.assertEqual(again[0]["line"], glue)
        self.assertEqual(glue.counted_qty, 6)

    def test_refused_counts_are_all_listed_and_nothing_written(self):
        lines_before = self.task.line_ids
        with self.assertRaises(CountRefused) as refused:
            self._apply(
                [
                    {"line": self.line_apple, "quantity": 5},
                    {"line": self.line_apple, "quantity": -1},
                    {
                        "location_id": self.bin_b.id,
                        "product_id": self.product_apple.id,
                        "quantity": 2,
                    },
                    {
                        "location_id": self.bin_b.id,
                        "product_id": self.product_lot.id,
                        "quantity": 1,
                    },
                    {"line_id": 999999999, "quantity": 1},
                ]
            )
        self.assertEqual(
            [(item["index"], item["code"]) for item in refused.exception.items],
            [(1, "negative_quantity"), (3, "lot_required"), (4, "unknown_line")],
        )
        self.assertFalse(self.line_apple.is_counted)
        self.assertEqual(self.task.line_ids, lines_before)

    def test_quantity_validity_is_one_rule(self):
        line = self.line_apple
        Line = self.env["cycle.count.line"]
        serial = self.env["product.product"].create(
            {"name": "Serial", "is_storable": True, "tracking": "serial"}
        )
        for qty, product, code in (
            (-1, self.product_apple, "negative_quantity"),
            (float("nan"), self.product_apple, "not_a_number"),
            ("3", self.product_apple, "not_a_number"),
            (True, self.product_apple, "not_a_number"),
            (None, self.product_apple, "not_a_number"),
            (2, serial, "serial_quantity"),
        ):
            with self.subTest(qty=qty, product=product.name):
                self.assertEqual(Line._count_quantity_refusal(qty, product)[0], code)
        for qty, product in (
            (0, serial),
            (1, serial),
            (0, self.product_apple),
            (2.5, self.product_apple),
        ):
            self.assertIsNone(Line._count_quantity_refusal(qty, product))
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            line._check_count_quantity(-2)

    def test_a_count_on_a_closed_task_is_refused(self):
        self._count_stock(self.task)
        self.task.with_user(self.counter).action_mark_counted()
        with self.assertRaisesRegex(UserError, "no longer open for counting"):
            self._apply([{"line": self.line_apple, "quantity": 1}])

    def test_counter_writable_fields_are_a_hook(self):
        Line = self.env["cycle.count.line"]
        self.assertIn("counted_qty", Line._get_counter_writable_fields())
        self.assertIn("book_qty", Line._get_count_snapshot_fields())
        with self.assertRaisesRegex(AccessError, "is_found"):
            self.line_apple.with_user(self.supervisor).write({"is_found": True})
