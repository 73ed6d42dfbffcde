from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import HttpCase, get_db_name, tagged

from .common import CycleCountTestMixin

# The whole tour's ceiling (start_tour's default is 60 s): with both cores busy a
# tour of some thirty steps, each waiting for the server's answer, takes longer.
# Each step still waits for a condition, never for a time (tour_utils.patient).
TOUR_TIMEOUT = 600
# The bundles a tour's page loads (backend, print styles, the tours themselves).
WEB_CLIENT_BUNDLES = (
    ("web.assets_web", True, True),
    ("web.assets_web_print", True, False),
    ("web.assets_tests", True, True),
)


class CycleCountTourCase(CycleCountTestMixin, HttpCase):
    """Tours of the planning addon, on a web client whose bundles are built."""

    @classmethod
    def setUpClass(cls):
        cls._build_web_client_bundles()
        super().setUpClass()

    @classmethod
    def _build_web_client_bundles(cls):
        """Odoo builds the web client's bundles on the first page load and keeps
        them as attachments; a tour's page load inside a test is rolled back, so
        every tour built them again, which on a loaded machine outlasted the
        fixed 60 s Odoo gives a page to get ready. Build them once, committed,
        as a first visit of the database does (a no-op when they exist)."""
        with Registry(get_db_name()).cursor() as cr:
            qweb = api.Environment(cr, SUPERUSER_ID, {})["ir.qweb"]
            for name, css, js in WEB_CLIENT_BUNDLES:
                bundle = qweb._get_asset_bundle(name, css=css, js=js)
                if js:
                    bundle.js()
                if css:
                    bundle.css()


@tagged("post_install", "-at_install")
class TestCountingTour(CycleCountTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        rule = cls._create_rule(
            product_domain="[('default_code', 'in', ['CC-APL', 'CC-BLT'])]"
        )
        cls.task = cls.env["cycle.count.planner"]._plan(rule)

    def test_counter_counts_a_task_in_the_backend(self):
        self.assertEqual(
            self.task.line_ids.product_id, self.product_apple | self.product_bolt
        )
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_task_action_my",
            "cycle_count_counting_tour",
            login="cc_counter",
            timeout=TOUR_TIMEOUT,
        )
        # Planning alone ends the task; approval, when installed, takes it over.
        expected = "counted" if "cycle.count.adjustment" in self.env else "done"
        self.assertEqual(self.task.state, expected)
        counted = {line.product_id: line.counted_qty for line in self.task.line_ids}
        self.assertEqual(counted, {self.product_apple: 8, self.product_bolt: 50})
        apple = self.task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        self.assertEqual(apple.difference_qty, -2)
        self.assertEqual(apple.counter_id, self.counter)


@tagged("post_install", "-at_install")
class TestPlanningTour(CycleCountTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        # The bolt left its bin 3 days ago; it is the only product with outgoing
        # value over the year: class A. The chip left 20 days ago (too long ago).
        cls._ship(cls.product_bolt, cls.bin_a, 5, days_ago=3)
        cls._receive(cls.product_chip, cls.bin_b, 1, days_ago=25)
        cls._ship(cls.product_chip, cls.bin_b, 1, days_ago=20)
        cls._abc_profile(basis="pick_frequency", threshold_a=60, threshold_b=90)

    def test_planner_creates_previews_and_plans_a_rule(self):
        self.assertEqual(
            self.product_bolt.cycle_count_abc_class_id,
            self.env.ref("cycle_count_planning.abc_class_a"),
        )
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_rule_action",
            "cycle_count_planning_tour",
            login="cc_manager",
            timeout=TOUR_TIMEOUT,
        )
        rule = self.env["cycle.count.rule"].search(
            [("name", "=", "A-class fast movers")]
        )
        self.assertEqual(rule.abc_class_ids.mapped("code"), ["A"])
        self.assertEqual(
            (rule.move_direction, rule.move_days, rule.interval_days), ("out", 7, 15)
        )
        line = rule.line_ids
        self.assertEqual(line.product_id, self.product_bolt)
        self.assertEqual(line.task_id.state, "draft")
        self.assertIn("1 move(s) outgoing in the last 7 days", line.plan_explain)


@tagged("post_install", "-at_install")
class TestCapacityTour(CycleCountTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls.rule = cls._create_rule()
        # Classes computed while nothing had moved; since then the bolt left its
        # bin, the only item that did: class A once the classes are computed again.
        cls.profile = cls._abc_profile(basis="pick_frequency")
        cls._ship(cls.product_bolt, cls.bin_a, 5, days_ago=3)
        cls.profile.date_computed = False
        cls.negative = cls.env["cycle.count.trigger"].search(
            [
                ("company_id", "=", cls.company.id),
                ("event_type", "=", "negative"),
                ("active", "=", False),
            ]
        )

    def test_director_levels_capacity_reads_coverage_and_sets_abc_and_triggers(self):
        self.assertEqual(len(self.negative), 1)
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_capacity_action",
            "cycle_count_capacity_tour",
            login="cc_manager",
            timeout=TOUR_TIMEOUT,
        )
        capacity = self.env["cycle.count.capacity"].search(
            [("warehouse_id", "=", self.warehouse.id)]
        )
        self.assertEqual(capacity.lines_per_counter, 10)
        task = self.rule.line_ids.task_id
        self.assertEqual(len(task), 1, "the second run filled the same draft task")
        self.assertEqual(len(task.line_ids), 4)
        self.assertFalse(
            self.env["cycle.count.coverage"].search(
                [("company_id", "=", self.company.id)]
            )
        )
        self.assertTrue(self.profile.date_computed)
        self.assertEqual(
            self.product_bolt.cycle_count_abc_class_id,
            self.env.ref("cycle_count_planning.abc_class_a"),
        )
        self.assertTrue(self.negative.active)


@tagged("post_install", "-at_install")
class TestEventsTour(CycleCountTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls.env["cycle.count.trigger"].with_context(active_test=False).search(
            [("company_id", "=", cls.company.id), ("event_type", "=", "empty")]
        ).active = True
        cls._ship(cls.product_chip, cls.bin_b, 4)
        cls.event = cls.env["cycle.count.event"].search(
            [("company_id", "=", cls.company.id)]
        )

    def test_supervisor_plans_an_event_and_adds_a_reason(self):
        self.assertEqual(self.event.state, "open")
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_event_action",
            "cycle_count_events_tour",
            login="cc_manager",
            timeout=TOUR_TIMEOUT,
        )
        self.assertEqual(self.event.state, "planned")
        self.assertEqual(
            (
                self.event.task_id.line_ids.product_id,
                self.event.task_id.line_ids.location_id,
            ),
            (self.product_chip, self.bin_b),
        )
        reason = self.env["cycle.count.reason"].search([("code", "=", "PKG")])
        self.assertEqual(reason.name, "Packaging error")
