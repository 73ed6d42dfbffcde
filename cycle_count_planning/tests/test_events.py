from datetime import date, timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestEvents(CycleCountCase):
    """Each event trigger, its switch per company and per rule, deduplication,
    and the planner putting events into tasks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = date.today()
        cls.Event = cls.env["cycle.count.event"]
        cls.Trigger = cls.env["cycle.count.trigger"].with_context(active_test=False)

    def _switch_on(self, event_type, **values):
        trigger = self.Trigger.search(
            [("company_id", "=", self.company.id), ("event_type", "=", event_type)]
        )
        self.assertEqual(len(trigger), 1, "every company has each trigger, off")
        self.assertFalse(trigger.active)
        trigger.write({"active": True, **values})
        return trigger

    def _events(self, event_type=None):
        domain = [("company_id", "=", self.company.id)]
        if event_type:
            domain.append(("event_type", "=", event_type))
        return self.Event.search(domain)

    def test_nothing_fires_while_the_triggers_are_off(self):
        self._ship(self.product_apple, self.bin_a, 12)
        self._ship(self.product_chip, self.bin_b, 4)
        self.assertFalse(self._events())

    def test_negative_quant(self):
        trigger = self._switch_on("negative", deadline_days=3)
        self._ship(self.product_bolt, self.bin_a, 10)
        self.assertFalse(self._events())
        move = self._ship(self.product_apple, self.bin_a, 12)
        event = self._events("negative")
        self.assertEqual(len(event), 1)
        self.assertEqual(
            (event.location_id, event.product_id, event.quantity, event.move_id),
            (self.bin_a, self.product_apple, -2, move),
        )
        self.assertEqual(event.trigger_id, trigger)
        self.assertEqual(event.warehouse_id, self.warehouse)
        self.assertEqual(event.date_due, self.today)
        self.assertEqual(event.deadline, self.today + timedelta(days=3))
        self.assertEqual(event.state, "open")
        self.assertIn("became negative (-2.00)", event.description)
        # Still negative: the open event stands, no second one.
        self._ship(self.product_apple, self.bin_a, 1)
        self.assertEqual(self._events("negative"), event)

    def test_mass_imports_may_skip_the_triggers(self):
        move = self._ship(self.product_apple, self.bin_a, 12)
        self._switch_on("negative")
        Event = self.env["cycle.count.event"]
        Event.with_context(cycle_count_no_events=True)._fire_from_moves(move)
        self.assertFalse(self._events())
        Event._fire_from_moves(move)
        self.assertEqual(self._events("negative").move_id, move)

    def test_location_emptied(self):
        self._switch_on("empty")
        self._ship(self.product_bolt, self.bin_a, 50)
        self.assertFalse(self._events(), "A-01 still holds apples")
        self._ship(self.product_chip, self.bin_b, 4)
        event = self._events("empty")
        self.assertEqual(
            (event.location_id, event.product_id), (self.bin_b, self.product_chip)
        )
        self.assertIn("became empty", event.description)

    def test_stock_falls_below_the_reorder_minimum(self):
        self._switch_on("safety_stock")
        self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": self.product_chip.id,
                "warehouse_id": self.warehouse.id,
                "location_id": self.stock_location.id,
                "product_min_qty": 3,
                "product_max_qty": 10,
            }
        )
        self._ship(self.product_chip, self.bin_b, 1)
        self.assertFalse(self._events(), "4 → 3: not below the minimum of 3")
        self._ship(self.product_chip, self.bin_b, 1)
        event = self._events("safety_stock")
        self.assertEqual(
            (event.location_id, event.product_id, event.quantity, event.threshold),
            (self.bin_b, self.product_chip, 2, 3),
        )
        self.assertIn("below the reorder minimum 3.00", event.description)
        # Already below: no new event.
        self._ship(self.product_chip, self.bin_b, 1)
        self.assertEqual(self._events("safety_stock"), event)

    def test_variance_over_tolerance_is_recounted_later(self):
        self._switch_on(
            "variance", tolerance_percent=10, recount_days=7, deadline_days=2
        )
        quants = (
            self.env["stock.quant"]
            .search([("location_id", "=", self.bin_a.id)])
            .with_context(inventory_mode=True)
        )
        apple = quants.filtered(lambda q: q.product_id == self.product_apple)
        bolt = quants.filtered(lambda q: q.product_id == self.product_bolt)
        bolt.inventory_quantity = 49  # 2 %: within tolerance
        bolt.action_apply_inventory()
        self.assertFalse(self._events())
        apple.inventory_quantity = 8  # 20 %
        apple.action_apply_inventory()
        event = self._events("variance")
        self.assertEqual((event.product_id, event.quantity), (self.product_apple, -2))
        self.assertAlmostEqual(event.value, 20.0)
        self.assertEqual(event.date_due, self.today + timedelta(days=7))
        self.assertEqual(event.deadline, self.today + timedelta(days=9))
        # Not planned before its day.
        planner = self.env["cycle.count.planner"]
        rules = self.env["cycle.count.rule"]
        self.assertFalse(planner._plan(rules, today=self.today, companies=self.company))
        task = planner._plan(
            rules, today=self.today + timedelta(days=7), companies=self.company
        )
        self.assertEqual(task.line_ids.event_ids, event)

    def test_variance_by_value(self):
        self._switch_on("variance", tolerance_percent=0, tolerance_value=300)
        quant = (
            self.env["stock.quant"]
            .search([("location_id", "=", self.bin_b.id)])
            .with_context(inventory_mode=True)
        )
        quant.inventory_quantity = 3  # one chip: 400 > 300
        quant.action_apply_inventory()
        self.assertEqual(self._events("variance").product_id, self.product_chip)

    def test_high_value_move(self):
        self._switch_on("high_value", value_threshold=1000)
        self._receive(self.product_chip, self.bin_b, 2)  # 800
        self.assertFalse(self._events())
        self._receive(self.product_chip, self.bin_b, 3)  # 1200
        event = self._events("high_value")
        self.assertEqual(
            (event.location_id, event.product_id), (self.bin_b, self.product_chip)
        )
        self.assertAlmostEqual(event.value, 1200.0)

    def test_a_delivery_order_fires_too(self):
        self._switch_on("high_value", value_threshold=1000)
        self._switch_on("empty")
        picking = self._deliver_picking(self.product_chip, self.bin_b, 3)
        self.assertEqual(picking.state, "done")
        event = self._events("high_value")
        self.assertEqual(
            (event.location_id, event.move_id), (self.bin_b, picking.move_ids)
        )
        self.assertAlmostEqual(event.value, 1200.0)
        self.assertFalse(self._events("empty"), "one chip is left")
        self._deliver_picking(self.product_chip, self.bin_b, 1)
        self.assertEqual(self._events("empty").location_id, self.bin_b)

    def test_trigger_switched_per_rule(self):
        self._switch_on("negative", apply_to="rules")
        chips = self._create_rule(
            name="Chips", product_domain="[('default_code', '=', 'CC-CHP')]"
        )
        self._ship(self.product_apple, self.bin_a, 12)
        self.assertFalse(self._events(), "no rule with this trigger selects apples")
        trigger = self.Trigger.search(
            [("company_id", "=", self.company.id), ("event_type", "=", "negative")]
        )
        chips.trigger_ids = [Command.link(trigger.id)]
        self.assertEqual(trigger.rule_ids, chips)
        self._ship(self.product_apple, self.bin_a, 1)
        self.assertFalse(self._events())
        self._ship(self.product_chip, self.bin_b, 5)
        self.assertEqual(self._events("negative").product_id, self.product_chip)

    def test_companies_fire_their_own_triggers(self):
        self._switch_on("negative")
        company_b = self.env["res.company"].create({"name": "Events Company B"})
        warehouse_b = self.env["stock.warehouse"].search(
            [("company_id", "=", company_b.id)], limit=1
        )
        self._ship(self.product_apple, warehouse_b.lot_stock_id, 5)
        self.assertFalse(
            self.Event.search([("product_id", "=", self.product_apple.id)])
        )

    def test_no_event_for_an_item_in_an_open_task(self):
        self._switch_on("negative")
        task = self._plan(self._create_rule())
        self._ship(self.product_bolt, self.bin_a, 60)
        self.assertFalse(self._events())
        task.action_cancel()
        self._ship(self.product_apple, self.bin_a, 12)
        self.assertEqual(self._events().product_id, self.product_apple)

    def test_planner_plans_events_and_follows_them(self):
        self._switch_on("negative")
        self._ship(self.product_apple, self.bin_a, 12)
        event = self._events()
        monthly = self._create_rule(product_domain="[('default_code', '=', 'CC-APL')]")
        tasks = self._plan(monthly)
        line = tasks.line_ids
        self.assertEqual(line.product_id, self.product_apple)
        self.assertEqual((line.rule_ids, line.event_ids), (monthly, event))
        self.assertEqual(line.plan_priority, "3")
        self.assertEqual(event.state, "planned")
        self.assertEqual(event.task_id, tasks)
        explain = line.with_user(self.supervisor).plan_explain
        self.assertIn("Rule “Everything monthly”, every 30 days.", explain)
        self.assertIn("the quantity became negative (-2.00)", explain)
        self.assertIn("Count by", explain)
        # Cancelled: the event is to plan again; counted and done: it is done.
        tasks.action_cancel()
        self.assertEqual(event.state, "open")
        tasks = self.env["cycle.count.planner"]._plan(
            self.env["cycle.count.rule"], companies=self.company
        )
        self.assertEqual(tasks.line_ids.event_ids, event)
        self.assertFalse(tasks.line_ids.rule_ids)
        self.assertFalse(tasks.user_id, "no rule names a counter: a supervisor assigns")
        self._count(tasks, {self.product_apple: 0}, user=self.supervisor)
        tasks.with_user(self.supervisor).action_mark_counted()
        tasks._action_done()
        self.assertEqual(event.state, "done")

    def test_an_event_on_packed_stock_is_the_packed_item(self):
        package = self.env["stock.quant.package"].create({"name": "PACK-1"})
        self.env["stock.quant"]._update_available_quantity(
            self.product_chip, self.bin_c, 6, package_id=package
        )
        event = self.Event.sudo().create(
            {
                "company_id": self.company.id,
                "location_id": self.bin_c.id,
                "product_id": self.product_chip.id,
                "event_type": "high_value",
                "date": fields.Datetime.now(),
                "date_due": self.today,
                "deadline": self.today,
            }
        )
        rule = self._create_rule(product_domain="[('default_code', '=', 'CC-CHP')]")
        tasks = self._plan(rule)
        packed = tasks.line_ids.filtered(lambda line: line.location_id == self.bin_c)
        self.assertEqual(len(packed), 1, "one line for the packed chips, not two")
        self.assertEqual(packed.package_id, package)
        self.assertEqual((packed.rule_ids, packed.event_ids), (rule, event))

    def test_a_cancelled_event_stays_cancelled(self):
        self._switch_on("negative")
        self._ship(self.product_apple, self.bin_a, 12)
        event = self._events()
        tasks = self._plan(
            self._create_rule(product_domain="[('default_code', '=', 'CC-APL')]")
        )
        self.assertEqual(event.state, "planned")
        event.action_cancel()
        tasks.action_cancel()
        self.assertEqual(event.state, "cancel")
        replanned = self.env["cycle.count.planner"]._plan(
            self.env["cycle.count.rule"], companies=self.company
        )
        self.assertFalse(replanned.line_ids.event_ids)
        self.assertEqual(event.state, "cancel")

    def test_an_event_after_the_count_waits_for_a_new_count(self):
        """Stock goes negative after the item was counted, while its task waits:
        the event is not put on the counted line (it would be done uncounted)
        but planned once that task is done."""
        self._switch_on("negative")
        tasks = self._plan(
            self._create_rule(product_domain="[('default_code', '=', 'CC-APL')]")
        )
        self._count(tasks, {self.product_apple: 10})
        self._ship(self.product_apple, self.bin_a, 12)
        event = self._events()
        self.assertEqual(event.state, "open")
        planner = self.env["cycle.count.planner"]
        planner._plan(self.env["cycle.count.rule"], companies=self.company)
        self.assertEqual(event.state, "open")
        self.assertFalse(event.line_id)
        tasks.with_user(self.counter).action_mark_counted()
        tasks._action_done()
        later = planner._plan(self.env["cycle.count.rule"], companies=self.company)
        self.assertEqual(later.line_ids.event_ids, event)
        self.assertEqual(event.state, "planned")

    def test_firing_costs_one_statement_whatever_the_moves(self):
        for event_type in (
            "negative",
            "empty",
            "safety_stock",
            "variance",
            "high_value",
        ):
            self._switch_on(event_type)
        Event = self.env["cycle.count.event"]
        one = self._ship(self.product_bolt, self.bin_a, 1)
        many = self.env["stock.move"]
        for _i in range(10):
            many |= self._ship(self.product_bolt, self.bin_a, 1)
        # As in a validation: the moves are in the cache.
        many.mapped("state")
        one.mapped("state")
        queries_one = self._count_queries(Event._fire_from_moves, one, cached=True)
        queries_many = self._count_queries(Event._fire_from_moves, many, cached=True)
        self.assertEqual(queries_one, queries_many)
        self.assertEqual(queries_one, 1, "one INSERT … SELECT")
        for trigger in self.Trigger.search([("company_id", "=", self.company.id)]):
            trigger.active = False
        self.Trigger._get_active_triggers([self.company.id])  # warm the cache
        self.assertEqual(
            self._count_queries(Event._fire_from_moves, many, cached=True), 0
        )
