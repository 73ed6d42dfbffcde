from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDependencies(TransactionCase):
    """The dashboard is accuracy on top of the counting base, nothing else; the
    demo story's generator lives in the demo-only addon cycle_count_demo."""

    def test_depends_only_on_the_counting_base(self):
        dashboard = self.env.ref("base.module_cycle_count_dashboard")
        self.assertEqual(
            dashboard.dependencies_id.mapped("name"), ["cycle_count_planning"]
        )

    def test_no_demo_generator_without_the_demo_addon(self):
        demo_addon = self.env["ir.module.module"].search(
            [("name", "=", "cycle_count_demo")]
        )
        # Installed without demo data (as the test command does): no demo model.
        self.assertEqual(
            "cycle.count.demo" in self.env, demo_addon.state == "installed"
        )
        self.assertFalse(
            self.env["ir.model.data"].search_count(
                [
                    ("module", "=", "cycle_count_dashboard"),
                    ("model", "=", "ir.model"),
                    ("name", "=", "model_cycle_count_demo"),
                ]
            )
        )
        if demo_addon.state != "installed":
            self.assertNotIn("cycle.count.demo", self.env)
            self.assertFalse(
                self.env["ir.model"].search_count([("model", "=", "cycle.count.demo")])
            )
