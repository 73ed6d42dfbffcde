from odoo.tests import HttpCase, tagged

from .common import CycleCountTestMixin


@tagged("post_install", "-at_install")
class TestCountingTour(CycleCountTestMixin, HttpCase):
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
        )
        self.assertEqual(self.task.state, "counted")
        counted = {line.product_id: line.counted_qty for line in self.task.line_ids}
        self.assertEqual(counted, {self.product_apple: 8, self.product_bolt: 50})
        apple = self.task.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        self.assertEqual(apple.difference_qty, -2)
        self.assertEqual(apple.counter_id, self.counter)


@tagged("post_install", "-at_install")
class TestPlanningTour(CycleCountTestMixin, HttpCase):
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
class TestCapacityTour(CycleCountTestMixin, HttpCase):
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
class TestEventsTour(CycleCountTestMixin, HttpCase):
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
