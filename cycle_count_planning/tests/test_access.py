from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import COUNTER, SUPERVISOR, CycleCountCase


@tagged("post_install", "-at_install")
class TestAccess(CycleCountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.task = cls.env["cycle.count.planner"]._plan(cls._create_rule())
        cls.company_b = cls.env["res.company"].create({"name": "Cycle Count Company B"})
        cls.warehouse_b = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        ) or cls.env["stock.warehouse"].create(
            {"name": "Company B", "code": "CCB", "company_id": cls.company_b.id}
        )
        cls.env["stock.quant"].sudo()._update_available_quantity(
            cls.product_apple, cls.warehouse_b.lot_stock_id, 5
        )
        # A counter of company B only, and a supervisor of both companies.
        cls.counter_b = new_test_user(
            cls.env,
            login="cc_counter_b",
            groups=COUNTER,
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.supervisor_ab = new_test_user(
            cls.env,
            login="cc_supervisor_ab",
            groups=SUPERVISOR,
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
        )
        cls.rule_b = cls.env["cycle.count.rule"].create(
            {
                "name": "Company B monthly",
                "company_id": cls.company_b.id,
                "warehouse_id": cls.warehouse_b.id,
                "frequency_days": 30,
                "user_id": cls.counter_b.id,
            }
        )
        cls.task_b = (
            cls.env["cycle.count.planner"].with_company(cls.company_b)._plan(cls.rule_b)
        )

    def test_planning_stays_within_the_rule_company(self):
        self.assertEqual(self.task_b.company_id, self.company_b)
        self.assertEqual(
            self.task_b.line_ids.location_id, self.warehouse_b.lot_stock_id
        )
        self.assertNotIn(self.warehouse_b.lot_stock_id, self.task.line_ids.location_id)

    def test_counter_sees_only_their_own_tasks(self):
        Task = self.env["cycle.count.task"]
        self.assertEqual(Task.with_user(self.counter).search([]), self.task)
        self.assertFalse(Task.with_user(self.counter_2).search([]))
        with self.assertRaises(AccessError):
            self.task.with_user(self.counter_2).read(["name"])
        with self.assertRaises(AccessError):
            self.task.line_ids[0].with_user(self.counter_2).counted_qty = 1

    def test_counter_cannot_see_another_company_task(self):
        Task = self.env["cycle.count.task"]
        self.assertEqual(Task.with_user(self.counter_b).search([]), self.task_b)
        with self.assertRaises(AccessError):
            self.task_b.with_user(self.counter).read(["name"])
        with self.assertRaises(AccessError):
            self.task.with_user(self.counter_b).read(["name"])

    def test_supervisor_sees_the_companies_they_work_in(self):
        Task = self.env["cycle.count.task"].with_user(self.supervisor_ab)
        both = Task.with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        ).search([("id", "in", (self.task | self.task_b).ids)])
        self.assertEqual(both, self.task | self.task_b)
        self.assertEqual(
            Task.with_context(allowed_company_ids=self.company.ids).search(
                [("id", "in", (self.task | self.task_b).ids)]
            ),
            self.task,
        )
        self.assertFalse(
            self.env["cycle.count.task"]
            .with_user(self.supervisor)
            .search([("id", "=", self.task_b.id)])
        )

    def test_only_managers_write_rules(self):
        with self.assertRaises(AccessError):
            self.env["cycle.count.rule"].with_user(self.supervisor).create(
                {"name": "Nope", "warehouse_id": self.warehouse.id}
            )
        with self.assertRaises(AccessError):
            self.env["cycle.count.reason"].with_user(self.supervisor).create(
                {"name": "Nope"}
            )
        rule = (
            self.env["cycle.count.rule"]
            .with_user(self.manager)
            .create({"name": "Fine", "warehouse_id": self.warehouse.id})
        )
        self.assertEqual(rule.company_id, self.company)

    def test_planning_configuration_is_the_managers(self):
        """Counters see none of it; supervisors and finance read it; managers write
        it; and each company sees only its own."""
        models = (
            "cycle.count.abc.profile",
            "cycle.count.product.class",
            "cycle.count.product.class.history",
            "cycle.count.capacity",
            "cycle.count.trigger",
            "cycle.count.event",
            "cycle.count.coverage",
        )
        for model in models:
            with self.subTest(model=model):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.counter).search([])
                self.env[model].with_user(self.supervisor).search([])
                self.env[model].with_user(self.finance).search([])
        for model in (
            "cycle.count.capacity",
            "cycle.count.trigger",
            "cycle.count.abc.profile",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.supervisor).create(
                    {
                        "warehouse_id": self.warehouse.id,
                        "event_type": "negative",
                        "name": "x",
                    }
                )
        self.env["cycle.count.capacity"].with_user(self.manager).create(
            {"warehouse_id": self.warehouse.id, "lines_per_counter": 50}
        )
        Trigger = self.env["cycle.count.trigger"].with_context(active_test=False)
        mine = (
            Trigger.with_user(self.supervisor_ab)
            .with_context(allowed_company_ids=self.company.ids)
            .search([])
        )
        self.assertEqual(mine.company_id, self.company)
        self.assertEqual(len(mine), 5, "one trigger of each type, off")
        theirs = Trigger.search([("company_id", "=", self.company_b.id)])
        with self.assertRaises(AccessError):
            theirs.with_user(self.manager).read(["event_type"])

    def test_events_stay_in_their_company(self):
        self.env["cycle.count.trigger"].with_context(active_test=False).search(
            [("company_id", "=", self.company_b.id), ("event_type", "=", "negative")]
        ).active = True
        # Not the apples: they are in company B's open task already.
        self._ship(self.product_bolt, self.warehouse_b.lot_stock_id, 3)
        event = self.env["cycle.count.event"].search(
            [("company_id", "=", self.company_b.id)]
        )
        self.assertEqual(event.event_type, "negative")
        self.assertFalse(
            self.env["cycle.count.event"].with_user(self.supervisor).search([])
        )
        with self.assertRaises(AccessError):
            event.with_user(self.supervisor).read(["event_type"])

    def test_only_managers_run_the_planner_or_the_coverage_check(self):
        rule = self._create_rule()
        for user in (self.counter, self.supervisor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                rule.with_user(user).action_plan_now()
        with self.assertRaises(AccessError):
            self.env["cycle.count.coverage"].with_user(self.supervisor).action_refresh()
        self.env["cycle.count.coverage"].with_user(self.manager).action_refresh()
        # So the supervisor, who reads Coverage, is not offered the button.
        for user, offered in ((self.supervisor, False), (self.manager, True)):
            arch = (
                self.env["cycle.count.coverage"]
                .with_user(user)
                .get_views([(False, "list")])["views"]["list"]["arch"]
            )
            self.assertEqual('name="action_refresh"' in arch, offered, user.login)
