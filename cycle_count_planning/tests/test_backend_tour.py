from odoo import fields
from odoo.tests import tagged

from .test_tour import TOUR_TIMEOUT, CycleCountTourCase


@tagged("post_install", "-at_install")
class TestBackendTours(CycleCountTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls.supervisor.groups_id |= cls.env.ref("stock.group_stock_user")

    def test_supervisor_follows_tasks_in_kanban_and_calendar(self):
        task = self._plan(
            self._create_rule(product_domain="[('default_code', '=', 'CC-APL')]")
        )
        self.assertEqual(task.state, "draft")
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_task_action",
            "cycle_count_backend_tasks_tour",
            login="cc_supervisor",
            timeout=TOUR_TIMEOUT,
        )

    def test_supervisor_requests_a_count_from_physical_inventory(self):
        self.env["cycle.count.capacity"].create(
            {
                "warehouse_id": self.warehouse.id,
                "user_ids": [fields.Command.set(self.counter.ids)],
            }
        )
        self.start_tour(
            "/odoo/action-stock.action_view_inventory_tree",
            "cycle_count_backend_quant_tour",
            login="cc_supervisor",
            timeout=TOUR_TIMEOUT,
        )
        line = self.env["cycle.count.line"].search(
            [("product_id", "=", self.product_chip.id)]
        )
        self.assertEqual(line.task_id.scheduled_date, fields.Date.today())
        self.assertEqual(line.event_ids.event_type, "request")

    def test_director_checks_go_live_readiness(self):
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_task_action",
            "cycle_count_backend_readiness_tour",
            login="cc_manager",
            timeout=TOUR_TIMEOUT,
        )
