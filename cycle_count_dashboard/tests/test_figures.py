from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

ACCURACY = "cycle.count.accuracy.report"
PLAN = "cycle.count.plan.report"
PRODUCTIVITY = "cycle.count.productivity.report"


@tagged("post_install", "-at_install")
class TestFigures(CycleCountCase):
    """Book: apple 10 × 10, bolt 50 × 25, chip 4 × 400, glue lot 20 × 5 (book
    value 100 + 1 250 + 1 600 + 100 = 3 050)."""

    def _totals(self, model, measures, domain=None):
        groups = self.env[model]._read_group(
            [("warehouse_id", "=", self.warehouse.id), *(domain or [])], [], measures
        )
        return groups[0]

    def _by(self, model, groupby, measure):
        return dict(
            self.env[model]._read_group(
                [("warehouse_id", "=", self.warehouse.id)], [groupby], [measure]
            )
        )

    def test_no_counts(self):
        # Planned, not counted: nothing in accuracy or productivity; the plan
        # report has the lines, none counted.
        task = self._plan(self._create_rule())
        ira, lines = self._totals(ACCURACY, ["ira:avg", "line_count:sum"])
        self.assertFalse(ira)
        self.assertFalse(lines)
        self.assertFalse(self._totals(PRODUCTIVITY, ["line_count:sum"])[0])
        planned, counted, adherence = self._totals(
            PLAN, ["planned_count:sum", "counted_count:sum", "adherence:avg"]
        )
        self.assertEqual((planned, counted), (4, 0))
        self.assertEqual(adherence, 0.0)
        self.assertEqual(
            self.env[PLAN].search([("task_id", "=", task.id)]).line_id,
            task.line_ids,
        )

    def test_figures_of_a_count(self):
        # Apple +2 (value +20), bolt -4 (value -100), chip and glue exact.
        self._counted_task(apple=12, bolt=46, chip=4, glue=20)
        ira, exact, first, gross, net, book = self._totals(
            ACCURACY,
            [
                "ira:avg",
                "exact_rate:avg",
                "first_pass_accuracy:avg",
                "value_variance_gross:avg",
                "value_variance_net:avg",
                "book_value:sum",
            ],
        )
        # No tolerance rule: zero tolerance, a hit is an exact count.
        self.assertAlmostEqual(ira, 50.0)
        self.assertAlmostEqual(exact, 50.0)
        self.assertAlmostEqual(first, 50.0)
        self.assertAlmostEqual(book, 3050.0)
        # Ratios of the sums (120 / 3 050 and |20 - 100| / 3 050), not the
        # average of the lines' percentages (20 %, 8 %, 0, 0 → 7 %).
        self.assertAlmostEqual(gross, 100 * 120 / 3050, places=6)
        self.assertAlmostEqual(net, 100 * 80 / 3050, places=6)

    def test_all_within_tolerance(self):
        if "cycle.count.tolerance" not in self.env:
            self.skipTest("Tolerances come with cycle_count_approval.")
        self.env["cycle.count.tolerance"].create(
            {
                "name": "25 % either way",
                "kind": "tolerance",
                "company_id": self.company.id,
                "gain_pct": 25.0,
                "loss_pct": 25.0,
            }
        )
        # Apple +20 %, bolt -8 %: both within, yet not exact.
        self._counted_task(apple=12, bolt=46, chip=4, glue=20)
        ira, exact, hits = self._totals(
            ACCURACY, ["ira:avg", "exact_rate:avg", "hit_count:sum"]
        )
        self.assertEqual(hits, 4)
        self.assertAlmostEqual(ira, 100.0)
        self.assertAlmostEqual(exact, 50.0)

    def test_recount_first_pass_and_final(self):
        first = self._counted_task(apple=12, bolt=46, chip=4, glue=20)
        apple = first.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        # The recount loop (approval's) in its simplest form: the apple's count
        # is superseded by a recount that finds the book's 10.
        apple.sudo().is_superseded = True
        recount = self.env["cycle.count.task"].create(
            {
                "warehouse_id": self.warehouse.id,
                "user_id": self.counter_2.id,
                "is_recount": True,
                "line_ids": [
                    Command.create(
                        {
                            "location_id": apple.location_id.id,
                            "product_id": self.product_apple.id,
                        }
                    )
                ],
            }
        )
        recount.line_ids.sudo().recount_of_id = apple
        self._count(recount, {self.product_apple: 10})
        recount.with_user(self.counter_2).action_mark_counted()
        lines, hits, first_count, first_hits, ira, fpa = self._totals(
            ACCURACY,
            [
                "line_count:sum",
                "hit_count:sum",
                "first_pass_count:sum",
                "first_pass_hit_count:sum",
                "ira:avg",
                "first_pass_accuracy:avg",
            ],
        )
        # Final: bolt misses, the recounted apple, chip and glue hit.
        self.assertEqual((lines, hits), (4, 3))
        self.assertAlmostEqual(ira, 75.0)
        # First pass: the four first counts, two hits, before any recount.
        self.assertEqual((first_count, first_hits), (4, 2))
        self.assertAlmostEqual(fpa, 50.0)
        recount_rows = self.env[ACCURACY].search([("task_id", "=", recount.id)])
        self.assertTrue(recount_rows.is_recount)
        # The first counter's apple went to recount: 1 of their 4 lines.
        rate = self._by(PRODUCTIVITY, "counter_id", "recount_rate:avg")
        self.assertAlmostEqual(rate[self.counter], 25.0)
        self.assertAlmostEqual(rate[self.counter_2], 0.0)

    def test_dimensions(self):
        team = self.env["cycle.count.team"].create(
            {"name": "Night shift", "member_ids": [Command.link(self.counter.id)]}
        )
        task = self._plan(self._create_rule())
        self._count_stock(task, apple=12)
        reason = self.env["cycle.count.reason"].search([], limit=1)
        apple = task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        apple.sudo().reason_id = reason
        task.with_user(self.counter).action_mark_counted()
        report = self.env[ACCURACY]
        rows = report.search([("task_id", "=", task.id)])
        self.assertEqual(len(rows), 4)
        expected = {
            "company_id": {self.company},
            "warehouse_id": {self.warehouse},
            # Bins right under the stock location are their own zones.
            "zone_id": {self.bin_a, self.bin_b, self.bin_c},
            "categ_id": set(task.line_ids.product_id.categ_id),
            "team_id": {team},
            "counter_id": {self.counter},
            "task_id": {task},
        }
        for groupby, keys in expected.items():
            groups = self._by(ACCURACY, groupby, "line_count:sum")
            self.assertEqual(set(groups), keys, groupby)
        reasons = self._by(ACCURACY, "reason_id", "line_count:sum")
        self.assertEqual(reasons[reason], 1)
        abc = self._by(ACCURACY, "abc_class_id", "line_count:sum")
        self.assertEqual(sum(abc.values()), 4)
        for period in ("day", "week", "month", "quarter"):
            groups = self._by(ACCURACY, f"date:{period}", "ira:avg")
            self.assertEqual(len(groups), 1, period)
            self.assertAlmostEqual(next(iter(groups.values())), 75.0)

    def test_zone_is_the_location_under_the_stock(self):
        zone = self.env["stock.location"].create(
            {"name": "Zone Z", "location_id": self.stock_location.id}
        )
        shelf = self.env["stock.location"].create(
            {"name": "Z-01", "location_id": zone.id}
        )
        task = self._plan(self._create_rule())
        self.env["cycle.count.line"].create(
            {
                "task_id": task.id,
                "location_id": shelf.id,
                "product_id": self.product_apple.id,
            }
        )
        self._count_stock(task)
        task.line_ids.filtered(lambda line: line.location_id == shelf).with_user(
            self.counter
        ).counted_qty = 3
        task.with_user(self.counter).action_mark_counted()
        row = self.env[ACCURACY].search([("location_id", "=", shelf.id)])
        self.assertEqual(row.zone_id, zone)

    def test_upkeep_follows_the_lines_and_tasks(self):
        task = self._plan(self._create_rule())
        plan = self.env[PLAN]
        self.assertEqual(
            sum(plan.search([("task_id", "=", task.id)]).mapped("counted_count")), 0
        )
        # A line counted: the plan row follows at once; the accuracy row comes
        # with the task counted.
        self._count_stock(task, apple=12)
        self.assertEqual(
            sum(plan.search([("task_id", "=", task.id)]).mapped("counted_count")), 4
        )
        self.assertFalse(self.env[ACCURACY].search([("task_id", "=", task.id)]))
        task.with_user(self.counter).action_mark_counted()
        rows = self.env[ACCURACY].search([("task_id", "=", task.id)])
        self.assertEqual(len(rows), 4)
        # The reason changes: the row follows.
        reasons = self.env["cycle.count.reason"].search([], limit=2)
        apple = task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        apple.reason_id = reasons[0]
        self.assertEqual(
            self._by(ACCURACY, "reason_id", "line_count:sum")[reasons[0]], 1
        )
        apple.reason_id = reasons[1]
        by_reason = self._by(ACCURACY, "reason_id", "line_count:sum")
        self.assertNotIn(reasons[0], by_reason)
        self.assertEqual(by_reason[reasons[1]], 1)
        # A task cancelled: its rows are gone.
        draft = self.env["cycle.count.task"].create(
            {
                "warehouse_id": self.warehouse.id,
                "user_id": self.counter.id,
                "line_ids": [
                    Command.create(
                        {
                            "location_id": self.bin_c.id,
                            "product_id": self.product_chip.id,
                        }
                    )
                ],
            }
        )
        self.assertTrue(plan.search([("task_id", "=", draft.id)]))
        draft.with_user(self.supervisor).action_cancel()
        self.assertFalse(plan.search([("task_id", "=", draft.id)]))

    def test_a_product_changing_category_moves_its_rows(self):
        self._counted_task(apple=12)
        category = self.env["product.category"].create({"name": "Juices"})
        self.product_apple.product_tmpl_id.categ_id = category
        groups = self._by(ACCURACY, "categ_id", "line_count:sum")
        self.assertEqual(groups[category], 1)
        self.assertEqual(self._by(PLAN, "categ_id", "planned_count:sum")[category], 1)

    def test_upkeep_before_commit_and_rebuild(self):
        task = self._counted_task(apple=12)
        # A write by SQL bypasses the ORM: the rebuild picks it up.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cycle_count_line SET has_difference = FALSE WHERE task_id = %s",
            [task.id],
        )
        self.env["cycle.count.report.fact"]._rebuild_all()
        self.assertAlmostEqual(self._totals(ACCURACY, ["ira:avg"])[0], 100.0)
        # Marked rows are rewritten by the pre-commit hook too.
        task.line_ids[:1].sudo().note = "checked"
        self.env.cr.precommit.run()
        self.assertFalse(
            self.env.cr.precommit.data.get("cycle_count_dashboard.dirty_tasks")
        )

    def test_plan_adherence_and_coverage(self):
        task = self._plan(self._create_rule())
        late = task.line_ids[:1]
        # Due yesterday, counted today: late, not covered.
        late.sudo().due_date = "2020-01-01"
        self._count_stock(task)
        task.with_user(self.counter).action_mark_counted()
        adherence, coverage, required = self._totals(
            PLAN, ["adherence:avg", "coverage:avg", "required_count:sum"]
        )
        self.assertEqual(required, 4)
        self.assertAlmostEqual(adherence, 75.0)
        self.assertAlmostEqual(coverage, 75.0)
        row = self.env[PLAN].search([("line_id", "=", late.id)])
        self.assertEqual(row.on_time_count, 0)
        self.assertTrue(row.rule_id)

    def test_productivity(self):
        task = self._plan(self._create_rule())
        self._count_stock(task)
        # Four counts over 30 minutes, plus one line's allowance (2 minutes).
        for line, stamp in zip(
            task.line_ids.sorted("id"),
            ("10:00", "10:06", "10:12", "10:30"),
            strict=True,
        ):
            line.sudo().counted_at = f"2026-03-02 {stamp}:00"
        task.with_user(self.counter).action_mark_counted()
        hours, tasks, per_hour, per_task = self._totals(
            PRODUCTIVITY,
            [
                "work_hours:sum",
                "task_count:sum",
                "lines_per_hour:avg",
                "hours_per_task:avg",
            ],
            [("task_id", "=", task.id)],
        )
        self.assertAlmostEqual(hours, 32 / 60, places=6)
        self.assertEqual(tasks, 1)
        self.assertAlmostEqual(per_hour, 4 / (32 / 60), places=6)
        self.assertAlmostEqual(per_task, 32 / 60, places=6)

    def test_counters_read_nothing(self):
        self._counted_task(apple=12)
        for model in (ACCURACY, PLAN, PRODUCTIVITY):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.counter).search([])
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.counter)._read_group([], [], ["__count"])
            for reader in (self.supervisor, self.finance, self.manager):
                self.assertTrue(
                    self.env[model]
                    .with_user(reader)
                    .search_count([("warehouse_id", "=", self.warehouse.id)]),
                    (model, reader.login),
                )
