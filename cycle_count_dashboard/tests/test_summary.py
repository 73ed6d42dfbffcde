from odoo import Command
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from ..report.cycle_count_report_fact import FACTS_KEY

ACCURACY = "cycle.count.accuracy.report"
PLAN = "cycle.count.plan.report"
PRODUCTIVITY = "cycle.count.productivity.report"


@tagged("post_install", "-at_install")
class TestSummary(CycleCountCase):
    """The daily summaries answer the read_groups they can with the numbers
    the fact rows give; the rest stays on the facts."""

    def setUp(self):
        super().setUp()
        self.env["res.lang"]._activate_lang("en_US")
        self.first = self._counted_task(apple=12, bolt=46, chip=4, glue=20)
        self.second = self._task(
            self.counter_2,
            {self.product_apple: 10, self.product_bolt: 50, self.product_chip: 3},
        )
        # The supervisor's warehouses (the "My Warehouses" filter).
        self.env["cycle.count.team"].create(
            {
                "name": "Summary team",
                "warehouse_id": self.warehouse.id,
                "leader_id": self.env.uid,
            }
        )
        apple = self.first.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        apple.sudo().is_superseded = True
        recount = self._task(
            self.counter_2, {self.product_apple: 10}, apple.location_id, recount=True
        )
        recount.line_ids.sudo().recount_of_id = apple
        # Planned, not counted yet: the plan report's lines.
        shelf = self.env["stock.location"].create(
            {"name": "Summary shelf", "location_id": self.warehouse.lot_stock_id.id}
        )
        self.pending = self._task(
            self.counter,
            {self.product_apple: 0, self.product_bolt: 0},
            shelf,
            counted=False,
        )

    def _task(self, user, quantities, location=None, recount=False, counted=True):
        """A task of ``user`` counting ``quantities`` in ``location`` (default:
        the stock), marked counted (else left to count)."""
        task = self.env["cycle.count.task"].create(
            {
                "warehouse_id": self.warehouse.id,
                "user_id": user.id,
                "is_recount": recount,
                "line_ids": [
                    Command.create(
                        {
                            "location_id": (location or self.warehouse.lot_stock_id).id,
                            "product_id": product.id,
                        }
                    )
                    for product in quantities
                ],
            }
        )
        if counted:
            self._count(task, quantities)
            task.with_user(user).action_mark_counted()
        return task

    def _both(self, model, domain, groupby, aggregates):
        report = self.env[model]
        routed = report._read_group(domain, groupby, aggregates)
        facts = report.with_context(**{FACTS_KEY: True})._read_group(
            domain, groupby, aggregates
        )
        return routed, facts

    def assertSameGroups(self, routed, facts, label):
        self.assertEqual(len(routed), len(facts), label)
        for got, expected in zip(routed, facts, strict=True):
            for value, other in zip(got, expected, strict=True):
                if isinstance(other, float):
                    self.assertAlmostEqual(value, other, places=6, msg=label)
                else:
                    self.assertEqual(value, other, label)

    def _check(self, model, groupings, domains):
        report = self.env[model]
        aggregates = ["__count"] + [f"{name}:sum" for name in report._summary_measures]
        aggregates += [f"{name}:avg" for name in report._ratio_aggregates]
        routed_any = False
        for domain in domains:
            for groupby in groupings:
                label = f"{model} {groupby} {domain}"
                table = report._summary_for(domain, groupby, aggregates, (), None)
                self.assertTrue(table, label)
                routed_any = True
                routed, facts = self._both(model, domain, groupby, aggregates)
                self.assertTrue(facts, label)
                self.assertSameGroups(routed, facts, label)
        self.assertTrue(routed_any)

    def test_accuracy_summary_equals_facts(self):
        date = self.env[ACCURACY].search([], limit=1).date
        self._check(
            ACCURACY,
            [
                [],
                ["warehouse_id"],
                ["date:month"],
                ["warehouse_id", "date:month"],
                ["date:day"],
                ["zone_id"],
                ["categ_id"],
                ["abc_class_id"],
                ["team_id"],
                ["counter_id"],
                ["reason_id"],
                ["task_id"],
                ["is_recount", "counter_id"],
            ],
            [
                [],
                [("date", ">=", date)],
                [("warehouse_id", "=", self.warehouse.id)],
                [("is_recount", "=", False)],
                [("is_my_warehouse", "=", True)],
            ],
        )

    def test_plan_summary_equals_facts(self):
        self._check(
            PLAN,
            [
                [],
                ["warehouse_id", "due_date:month"],
                ["due_date:week"],
                ["zone_id"],
                ["categ_id", "abc_class_id"],
                ["counter_id"],
                ["rule_id"],
                ["task_id"],
            ],
            [[], [("warehouse_id", "=", self.warehouse.id)]],
        )

    def test_search_count_from_the_summary(self):
        report = self.env[ACCURACY]
        date = report.search([], limit=1).date
        for domain in [[], [("date", ">=", date)], [("hit_count", "=", 0)]]:
            expected = len(report.search(domain))
            self.assertTrue(expected)
            self.assertEqual(report.search_count(domain), expected, domain)
            self.assertEqual(report.search_count(domain, limit=1), 1, domain)
        self.assertTrue(report._summary_for([], (), ("__count",), (), None))

    def test_line_level_reads_stay_on_the_facts(self):
        report = self.env[ACCURACY]
        for domain, groupby, aggregates in [
            ([("hit_count", "=", 0)], ["reason_id"], ["line_count:sum"]),
            ([], ["product_id"], ["line_count:sum"]),
            ([], ["zone_id", "counter_id"], ["line_count:sum"]),
            ([], ["counter_id"], ["book_value:max"]),
        ]:
            self.assertFalse(report._summary_for(domain, groupby, aggregates, (), None))
        # The misses by reason, as the saved filter shows them.
        routed, facts = self._both(
            ACCURACY, [("hit_count", "=", 0)], ["reason_id"], ["line_count:sum"]
        )
        self.assertEqual(routed, facts)
        self.assertTrue(facts)

    def test_upkeep_rewrites_the_days_touched(self):
        aggregates = ["__count", "line_count:sum", "hit_count:sum", "ira:avg"]
        before = self.env[ACCURACY]._read_group([], ["counter_id"], aggregates)
        # The second counter's lines corrected to the books: their misses go.
        for line in self.second.line_ids:
            line.sudo().counted_qty = line.book_qty
        routed, facts = self._both(ACCURACY, [], ["counter_id"], aggregates)
        self.assertSameGroups(routed, facts, "after a change")
        self.assertNotEqual(routed, before)
        # A task cancelled leaves the plan report, and its summaries.
        pending = self.pending
        self.assertIn(pending, self.env[PLAN].search([]).task_id)
        pending.action_cancel()
        routed, facts = self._both(
            PLAN, [], ["task_id"], ["__count", "planned_count:sum", "adherence:avg"]
        )
        self.assertSameGroups(routed, facts, "after a cancel")
        self.assertNotIn(pending, [row[0] for row in routed])

    def test_groups_of_counters_and_tasks_ordered_by_name(self):
        for model in (ACCURACY, PLAN, PRODUCTIVITY):
            report = self.env[model]
            measure = "planned_count:sum" if model == PLAN else "line_count:sum"
            groups = report.read_group([], [measure], ["counter_id"])
            names = [group["counter_id"][1] for group in groups if group["counter_id"]]
            self.assertEqual(names, sorted(names), model)
            self.assertGreater(len(names), 1, model)
            groups = report.read_group(
                [], [measure], ["counter_id"], orderby="counter_id desc"
            )
            desc = [group["counter_id"][1] for group in groups if group["counter_id"]]
            self.assertEqual(desc, sorted(names, reverse=True), model)
        tasks = self.env[ACCURACY].read_group([], ["line_count:sum"], ["task_id"])
        self.assertGreater(len(tasks), 2)
        ordered = self.env["cycle.count.task"].search(
            [("id", "in", [group["task_id"][0] for group in tasks])]
        )
        self.assertEqual([group["task_id"][0] for group in tasks], ordered.ids)

    def test_rebuild_keeps_keys_indexes_and_summaries(self):
        cr = self.env.cr
        report = self.env[ACCURACY]

        def schema():
            cr.execute(
                """SELECT (SELECT array_agg(pg_get_constraintdef(oid) ORDER BY 1)
                             FROM pg_constraint WHERE conrelid = %s::regclass),
                          (SELECT array_agg(indexrelid::regclass::text ORDER BY 1)
                             FROM pg_index WHERE indrelid = %s::regclass)""",
                [report._table, report._table],
            )
            constraints, indexes = cr.fetchone()
            # Put back NOT VALID: the rows were selected from what they refer to.
            return [c.removesuffix(" NOT VALID") for c in constraints], indexes

        aggregates = ["__count", "line_count:sum", "ira:avg"]
        before = report._read_group([], ["counter_id"], aggregates)
        keys = schema()
        self.env["cycle.count.report.fact"]._rebuild_all()
        self.assertEqual(schema(), keys)
        self.assertEqual(report._read_group([], ["counter_id"], aggregates), before)
        routed, facts = self._both(ACCURACY, [], ["counter_id"], aggregates)
        self.assertSameGroups(routed, facts, "after a rebuild")
