from odoo.tests import HttpCase, tagged

from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestApprovalPolicyTour(CycleCountTestMixin, HttpCase):
    browser_size = "1440x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls.warehouse_2 = cls.env["stock.warehouse"].create(
            {"name": "Second", "code": "CC2", "company_id": cls.company.id}
        )
        cls.second_tier = (
            cls.env["tier.definition"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "Second warehouse desk",
                    "model_id": cls.env["ir.model"]._get_id("cycle.count.adjustment"),
                    "review_type": "group",
                    "reviewer_group_id": cls.env.ref(
                        "cycle_count_planning.group_cycle_count_supervisor"
                    ).id,
                    "sequence": 25,
                    "cycle_count_warehouse_ids": [cls.warehouse_2.id],
                }
            )
        )

    def test_policy_flow_and_simulator_on_a_desktop(self):
        menu = self.env.ref("cycle_count_approval.cycle_count_approval_policy_menu")
        self.assertEqual(
            menu.action,
            self.env.ref("cycle_count_approval.cycle_count_approval_policy_action"),
        )
        self.assertEqual(
            menu.parent_id, self.env.ref("cycle_count_planning.cycle_count_menu_config")
        )
        self.start_tour(
            "/odoo/action-cycle_count_approval.cycle_count_approval_policy_action",
            "cycle_count_approval_policy_tour",
            login="cc_manager",
        )
