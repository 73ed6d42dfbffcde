from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.test_tour import (
    TOUR_TIMEOUT,
    CycleCountTourCase,
)


@tagged("post_install", "-at_install")
class TestProposalTour(CycleCountTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls.juice = cls.env["product.category"].create({"name": "Juices"})
        cls.product_apple.categ_id = cls.juice

    def test_director_accepts_a_proposal(self):
        # Five counts of the apple juice, each short and blamed on receiving.
        receiving = self.env.ref("cycle_count_planning.reason_receiving_error")
        rule = self._create_rule(
            frequency_days=1, product_domain="[('default_code', '=', 'CC-APL')]"
        )
        today = fields.Date.today()
        for days_ago in (50, 40, 30, 20, 10):
            task = self._plan(rule, today=today - timedelta(days=days_ago))
            line = task.line_ids.with_user(self.counter)
            line.counted_qty = 9
            line.reason_id = receiving
            task.with_user(self.counter).action_mark_counted()
            if task.state == "counted":
                task._action_done()
            task.line_ids.sudo().counted_at = fields.Datetime.now() - timedelta(
                days=days_ago
            )
        self.start_tour(
            "/odoo/action-cycle_count_dashboard.cycle_count_proposal_action",
            "cycle_count_proposal_tour",
            login="cc_manager",
            timeout=TOUR_TIMEOUT,
        )
        proposal = self.env["cycle.count.proposal"].search([("kind", "=", "receiving")])
        self.assertEqual(proposal.state, "accepted")
        self.assertEqual(proposal.trigger_id.product_category_ids, self.juice)
