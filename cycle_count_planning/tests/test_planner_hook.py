from odoo_test_helper import FakeModelLoader

from odoo.tests import tagged

from .common import CycleCountCase


@tagged("post_install", "-at_install")
class TestPlannedLineColumns(CycleCountCase):
    """The planner's INSERT … SELECT: every stored line field is written or
    deliberately left to its default, and bridges add columns by a hook."""

    def test_every_stored_line_field_is_written_or_declared_defaulted(self):
        planner = self.env["cycle.count.planner"]
        undeclared, unknown = planner._get_undeclared_line_fields()
        self.assertFalse(
            undeclared,
            "Stored fields of cycle.count.line that the planner neither inserts "
            "(_get_planned_line_columns) nor declares defaulted "
            "(_get_planned_line_defaulted_fields)",
        )
        self.assertFalse(unknown, "declared names that are no field of the line")

    def test_a_defaulted_field_gets_its_default(self):
        self.env["ir.default"].set("cycle.count.line", "note", "Walk the aisle")
        task = self._plan(self._create_rule())
        self.assertEqual(len(task.line_ids), 4)
        self.assertEqual(set(task.line_ids.mapped("note")), {"Walk the aisle"})
        self.assertEqual(set(task.line_ids.mapped("counted_qty")), {0.0})
        self.assertFalse(task.line_ids.counter_id)


@tagged("post_install", "-at_install")
class TestPlannerHookForBridges(CycleCountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        # Imported only now: defining the classes registers them with the addon,
        # which the loader's backup undoes at the end.
        from .fake_bridge import CycleCountLine, CycleCountPlanner  # noqa: PLC0415

        cls.loader.update_registry((CycleCountLine, CycleCountPlanner))

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def test_a_bridge_fills_its_field_through_the_hook(self):
        task = self._plan(self._create_rule())
        self.assertEqual(len(task.line_ids), 4)
        zones = set(task.line_ids.mapped("zone_code"))
        self.assertEqual(zones, {self.warehouse.view_location_id.name})

    def test_a_field_the_bridge_forgot_is_reported(self):
        planner = self.env["cycle.count.planner"]
        undeclared, unknown = planner._get_undeclared_line_fields()
        self.assertEqual(undeclared, {"forgotten_code"})
        self.assertFalse(unknown)
