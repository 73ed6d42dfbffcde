from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestQuantRequest(CycleCountTestMixin, TransactionCase):
    """Request Cycle Count from Odoo's Physical Inventory: planned through the
    planner within capacity, never twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        # A supervisor who works in Inventory too, as on Physical Inventory.
        cls.supervisor.groups_id |= cls.env.ref("stock.group_stock_user")
        cls.capacity = cls.env["cycle.count.capacity"].create(
            {
                "warehouse_id": cls.warehouse.id,
                "lines_per_counter": 0,
                "horizon_days": 3,
                "working_days": "all",
                "user_ids": [fields.Command.set(cls.counter.ids)],
            }
        )
        cls.today = fields.Date.context_today(cls.env["stock.quant"])

    def _quants(self, *products):
        return self.env["stock.quant"].search(
            [
                ("product_id", "in", [p.id for p in products]),
                ("location_id", "child_of", self.stock_location.id),
            ]
        )

    def _request(self, quants, user=None):
        return quants.with_user(user or self.supervisor).action_cycle_count_request()

    def _events(self, products):
        return self.env["cycle.count.event"].search(
            [("product_id", "in", products.ids), ("event_type", "=", "request")]
        )

    def test_request_plans_a_task_for_today(self):
        quants = self._quants(self.product_apple, self.product_chip)
        action = self._request(quants)
        events = self._events(self.product_apple | self.product_chip)
        self.assertEqual(len(events), 2)
        self.assertEqual(set(events.mapped("state")), {"planned"})
        lines = events.line_id
        self.assertEqual(lines.product_id, self.product_apple | self.product_chip)
        self.assertEqual(lines.task_id.scheduled_date, self.today)
        self.assertEqual(lines.task_id.user_id, self.counter)
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("2 item(s) to count today", action["params"]["message"])
        self.assertIn(lines.task_id.name, action["params"]["message"])
        # Physical Inventory shows the planned day.
        quant = self._quants(self.product_apple).with_user(self.supervisor)
        self.assertEqual(quant.cycle_count_next_date, self.today)
        self.assertIn("requested a count", events[0].description)

    def test_never_twice(self):
        quants = self._quants(self.product_apple)
        self._request(quants)
        lines = self.env["cycle.count.line"].search(
            [("product_id", "=", self.product_apple.id)]
        )
        action = self._request(quants)
        self.assertEqual(len(self._events(self.product_apple)), 1)
        self.assertEqual(
            self.env["cycle.count.line"].search(
                [("product_id", "=", self.product_apple.id)]
            ),
            lines,
        )
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn(
            "1 item(s) skipped: already in an open count", action["params"]["message"]
        )

    def test_item_in_a_rule_task_is_skipped(self):
        task = self._plan(
            self._create_rule(product_domain="[('default_code', '=', 'CC-BLT')]")
        )
        self.assertEqual(task.line_ids.product_id, self.product_bolt)
        action = self._request(self._quants(self.product_bolt, self.product_apple))
        self.assertEqual(self._events(self.product_bolt), self.env["cycle.count.event"])
        self.assertEqual(len(self._events(self.product_apple)), 1)
        self.assertIn("1 item(s) to count today", action["params"]["message"])
        self.assertIn("1 item(s) skipped", action["params"]["message"])

    def test_capacity_spills_to_the_next_day_then_stays_requested(self):
        self.capacity.write({"lines_per_counter": 1, "horizon_days": 1})
        quants = self._quants(self.product_apple, self.product_bolt, self.product_chip)
        action = self._request(quants)
        events = self._events(
            self.product_apple | self.product_bolt | self.product_chip
        )
        planned = events.filtered(lambda e: e.state == "planned")
        self.assertEqual(
            sorted(planned.task_id.mapped("scheduled_date")),
            [self.today, self.today + timedelta(days=1)],
        )
        unplanned = events - planned
        self.assertEqual(len(unplanned), 1)
        self.assertEqual(unplanned.state, "open")
        message = action["params"]["message"]
        self.assertIn("1 item(s) to count today", message)
        self.assertIn("1 item(s) planned on a later day", message)
        self.assertIn("1 item(s) not planned", message)
        # The one still requested is not requested again.
        again = self._request(quants)
        self.assertEqual(
            self._events(self.product_apple | self.product_bolt | self.product_chip),
            events,
        )
        self.assertIn("3 item(s) skipped", again["params"]["message"])

    def test_only_supervisors_request(self):
        stock_user = new_test_user(
            self.env, login="cc_stock_user", groups="stock.group_stock_user"
        )
        with self.assertRaises(AccessError):
            self._request(self._quants(self.product_apple), user=stock_user)
        self.assertFalse(self._events(self.product_apple))

    def test_last_count_date(self):
        quant = self._quants(self.product_apple).with_user(self.supervisor)
        self.assertFalse(quant.cycle_count_last_date)
        task = self._plan(
            self._create_rule(product_domain="[('default_code', '=', 'CC-APL')]")
        )
        self._count(task, {self.product_apple: 10})
        quant.invalidate_recordset()
        self.assertEqual(quant.cycle_count_last_date, self.today)
        self.assertFalse(quant.cycle_count_next_date)
