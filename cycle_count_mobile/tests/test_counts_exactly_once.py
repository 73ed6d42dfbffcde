import json
import uuid
from datetime import datetime, timedelta, timezone

import psycopg2

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import ApiTestMixin


def cid():
    return str(uuid.uuid4())


@tagged("post_install", "-at_install")
class TestCountsExactlyOnce(ApiTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_mobile()

    def sync_records(self, task=None):
        return self.env["cycle.count.sync.record"].search(
            [("task_id", "=", (task or self.task).id)]
        )

    def iso(self, moment):
        return moment.replace(tzinfo=timezone.utc).isoformat()

    # ------------------------------------------------------------------
    # Exactly once
    # ------------------------------------------------------------------
    def test_a_resent_batch_is_applied_once(self):
        batch = [
            {"client_id": cid(), "line_id": self.line_apple.id, "quantity": 9},
            {"client_id": cid(), "line_id": self.line_bolt.id, "quantity": 48},
        ]
        first = self.count(self.task.id, batch)
        self.assertEqual(first.status_code, 200, first.text)
        self.assertEqual(first.json()["accepted"], 2)
        self.assertEqual(
            [r["status"] for r in first.json()["results"]], ["applied", "applied"]
        )
        counted_at = self.line_apple.counted_at
        # A retry after a timeout, and the same queue from a second device of the
        # same counter: nothing is applied again.
        second_device = self._api_key(self.counter)
        for key in (self.api_key, second_device):
            again = self.count(self.task.id, batch, key=key)
            self.assertEqual(again.status_code, 200, again.text)
            payload = again.json()
            self.assertEqual((payload["accepted"], payload["duplicates"]), (0, 2))
            self.assertEqual(
                [r["status"] for r in payload["results"]], ["duplicate", "duplicate"]
            )
            self.assertEqual(
                [r["line_id"] for r in payload["results"]],
                [self.line_apple.id, self.line_bolt.id],
            )
        self.assertEqual(len(self.sync_records()), 2)
        self.assertEqual(self.line_apple.counted_at, counted_at)
        self.assertEqual(self.line_bolt.counted_qty, 48)

    def test_new_and_resent_counts_in_one_batch(self):
        old = {"client_id": cid(), "line_id": self.line_apple.id, "quantity": 9}
        self.count(self.task.id, [old])
        new = {"client_id": cid(), "line_id": self.line_bolt.id, "quantity": 50}
        payload = self.count(self.task.id, [old, new]).json()
        self.assertEqual(
            [r["status"] for r in payload["results"]], ["duplicate", "applied"]
        )
        self.assertEqual(len(self.sync_records()), 2)

    def test_a_client_id_names_one_count(self):
        client_id = cid()
        self.count(
            self.task.id,
            [{"client_id": client_id, "line_id": self.line_apple.id, "quantity": 9}],
        )
        cases = [
            # Same id, other quantity; same id, other line; same id, other user.
            ({"line_id": self.line_apple.id, "quantity": 4}, self.api_key),
            ({"line_id": self.line_bolt.id, "quantity": 9}, self.api_key),
        ]
        for count, key in cases:
            with self.subTest(count=count):
                response = self.count(
                    self.task.id, [{"client_id": client_id, **count}], key=key
                )
                error = self.assertApiError(response, 422, "invalid_count")
                self.assertEqual(error["items"][0]["code"], "client_id_reused")
        other_task = self._make_task(
            self.counter_2, [(self.bin_a, self.product_chip, None)]
        )
        response = self.count(
            other_task.id,
            [
                {
                    "client_id": client_id,
                    "line_id": other_task.line_ids.id,
                    "quantity": 9,
                }
            ],
            key=self.api_key_2,
        )
        self.assertEqual(
            self.assertApiError(response, 422, "invalid_count")["items"][0]["code"],
            "client_id_reused",
        )
        self.assertEqual(self.line_apple.counted_qty, 9)
        self.assertFalse(self.line_bolt.is_counted)

    def test_the_same_client_id_twice_in_a_batch(self):
        client_id = cid()
        response = self.count(
            self.task.id,
            [
                {"client_id": client_id, "line_id": self.line_apple.id, "quantity": 1},
                {"client_id": client_id, "line_id": self.line_apple.id, "quantity": 1},
            ],
        )
        error = self.assertApiError(response, 422, "invalid_count")
        self.assertEqual(
            [(i["index"], i["code"]) for i in error["items"]],
            [(1, "duplicate_client_id")],
        )
        self.assertFalse(self.sync_records())

    def test_the_database_refuses_a_second_sync_record(self):
        """Exactly once is a unique constraint, not only a check in Python."""
        values = {
            "client_ref": "same-id",
            "task_id": self.task.id,
            "line_id": self.line_apple.id,
            "user_id": self.counter.id,
            "quantity": 1,
        }
        sync_records = self.env["cycle.count.sync.record"].sudo()
        sync_records.create(values)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            sync_records.create(values)
            sync_records.flush_model()

    # ------------------------------------------------------------------
    # The moment of the count
    # ------------------------------------------------------------------
    def test_the_later_count_wins_whatever_the_order_of_arrival(self):
        now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
        later = {
            "client_id": cid(),
            "line_id": self.line_apple.id,
            "quantity": 5,
            "counted_at": self.iso(now - timedelta(minutes=5)),
        }
        earlier = {
            "client_id": cid(),
            "line_id": self.line_apple.id,
            "quantity": 3,
            "counted_at": self.iso(now - timedelta(minutes=20)),
        }
        self.count(self.task.id, [later])
        payload = self.count(self.task.id, [earlier]).json()
        self.assertEqual(payload["results"][0]["status"], "superseded")
        self.assertEqual(payload["lines"], [])
        self.assertEqual(self.line_apple.counted_qty, 5)
        self.assertEqual(self.line_apple.counted_at, now - timedelta(minutes=5))
        self.assertEqual(
            self.sync_records().mapped("result"), ["superseded", "applied"]
        )
        # Both in one batch, in the wrong order: the later one still wins.
        batch = [
            {**earlier, "client_id": cid(), "line_id": self.line_bolt.id},
            {**later, "client_id": cid(), "line_id": self.line_bolt.id},
        ]
        payload = self.count(self.task.id, list(reversed(batch))).json()
        self.assertEqual(
            [r["status"] for r in payload["results"]], ["applied", "superseded"]
        )
        self.assertEqual(self.line_bolt.counted_qty, 5)

    def test_book_quantity_at_the_moment_of_the_count(self):
        """Counted offline at 10:00 (UTC+8), 3 delivered at 10:20, synced at
        10:30: the book compared with is the one of 10:00."""
        counted_at = datetime.now(timezone(timedelta(hours=8))).replace(
            microsecond=0
        ) - timedelta(minutes=30)
        self._deliver(self.product_apple, self.bin_a, 3)
        move_line = self.env["stock.move.line"].search(
            [("product_id", "=", self.product_apple.id)], order="id desc", limit=1
        )
        move_line.date = counted_at.astimezone(timezone.utc).replace(
            tzinfo=None
        ) + timedelta(minutes=20)
        self.count(
            self.task.id,
            [
                {
                    "client_id": cid(),
                    "line_id": self.line_apple.id,
                    "quantity": 10,
                    "counted_at": counted_at.isoformat(),
                }
            ],
        )
        line = self.line_apple.with_user(self.supervisor)
        self.assertEqual(
            line.counted_at, counted_at.astimezone(timezone.utc).replace(tzinfo=None)
        )
        self.assertEqual(line.book_qty, 10)
        self.assertFalse(line.has_difference)

    def _deliver(self, product, location, qty):
        picking_type = self.warehouse.out_type_id
        move = self.env["stock.move"].create(
            {
                "name": "delivery",
                "product_id": product.id,
                "product_uom_qty": qty,
                "product_uom": product.uom_id.id,
                "location_id": location.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "picking_type_id": picking_type.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.move_line_ids.write({"quantity": qty, "location_id": location.id})
        move.picked = True
        move._action_done()

    def test_a_count_from_the_future_is_taken_as_now(self):
        future = datetime.now(timezone.utc) + timedelta(days=1)
        self.count(
            self.task.id,
            [
                {
                    "client_id": cid(),
                    "line_id": self.line_apple.id,
                    "quantity": 1,
                    "counted_at": future.isoformat(),
                }
            ],
        )
        self.assertLessEqual(self.line_apple.counted_at, datetime.now())

    # ------------------------------------------------------------------
    # Items found where the task did not list them
    # ------------------------------------------------------------------
    def test_a_found_item_becomes_one_line(self):
        found = {
            "location_id": self.bin_b.id,
            "product_id": self.product_apple.id,
            "quantity": 2,
        }
        payload = self.count(self.task.id, [{"client_id": cid(), **found}]).json()
        line = self.task.line_ids.filtered(
            lambda line: (
                line.product_id == self.product_apple and line.location_id == self.bin_b
            )
        )
        self.assertTrue(line.is_found)
        self.assertEqual(payload["results"][0]["line_id"], line.id)
        self.assertTrue(payload["lines"][0]["is_found"])
        reviewer_line = line.with_user(self.supervisor)
        self.assertEqual(reviewer_line.book_qty, 0)
        self.assertEqual(reviewer_line.difference_qty, 2)
        # Counted again (another id), and by a second device at once: one line.
        payload = self.count(
            self.task.id,
            [{"client_id": cid(), **found, "quantity": 3}],
        ).json()
        self.assertEqual(payload["results"][0]["line_id"], line.id)
        self.assertEqual(len(self.task.line_ids), 7)
        self.assertEqual(line.counted_qty, 3)

    def test_a_found_lot_is_created_once(self):
        counts = [
            {
                "client_id": cid(),
                "location_id": self.bin_c.id,
                "product_id": self.product_lot.id,
                "lot_name": "GLU-NEW",
                "quantity": 4,
            },
            {
                "client_id": cid(),
                "location_id": self.bin_c.id,
                "product_id": self.product_lot.id,
                "lot_id": self.lot_1.id,
                "quantity": 20,
            },
        ]
        payload = self.count(self.task.id, counts).json()
        lot = self.env["stock.lot"].search(
            [("name", "=", "GLU-NEW"), ("product_id", "=", self.product_lot.id)]
        )
        self.assertEqual(len(lot), 1)
        self.assertEqual(lot.company_id, self.company)
        new_line = self.task.line_ids.filtered(lambda line: line.lot_id == lot)
        self.assertTrue(new_line.is_found)
        # The listed lot is counted on its own line, not a new one.
        self.assertEqual(payload["results"][1]["line_id"], self.line_lot.id)
        self.assertEqual(self.line_lot.counted_qty, 20)

    def test_a_found_serial(self):
        serial_3 = self.env["stock.lot"].create(
            {"name": "PHN-003", "product_id": self.product_serial.id}
        )
        payload = self.count(
            self.task.id,
            [
                {
                    "client_id": cid(),
                    "location_id": self.bin_a.id,
                    "product_id": self.product_serial.id,
                    "lot_id": serial_3.id,
                    "quantity": 1,
                }
            ],
        ).json()
        line = self.env["cycle.count.line"].browse(payload["results"][0]["line_id"])
        self.assertEqual((line.lot_id, line.location_id), (serial_3, self.bin_a))

    # ------------------------------------------------------------------
    # All or nothing, with each refused count's reason
    # ------------------------------------------------------------------
    def test_a_refused_batch_writes_nothing_and_says_why_for_each(self):
        other_lot = self.env["stock.lot"].create(
            {"name": "BOLT-LOT", "product_id": self.product_bolt.id}
        )
        service = self.env["product.product"].create(
            {"name": "Counting service", "type": "service"}
        )
        company_b_lot = (
            self.env["stock.lot"]
            .with_company(self.company_b)
            .create(
                {
                    "name": "B-LOT",
                    "product_id": self.product_lot.id,
                    "company_id": self.company_b.id,
                }
            )
        )
        # A package belongs to the company of the stock in it.
        company_b_package = self.env["stock.quant.package"].create({"name": "B-PACK"})
        self.env["stock.quant"].with_company(self.company_b)._update_available_quantity(
            self.product_b,
            self.warehouse_b.lot_stock_id,
            1,
            package_id=company_b_package,
        )
        self.assertEqual(company_b_package.company_id, self.company_b)
        found = {"location_id": self.bin_a.id}
        cases = [
            ({"line_id": self.line_apple.id, "quantity": -1}, "negative_quantity"),
            ({"line_id": self.line_apple.id, "quantity": "3"}, "not_a_number"),
            ({"line_id": self.line_apple.id, "quantity": True}, "not_a_number"),
            ({"line_id": "12", "quantity": 1}, "invalid_id"),
            ({"quantity": 1}, "missing_item"),
            (
                {"line_id": self.line_apple.id, "product_id": 1, "quantity": 1},
                "ambiguous_item",
            ),
            ("not an object", "not_an_object"),
            ({"line_id": 987654321, "quantity": 1}, "unknown_line"),
            ({"line_id": self.task_b.line_ids.id, "quantity": 1}, "unknown_line"),
            (
                {"line_id": self.line_apple.id, "quantity": 1, "counted_at": "now"},
                "invalid_counted_at",
            ),
            (
                {
                    "line_id": self.line_apple.id,
                    "quantity": 1,
                    "client_id": "no spaces",
                },
                "invalid_client_id",
            ),
            (
                {
                    **found,
                    "location_id": self.stock_location.id,
                    "product_id": self.product_apple.id,
                    "quantity": 1,
                },
                "location_not_in_task",
            ),
            ({**found, "product_id": 987654321, "quantity": 1}, "unknown_product"),
            (
                {**found, "product_id": self.product_b.id, "quantity": 1},
                "unknown_product",
            ),
            (
                {**found, "product_id": service.id, "quantity": 1},
                "product_not_storable",
            ),
            (
                {**found, "product_id": self.product_lot.id, "quantity": 1},
                "lot_required",
            ),
            (
                {
                    **found,
                    "product_id": self.product_apple.id,
                    "lot_name": "X",
                    "quantity": 1,
                },
                "product_not_tracked",
            ),
            (
                {
                    **found,
                    "product_id": self.product_lot.id,
                    "lot_id": other_lot.id,
                    "quantity": 1,
                },
                "lot_of_another_product",
            ),
            (
                {
                    **found,
                    "product_id": self.product_lot.id,
                    "lot_id": company_b_lot.id,
                    "quantity": 1,
                },
                "unknown_lot",
            ),
            ({"line_id": self.line_sn1.id, "quantity": 2}, "serial_quantity"),
            (
                {
                    **found,
                    "product_id": self.product_apple.id,
                    "package_id": 987654321,
                    "quantity": 1,
                },
                "unknown_package",
            ),
            (
                {
                    **found,
                    "product_id": self.product_apple.id,
                    "package_id": company_b_package.id,
                    "quantity": 1,
                },
                "unknown_package",
            ),
            (
                {
                    **found,
                    "product_id": self.product_lot.id,
                    "lot_name": " ",
                    "quantity": 1,
                },
                "invalid_lot_name",
            ),
            (
                {
                    **found,
                    "product_id": self.product_lot.id,
                    "lot_id": self.lot_1.id,
                    "lot_name": "GLU-001",
                    "quantity": 1,
                },
                "ambiguous_item",
            ),
            (
                {"line_id": self.line_apple.id, "quantity": 1, "note": ["x"]},
                "invalid_note",
            ),
        ]
        good = {
            "client_id": cid(),
            "location_id": self.bin_a.id,
            "product_id": self.product_chip.id,
            "quantity": 1,
        }
        lots_before = self.env["stock.lot"].search_count([])
        for bad, code in cases:
            with self.subTest(code=code):
                response = self.count(self.task.id, [good, bad])
                error = self.assertApiError(response, 422, "invalid_count")
                self.assertEqual(len(error["items"]), 1, error)
                self.assertEqual(
                    (error["items"][0]["index"], error["items"][0]["code"]),
                    (1, code),
                )
        # Several refused: each one listed, the message says how many.
        response = self.count(
            self.task.id, [cases[0][0], good, cases[7][0], cases[12][0]]
        )
        error = self.assertApiError(response, 422, "invalid_count")
        self.assertEqual([i["index"] for i in error["items"]], [0, 2, 3])
        self.assertIn("3 counts of this batch are refused", error["message"])
        # Nothing was written: no count, no found line, no lot, no sync_record.
        self.assertFalse(self.task.line_ids.filtered("is_counted"))
        self.assertEqual(len(self.task.line_ids), 6)
        self.assertEqual(self.env["stock.lot"].search_count([]), lots_before)
        self.assertFalse(self.sync_records())
        self.assertEqual(self.task.state, "draft")

    def test_one_line_twice_without_client_ids_is_refused(self):
        counts = [
            {"line_id": self.line_apple.id, "quantity": 4},
            {"line_id": self.line_apple.id, "quantity": 5},
        ]
        error = self.assertApiError(
            self.count(self.task.id, counts), 422, "invalid_count"
        )
        self.assertEqual(
            [(i["index"], i["code"]) for i in error["items"]], [(1, "duplicate_line")]
        )
        self.assertIn("Count #2:", error["items"][0]["message"])
        self.assertFalse(self.line_apple.is_counted)

    def test_a_count_keeps_its_note(self):
        payload = self.count(
            self.task.id,
            [
                {
                    "client_id": cid(),
                    "line_id": self.line_apple.id,
                    "quantity": 9,
                    "note": "One carton crushed",
                }
            ],
        ).json()
        self.assertEqual(payload["accepted"], 1)
        self.assertEqual(self.line_apple.note, "One carton crushed")

    def test_batch_limits(self):
        counts = [{"line_id": self.line_apple.id, "quantity": 1}] * 501
        self.assertApiError(self.count(self.task.id, counts), 413, "batch_too_large")
        big = {"counts": [{"line_id": 1, "quantity": 1, "note": "x" * 900}] * 1200}
        response = self.api(
            "POST",
            f"/tasks/{self.task.id}/counts",
            raw=json.dumps(big),
            key=self.api_key,
        )
        self.assertApiError(response, 413, "payload_too_large")
        self.assertFalse(self.task.line_ids.filtered("is_counted"))
        response = self.api(
            "POST",
            f"/tasks/{self.task.id}/counted",
            raw=json.dumps({"note": "x" * (1024 * 1024)}),
            key=self.api_key,
        )
        self.assertApiError(response, 413, "payload_too_large")
        self.assertEqual(self.task.state, "draft")

    # ------------------------------------------------------------------
    # Tasks that change while counts travel
    # ------------------------------------------------------------------
    def test_a_cancelled_task_refuses_new_counts_but_answers_retries(self):
        applied = {"client_id": cid(), "line_id": self.line_apple.id, "quantity": 9}
        self.count(self.task.id, [applied])
        self.task.with_user(self.supervisor).action_cancel()
        new = {"client_id": cid(), "line_id": self.line_bolt.id, "quantity": 50}
        error = self.assertApiError(
            self.count(self.task.id, [new]), 409, "task_not_open"
        )
        self.assertIn("no longer open", error["message"])
        # The answer to the first send was lost: its retry is not refused.
        response = self.count(self.task.id, [applied])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["results"][0]["status"], "duplicate")
        self.assertFalse(self.line_bolt.is_counted)

    def test_a_reassigned_task(self):
        applied = {"client_id": cid(), "line_id": self.line_apple.id, "quantity": 9}
        self.count(self.task.id, [applied])
        self.task.with_user(self.supervisor).user_id = self.counter_2
        response = self.count(self.task.id, [applied])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["results"][0]["status"], "duplicate")
        new = {"client_id": cid(), "line_id": self.line_bolt.id, "quantity": 50}
        error = self.assertApiError(self.count(self.task.id, [new]), 403, "forbidden")
        self.assertIn("another counter", error["message"])
        response = self.count(self.task.id, [new], key=self.api_key_2)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.line_bolt.counter_id, self.counter_2)

    def test_another_companys_task(self):
        counts = [
            {"client_id": cid(), "line_id": self.task_b.line_ids.id, "quantity": 1}
        ]
        self.assertApiError(self.count(self.task_b.id, counts), 403, "forbidden")
        response = self.count(self.task_b.id, counts, key=self.api_key_b)
        self.assertEqual(response.status_code, 200, response.text)
        # A user of both companies counts in both.
        self.counter.write({"company_ids": [Command.link(self.company_b.id)]})
        self.task_b.sudo().user_id = self.counter
        counts = [
            {"client_id": cid(), "line_id": self.task_b.line_ids.id, "quantity": 2}
        ]
        self.assertEqual(self.count(self.task_b.id, counts).status_code, 200)

    # ------------------------------------------------------------------
    # Supervisors see progress live
    # ------------------------------------------------------------------
    def _sent_progress(self):
        """The progress notifications sent at commit: (the channels they went
        to, the payload of the first)."""
        self.env.cr.precommit.run()
        notifications = (
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", "cycle_count/task_progress")])
        )
        channels = {tuple(json.loads(n.channel)[1:]) for n in notifications}
        self.assertTrue(notifications, "no progress was sent")
        return channels, json.loads(notifications[0].message)["payload"]

    def test_progress_is_sent_to_the_companys_reviewers(self):
        self.env["bus.bus"].sudo().search([]).unlink()
        self.count(
            self.task.id,
            [{"client_id": cid(), "line_id": self.line_apple.id, "quantity": 9}],
        )
        channels, payload = self._sent_progress()
        reviewers = {
            ("res.partner", user.partner_id.id)
            for user in (self.supervisor, self.finance, self.manager)
        }
        self.assertTrue(reviewers <= channels, channels)
        self.assertNotIn(("res.partner", self.supervisor_b.partner_id.id), channels)
        self.assertNotIn(("res.partner", self.counter_2.partner_id.id), channels)
        self.assertEqual(payload["task_id"], self.task.id)
        self.assertEqual(payload["counted_line_count"], 1)
        self.assertEqual(payload["line_count"], 6)

    def test_the_server_says_how_long_a_batch_took(self):
        response = self.count(
            self.task.id,
            [{"client_id": cid(), "line_id": self.line_apple.id, "quantity": 9}],
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertRegex(response.headers["Server-Timing"], r"^app;dur=\d+\.\d$")
        documented = self.OPENAPI["paths"]["/tasks/{task_id}/counts"]["post"]
        self.assertIn("Server-Timing", documented["responses"]["200"]["headers"])

    def test_progress_of_two_companies_tasks_reaches_each_company(self):
        self.env["bus.bus"].sudo().search([]).unlink()
        self.env["cycle.count.api"]._notify_count_progress(self.task | self.task_b)
        channels, _payload = self._sent_progress()
        self.assertIn(("res.partner", self.supervisor.partner_id.id), channels)
        self.assertIn(("res.partner", self.supervisor_b.partner_id.id), channels)
        sent_to_b = {
            json.loads(n.message)["payload"]["task_id"]
            for n in self.env["bus.bus"].sudo().search([])
            if json.loads(n.channel)[1:]
            == ["res.partner", self.supervisor_b.partner_id.id]
        }
        self.assertEqual(sent_to_b, {self.task_b.id})

    def test_counts_typed_in_the_backend_show_live_too(self):
        self.env["bus.bus"].sudo().search([]).unlink()
        self.line_bolt.with_user(self.counter).counted_qty = 50
        channels, payload = self._sent_progress()
        self.assertIn(("res.partner", self.supervisor.partner_id.id), channels)
        self.assertEqual(payload["counted_line_count"], 1)
