from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestToleranceTours(CycleCountTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def test_the_manager_adds_a_tolerance(self):
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_tolerance_action",
            "cycle_count_tolerance_tour",
            login="cc_manager",
        )
        rule = self.env["cycle.count.tolerance"].search(
            [("name", "=", "Fasteners 2 %")]
        )
        self.assertEqual(rule.kind, "tolerance")
        self.assertEqual(rule.company_id, self.company)
        self.assertEqual((rule.loss_pct, rule.gain_qty), (2, 3))

    def test_the_count_history_on_a_variance(self):
        self.env["cycle.count.capacity"].create(
            {
                "warehouse_id": self.warehouse.id,
                "user_ids": [Command.set((self.counter | self.counter_2).ids)],
            }
        )
        self.env["cycle.count.tolerance"].create(
            {"name": "Recount", "kind": "recount", "company_id": self.company.id}
        )
        self.company.cycle_count_tie_break = "supervisor"
        report = self._counted_task(apple=8).adjustment_ids
        recount = report.recount_task_id
        self._count(recount, {self.product_apple: 7})
        recount.with_user(self.counter_2).action_mark_counted()
        self.assertEqual(report.state, "to_approve")
        self.assertEqual(report.line_ids.counted_qty, 7)
        self.start_tour(
            f"/odoo/action-cycle_count_approval.cycle_count_adjustment_action/{report.id}",
            "cycle_count_count_history_tour",
            login="cc_supervisor",
        )
        self.assertEqual(report.line_ids.counted_qty, 8)
        self.assertEqual(report.line_ids.counter_id, self.counter)
