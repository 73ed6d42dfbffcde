from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CycleCountCase

MONDAY = date(2026, 3, 2)


def day(offset):
    return MONDAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestScheduler(CycleCountCase):
    """Capacity levelling, order of the work, counters and routes, coverage and
    explanations, on a frozen Monday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bin_d = cls.env["stock.location"].create(
            {"name": "C-01", "location_id": cls.stock_location.id, "usage": "internal"}
        )
        cls.extras = cls.env["product.product"].create(
            [
                {
                    "name": f"Extra {n}",
                    "default_code": f"CC-X{n}",
                    "is_storable": True,
                    "standard_price": 1.0,
                }
                for n in range(1, 7)
            ]
        )
        for product, location in zip(
            cls.extras,
            (cls.bin_a, cls.bin_b, cls.bin_b, cls.bin_c, cls.bin_d, cls.bin_d),
            strict=True,
        ):
            cls.env["stock.quant"]._update_available_quantity(product, location, 3)
        cls.capacity = cls.env["cycle.count.capacity"].create(
            {
                "warehouse_id": cls.warehouse.id,
                "lines_per_counter": 2,
                "horizon_days": 4,
                "working_days": "mon_fri",
                "user_ids": [Command.set((cls.counter | cls.counter_2).ids)],
            }
        )
        cls.Coverage = cls.env["cycle.count.coverage"]

    def _coverage(self, today):
        self.Coverage._refresh(self.company, today=today)
        return self.Coverage.search([("company_id", "=", self.company.id)])

    def _schedule(self, tasks):
        """{(day, counter login): [product codes in route order]}."""
        return {
            (task.scheduled_date, task.user_id.login or ""): [
                line.product_id.default_code for line in task.line_ids
            ]
            for task in tasks
        }

    @freeze_time(MONDAY)
    def test_work_is_levelled_over_working_days_within_capacity(self):
        rule = self._create_rule(user_id=False)
        tasks = self._plan(rule, today=MONDAY)
        # 10 items, 2 counters × 2 lines a day: Monday 4, Tuesday 4, Wednesday 2,
        # each counter walking a stretch of the route.
        self.assertEqual(
            self._schedule(tasks),
            {
                (day(0), "cc_counter"): ["CC-APL", "CC-BLT"],
                (day(0), "cc_counter2"): ["CC-X1", "CC-CHP"],
                (day(1), "cc_counter"): ["CC-X2", "CC-X3"],
                (day(1), "cc_counter2"): ["CC-GLU", "CC-X4"],
                (day(2), "cc_counter"): ["CC-X5", "CC-X6"],
            },
        )
        self.assertTrue(all(task.is_planned for task in tasks))
        self.assertFalse(
            self._coverage(MONDAY).filtered(lambda g: g.status == "unplanned")
        )
        # Planned after their due day (all are due today): late, and shown.
        late = self._coverage(MONDAY)
        self.assertEqual(len(late), 6)
        self.assertEqual(set(late.mapped("status")), {"late"})
        self.assertEqual(
            {g.product_id.default_code: g.days_late for g in late}["CC-X5"], 2
        )

    @freeze_time(MONDAY)
    def test_coverage_is_empty_with_enough_capacity(self):
        self.capacity.lines_per_counter = 5
        rule = self._create_rule(user_id=False)
        self.assertEqual(len(self._coverage(MONDAY)), 10, "nothing planned yet")
        tasks = self._plan(rule, today=MONDAY)
        self.assertEqual(len(tasks.line_ids), 10)
        self.assertEqual(set(tasks.mapped("scheduled_date")), {MONDAY})
        self.assertFalse(self._coverage(MONDAY))
        # Two days later, Monday's tasks are not counted: behind schedule.
        behind = self._coverage(day(2))
        self.assertEqual(len(behind), 10)
        self.assertEqual(set(behind.mapped("status")), {"behind"})

    @freeze_time(MONDAY)
    def test_overdue_first_then_priority_then_class(self):
        self.capacity.write(
            {"lines_per_counter": 1, "horizon_days": 2, "user_ids": [Command.clear()]}
        )
        x1, x2, x3, x4 = self.extras[:4]
        # X1 was counted 40 days ago: 10 days overdue.
        self._move(
            x1,
            x1.with_company(self.company).property_stock_inventory,
            self.bin_a,
            1,
            days_ago=40,
            inventory=True,
        )
        # Classes of the company-wide profile: X3 is A, X4 is C.
        profile = self._abc_profile()
        profile.class_line_ids.filtered(
            lambda c: c.product_id == x3
        ).abc_class_id = self.env.ref("cycle_count_planning.abc_class_a")
        profile.class_line_ids.filtered(
            lambda c: c.product_id == x4
        ).abc_class_id = self.env.ref("cycle_count_planning.abc_class_c")
        normal = self._create_rule(
            user_id=False,
            product_domain=f"[('id', 'in', {(x1 | x3 | x4).ids})]",
        )
        urgent = self._create_rule(
            user_id=False, priority="2", product_domain=f"[('id', '=', {x2.id})]"
        )
        tasks = self._plan(normal | urgent, today=MONDAY)
        self.assertEqual(
            self._schedule(tasks),
            {
                (day(0), ""): ["CC-X1"],
                (day(1), ""): ["CC-X2"],
                (day(2), ""): ["CC-X3"],
            },
        )
        x1_line = tasks.line_ids.filtered(lambda line: line.product_id == x1)
        self.assertEqual(x1_line.last_count_date, day(-40))
        self.assertEqual(x1_line.due_date, day(-10))
        gap = self._coverage(MONDAY).filtered(lambda g: g.status == "unplanned")
        self.assertEqual(gap.product_id, x4)
        self.assertEqual(gap.rule_id, normal)
        # X4 is left over, overdue tomorrow: it goes first then.
        with freeze_time(day(1)):
            later = self._plan(normal | urgent, today=day(1))
        self.assertEqual(self._schedule(later), {(day(3), ""): ["CC-X4"]})

    @freeze_time(MONDAY)
    def test_future_items_on_their_due_day_never_before(self):
        self.capacity.write({"lines_per_counter": 0, "horizon_days": 7})
        chip = self.product_chip
        # Counted 25 days ago: due on day 5, a Saturday; planned the Friday before.
        self._move(
            chip,
            chip.with_company(self.company).property_stock_inventory,
            self.bin_b,
            1,
            days_ago=25,
            inventory=True,
        )
        rule = self._create_rule(product_domain="[('default_code', '=', 'CC-CHP')]")
        tasks = self._plan(rule, today=MONDAY)
        self.assertEqual(tasks.scheduled_date, day(4))
        self.assertEqual(tasks.line_ids.due_date, day(5))
        self.assertFalse(self._coverage(MONDAY))
        # With today's horizon only, it is not planned yet.
        tasks.action_cancel()
        self.capacity.horizon_days = 0
        self.assertFalse(self._plan(rule, today=MONDAY))

    @freeze_time(day(5))
    def test_a_saturday_run_plans_for_monday(self):
        self.capacity.write({"lines_per_counter": 0, "horizon_days": 0})
        tasks = self._plan(self._create_rule(), today=day(5))
        self.assertEqual(set(tasks.mapped("scheduled_date")), {day(7)})

    @freeze_time(MONDAY)
    def test_capacity_already_used_and_draft_tasks_reused(self):
        self.capacity.write({"horizon_days": 0, "user_ids": [Command.clear()]})
        rule = self._create_rule(product_domain="[('default_code', 'like', 'CC-X')]")
        first = self._plan(rule, today=MONDAY)
        self.assertEqual(len(first.line_ids), 2, "the counter's capacity")
        self.assertFalse(self._plan(rule, today=MONDAY), "Monday is full")
        self.capacity.lines_per_counter = 3
        again = self._plan(rule, today=MONDAY)
        self.assertEqual(again, first, "the planner's draft task gets the line")
        self.assertEqual(len(first.line_ids), 3)
        self.assertEqual(first.line_count, 3)
        # A task in progress is not extended: a new one is made.
        first.action_start()
        self.capacity.lines_per_counter = 4
        third = self._plan(rule, today=MONDAY)
        self.assertNotEqual(third, first)
        self.assertEqual(len(third.line_ids), 1)

    @freeze_time(MONDAY)
    def test_counters_named_by_rules_before_the_shared_pool(self):
        self.capacity.horizon_days = 0
        apples = self._create_rule(
            name="Apples", product_domain="[('default_code', '=', 'CC-APL')]"
        )
        others = self._create_rule(
            name="Others",
            user_id=False,
            product_domain="[('default_code', 'in', ['CC-BLT', 'CC-CHP', 'CC-X1'])]",
        )
        tasks = self._plan(apples | others, today=MONDAY)
        # The counter keeps one line of room for the pool, Cleo takes two.
        self.assertEqual(
            self._schedule(tasks),
            {
                (MONDAY, "cc_counter"): ["CC-APL", "CC-BLT"],
                (MONDAY, "cc_counter2"): ["CC-X1", "CC-CHP"],
            },
        )

    @freeze_time(MONDAY)
    def test_explain_says_why(self):
        self.capacity.lines_per_counter = 0
        chip = self.product_chip
        self._move(
            chip,
            chip.with_company(self.company).property_stock_inventory,
            self.bin_b,
            1,
            days_ago=45,
            inventory=True,
        )
        rule = self._create_rule(
            name="Valuable",
            unit_cost_min=100,
            onhand_value_min=1000,
            product_domain="[('default_code', '=', 'CC-CHP')]",
        )
        line = self._plan(rule, today=MONDAY).line_ids
        self.assertEqual(
            line.with_user(self.supervisor).plan_explain,
            "Rule “Valuable”, every 30 days: unit cost $\N{NO-BREAK SPACE}400.00 "
            "(from $\N{NO-BREAK SPACE}100.00); on-hand value "
            "$\N{NO-BREAK SPACE}2,000.00 (from $\N{NO-BREAK SPACE}1,000.00).\n"
            "Last counted on 01/16/2026; due on 02/15/2026.",
        )
        # Counters never see it: it quotes book quantities.
        self.assertNotIn("plan_explain", line.with_user(self.counter).fields_get())
        self.assertEqual(line.with_user(self.counter).due_date, day(-15))

    def test_planning_runs_the_same_queries_for_4_or_40_items(self):
        rule = self._create_rule(
            product_domain="[('default_code', 'not like', 'CC-X')]"
        )
        self.capacity.write({"lines_per_counter": 0, "user_ids": [Command.clear()]})
        few = self._count_queries(self._plan, rule)
        few_task = self.env["cycle.count.task"].search(
            [("warehouse_id", "=", self.warehouse.id)]
        )
        self.assertEqual(len(few_task.line_ids), 4)
        few_task.action_cancel()
        products = self.env["product.product"].create(
            [
                {"name": f"Bulk {n}", "default_code": f"CC-B{n}", "is_storable": True}
                for n in range(36)
            ]
        )
        for product in products:
            self.env["stock.quant"]._update_available_quantity(product, self.bin_d, 1)
        # Creating products clears Odoo's caches: warm the one planning reads.
        self.env.ref("cycle_count_planning.group_cycle_count_counter")
        many = self._count_queries(self._plan, rule)
        many_task = self.env["cycle.count.task"].search(
            [("warehouse_id", "=", self.warehouse.id), ("state", "=", "draft")]
        )
        self.assertEqual(len(many_task.line_ids), 40)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 40)

    @freeze_time(MONDAY)
    def test_companies_are_planned_apart(self):
        company_b = self.env["res.company"].create({"name": "Scheduler Company B"})
        warehouse_b = self.env["stock.warehouse"].search(
            [("company_id", "=", company_b.id)], limit=1
        ) or self.env["stock.warehouse"].create(
            {"name": "Company B", "code": "CCB", "company_id": company_b.id}
        )
        self.env["stock.quant"]._update_available_quantity(
            self.product_apple, warehouse_b.lot_stock_id, 5
        )
        rule_b = self.env["cycle.count.rule"].create(
            {"name": "B", "company_id": company_b.id, "warehouse_id": warehouse_b.id}
        )
        rule_a = self._create_rule()
        tasks_a = self._plan(rule_a, today=MONDAY)
        self.assertEqual(tasks_a.company_id, self.company)
        self.assertNotIn(warehouse_b.lot_stock_id, tasks_a.line_ids.location_id)
        self.assertFalse(self.Coverage.search([("company_id", "=", company_b.id)]))
        self.env["cycle.count.rule"]._cron_plan_counts()
        tasks_b = self.env["cycle.count.task"].search(
            [("company_id", "=", company_b.id)]
        )
        self.assertEqual(tasks_b.line_ids.location_id, warehouse_b.lot_stock_id)
        self.assertEqual(tasks_b.line_ids.rule_ids, rule_b)
        gaps_b = self.Coverage.search([("company_id", "=", company_b.id)])
        self.assertFalse(gaps_b)
        # Company A's coverage was checked by the cron too; its leftovers show.
        self.assertTrue(self.Coverage.search([("company_id", "=", self.company.id)]))

    @freeze_time(MONDAY)
    def test_plan_counts_now_plans_rules_and_events_and_checks_coverage(self):
        self.capacity.lines_per_counter = 1
        self._create_rule(user_id=False)
        trigger = (
            self.env["cycle.count.trigger"]
            .with_context(active_test=False)
            .search(
                [("company_id", "=", self.company.id), ("event_type", "=", "negative")]
            )
        )
        trigger.active = True
        with self.assertRaises(AccessError):
            self.env["cycle.count.rule"].with_user(
                self.supervisor
            ).action_plan_companies()
        action = (
            self.env["cycle.count.rule"].with_user(self.manager).action_plan_companies()
        )
        self.assertEqual(action["res_model"], "cycle.count.task")
        tasks = self.env["cycle.count.task"].search(action["domain"])
        self.assertEqual(len(tasks.line_ids), 10)
        gaps = self.Coverage.search([("company_id", "=", self.company.id)])
        self.assertEqual(set(gaps.mapped("status")), {"late"})
        # In the menu: the server action runs it for the user's companies.
        server_action = self.env.ref("cycle_count_planning.action_server_plan_counts")
        result = server_action.with_user(self.manager).run()
        self.assertEqual(result["tag"], "display_notification")
