from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..models.cycle_count_trigger import EVENT_TYPES
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
        self.assertEqual(len(mine), len(EVENT_TYPES), "one trigger of each type, off")
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

    def _salesperson_group(self):
        """Sales' own group when sales_team is installed; otherwise a group of
        another application, declared as sales_team declares its group (an
        application category of its own): the rules see no difference."""
        group = self.env.ref("sales_team.group_sale_salesman", raise_if_not_found=False)
        if group:
            return group
        category = self.env["ir.module.category"].create({"name": "Sales (test)"})
        return self.env["res.groups"].create(
            {
                "name": "Salesperson (test)",
                "category_id": category.id,
                "implied_ids": [Command.link(self.env.ref("base.group_user").id)],
            }
        )

    def test_blind_counts_bind_pure_counters_only(self):
        """A salesperson who also counts keeps the stock figures of the sales
        screens; a pure counter reads none; in the counting screens both count
        blind."""
        salesperson = new_test_user(
            self.env, login="cc_sales_counter", groups=COUNTER, name="Sales Counter"
        )
        salesperson.groups_id |= self._salesperson_group()
        self.assertTrue(self.counter.cycle_count_blind)
        self.assertFalse(salesperson.cycle_count_blind)
        self.assertFalse(self.supervisor.cycle_count_blind)
        Quant = self.env["stock.quant"]
        apples = [
            ("product_id", "=", self.product_apple.id),
            ("location_id", "=", self.bin_a.id),
        ]
        self.assertTrue(Quant.search(apples))
        self.assertEqual(
            Quant.with_user(salesperson).search(apples), Quant.search(apples)
        )
        self.assertFalse(Quant.with_user(self.counter).search(apples))
        # What a sales screen shows as on hand: the sum of the quants it reads.
        on_hand = Quant.with_user(salesperson)._read_group(apples, [], ["quantity:sum"])
        self.assertEqual(on_hand, [(10.0,)])
        for model in ("stock.move.line", "report.stock.quantity"):
            with self.subTest(model=model):
                self.assertEqual(
                    self.env[model].with_user(salesperson).search_count([]),
                    self.env[model].with_user(self.supervisor).search_count([]),
                )
                self.assertFalse(self.env[model].with_user(self.counter).search([]))
        # Counting stays blind for both: no book quantity, no difference.
        for user in (salesperson, self.counter):
            fields = self.env["cycle.count.line"].with_user(user).fields_get()
            with self.subTest(user=user.login):
                self.assertNotIn("book_qty", fields)
                self.assertNotIn("has_difference", fields)

    def test_a_pure_counter_made_stock_user_sees_stock(self):
        """Any group of another application lifts the blind rules, Inventory's
        own too; taking it away closes them again."""
        stock_user = self.env.ref("stock.group_stock_user")
        self.counter.groups_id |= stock_user
        self.assertFalse(self.counter.cycle_count_blind)
        self.assertTrue(self.env["stock.quant"].with_user(self.counter).search([]))
        self.counter.groups_id -= stock_user
        self.assertTrue(self.counter.cycle_count_blind)
        self.assertFalse(self.env["stock.quant"].with_user(self.counter).search([]))
