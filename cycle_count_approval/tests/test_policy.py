from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from odoo.addons.cycle_count_planning.tests.common import CycleCountCase

from .common import reject_with_comment, use_periodic_category

ADJUSTMENT = "cycle.count.adjustment"


@tagged("post_install", "-at_install")
class TestApprovalPolicy(CycleCountCase):
    """The approval policy as a designer: value bands, direction, warehouses and
    product categories on the tiers; the shipped default policy; the server
    actions on approval and rejection; the simulator, which must say what a real
    report then requires. Book: apple 10 (A-01), bolt 50 (A-01), chip 4 (A-02),
    glue lot 20 (B-01)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_periodic_category(cls)
        cls.supervisor_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_supervisor"
        )
        cls.finance_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_finance"
        )
        cls.director_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_director"
        )
        Category = cls.env["product.category"]
        cls.cat_food = Category.create({"name": "Food", "parent_id": cls.category.id})
        cls.cat_juice = Category.create({"name": "Juice", "parent_id": cls.cat_food.id})
        cls.cat_hardware = Category.create(
            {"name": "Hardware", "parent_id": cls.category.id}
        )
        cls.product_apple.categ_id = cls.cat_juice
        cls.product_bolt.categ_id = cls.cat_hardware
        cls.warehouse_2 = cls.env["stock.warehouse"].create(
            {"name": "Second", "code": "CC2", "company_id": cls.company.id}
        )
        cls.env["stock.quant"].sudo()._update_available_quantity(
            cls.product_apple, cls.warehouse_2.lot_stock_id, 10
        )
        cls.policy = cls.env["cycle.count.approval.policy"].create({})

    def _tier(self, name, **values):
        vals = {
            "name": name,
            "model_id": self.env["ir.model"]._get_id(ADJUSTMENT),
            "review_type": "group",
            "reviewer_group_id": self.env.ref(
                "cycle_count_planning.group_cycle_count_supervisor"
            ).id,
            "sequence": 25,
            "approve_sequence": True,
        }
        vals.update(values)
        return self.env["tier.definition"].with_user(self.manager).create(vals)

    def _required(self, report):
        return report.review_ids.sorted("sequence").definition_id

    def _assert_policy(self, report, expected, category=None):
        """The report goes through ``expected`` tiers, in order, and the simulator
        says the same for its figures."""
        self.assertEqual(self._required(report).ids, expected.ids)
        direction = "gain" if report.total_gain else "loss"
        simulated = self.policy._simulate(
            report.abs_variance_total, direction, report.warehouse_id, category
        )
        self.assertEqual(simulated.ids, expected.ids)
        # And through the screen, as a user fills it in.
        with Form(self.policy.with_user(self.manager)) as form:
            form.simulate_value = report.abs_variance_total
            form.simulate_direction = direction
            form.simulate_warehouse_id = report.warehouse_id
            form.simulate_category_id = category or self.env["product.category"]
            self.assertEqual(form.simulated_tier_ids.ids, expected.ids)

    def _apple_report(self, value, gain=False):
        """A report of one apple more or less, at ``value`` each."""
        self.product_apple.standard_price = value
        return self._report_in(self.warehouse, {"apple": 11 if gain else 9})

    # ------------------------------------------------------------------
    # The default policy: bands at their edges
    # ------------------------------------------------------------------
    def test_default_policy_just_below_500_is_the_supervisor(self):
        report = self._apple_report(499.99)
        self.assertEqual(report.abs_variance_total, 499.99)
        self._assert_policy(report, self.supervisor_tier, self.cat_juice)

    def test_default_policy_at_500_adds_finance(self):
        report = self._apple_report(500)
        self._assert_policy(
            report, self.supervisor_tier | self.finance_tier, self.cat_juice
        )

    def test_default_policy_at_5000_is_still_supervisor_and_finance(self):
        report = self._apple_report(5000, gain=True)
        self._assert_policy(
            report, self.supervisor_tier | self.finance_tier, self.cat_juice
        )

    def test_default_policy_above_5000_adds_the_director(self):
        report = self._apple_report(5000.01)
        self._assert_policy(
            report,
            self.supervisor_tier | self.finance_tier | self.director_tier,
            self.cat_juice,
        )

    def test_default_policy_is_shipped_as_value_bands(self):
        self.assertEqual(
            [
                (
                    tier.cycle_count_value_from,
                    tier.cycle_count_value_from_included,
                    tier.cycle_count_value_basis,
                    tier.definition_domain,
                )
                for tier in (
                    self.supervisor_tier,
                    self.finance_tier,
                    self.director_tier,
                )
            ],
            [
                (0, False, "abs_variance_total", False),
                (500, True, "abs_variance_total", False),
                (5000, False, "abs_variance_total", False),
            ],
        )
        self.assertEqual(
            self.finance_tier.cycle_count_condition,
            "Gains and losses (without sign) from 500.00",
        )

    # ------------------------------------------------------------------
    # Direction, value basis
    # ------------------------------------------------------------------
    def test_direction_gains_only_and_losses_only(self):
        gains = self._tier("Gains desk", cycle_count_direction="gain", sequence=26)
        losses = self._tier("Loss desk", cycle_count_direction="loss", sequence=25)
        report = self._apple_report(10, gain=True)
        self._assert_policy(report, self.supervisor_tier | gains, self.cat_juice)
        # A report with a gain and a loss needs both.
        both = self._report_in(self.warehouse, {"bolt": 51, "chip": 3})
        self.assertTrue(both.total_gain and both.total_loss)
        self.assertEqual(
            self._required(both).ids, (self.supervisor_tier | gains | losses).ids
        )

    def test_direction_losses_only_skips_a_gain_report(self):
        losses = self._tier("Loss desk", cycle_count_direction="loss")
        report = self._apple_report(10)
        self._assert_policy(report, self.supervisor_tier | losses, self.cat_juice)

    def test_a_band_on_the_gains_or_losses_alone(self):
        # +4 bolts (+100) and -1 chip (-400): 500 without sign.
        on_gains = self._tier(
            "Gains from 100",
            cycle_count_value_basis="total_gain",
            cycle_count_value_from=100,
            sequence=26,
        )
        self._tier(
            "Losses from 500",
            cycle_count_value_basis="total_loss",
            cycle_count_value_from=500,
        )
        up_to = self._tier(
            "Anything up to 500",
            cycle_count_value_to=500,
            sequence=24,
        )
        report = self._report_in(self.warehouse, {"bolt": 54, "chip": 3})
        self.assertEqual(report.abs_variance_total, 500)
        self.assertEqual(
            self._required(report).ids,
            (self.supervisor_tier | on_gains | up_to | self.finance_tier).ids,
        )

    # ------------------------------------------------------------------
    # Matrix by warehouse and category (the simulator agrees with each)
    # ------------------------------------------------------------------
    def test_matrix_by_warehouse_and_category(self):
        first = self._tier(
            "First warehouse",
            cycle_count_warehouse_ids=[self.warehouse.id],
            sequence=29,
        )
        second = self._tier(
            "Second warehouse",
            cycle_count_warehouse_ids=[self.warehouse_2.id],
            sequence=28,
        )
        food = self._tier(
            "Food (and juice)", cycle_count_category_ids=[self.cat_food.id], sequence=27
        )
        hardware = self._tier(
            "Hardware", cycle_count_category_ids=[self.cat_hardware.id], sequence=26
        )
        food_2 = self._tier(
            "Food in the second warehouse",
            cycle_count_category_ids=[self.cat_food.id],
            cycle_count_warehouse_ids=[self.warehouse_2.id],
            sequence=24,
        )
        cases = [
            # (warehouse, counts, category of the report's product, expected)
            (self.warehouse, {"apple": 9}, self.cat_juice, first | food),
            (self.warehouse, {"bolt": 49}, self.cat_hardware, first | hardware),
            (self.warehouse, {"chip": 5}, self.category, first),
            (self.warehouse_2, {"apple": 9}, self.cat_juice, second | food | food_2),
        ]
        for warehouse, counts, category, expected in cases:
            with self.subTest(warehouse=warehouse.name, category=category.name):
                report = self._report_in(warehouse, counts)
                self._assert_policy(
                    report,
                    self.supervisor_tier
                    | expected
                    | (
                        self.finance_tier
                        if report.abs_variance_total >= 500
                        else self.env["tier.definition"]
                    ),
                    category,
                )
        # The simulator of a category nobody's tier names, in the second warehouse.
        self.assertEqual(
            self.policy._simulate(10, "loss", self.warehouse_2, self.cat_hardware).ids,
            (self.supervisor_tier | second | hardware).ids,
        )

    def _report_in(self, warehouse, counts):
        """Count ``counts`` (product name → quantity) in ``warehouse``, a rule of
        just those products, and return the variance report."""
        products = {
            "apple": self.product_apple,
            "bolt": self.product_bolt,
            "chip": self.product_chip,
        }
        by_product = {products[name]: qty for name, qty in counts.items()}
        ids = [product.id for product in by_product]
        task = self._plan(
            self._create_rule(
                user_id=self.counter.id,
                warehouse_id=warehouse.id,
                product_domain=str([("id", "in", ids)]),
            )
        )
        self.assertEqual(set(task.line_ids.product_id.ids), set(ids))
        task = task.with_user(self.counter)
        for line in task.line_ids:
            line.counted_qty = by_product.get(line.product_id, line.sudo().book_qty)
        task.action_mark_counted()
        return task.with_env(self.env).adjustment_ids

    # ------------------------------------------------------------------
    # Server actions on approval and on rejection
    # ------------------------------------------------------------------
    def test_tell_the_counter_on_rejection(self):
        self.supervisor_tier.rejected_server_action_id = self.env.ref(
            "cycle_count_approval.action_server_adjustment_notify_counter"
        )
        report = self._apple_report(10)
        task = report.task_id
        reject_with_comment(report, self.supervisor, "The top shelf was skipped")
        activity = task.activity_ids.filtered(lambda a: a.user_id == self.counter)
        self.assertEqual(len(activity), 1)
        self.assertIn(report.name, activity.summary)
        self.assertIn("The top shelf was skipped", activity.note)
        self.assertIn(self.supervisor.name, activity.note)
        # The counter reads it on their task.
        self.assertEqual(
            task.with_user(self.counter)
            .activity_ids.with_user(self.counter)
            .read(["summary"])[0]["summary"],
            activity.summary,
        )
        self.assertEqual(task.state, "in_progress")

    def test_open_a_recount_on_rejection(self):
        (
            self.supervisor_tier | self.finance_tier
        ).rejected_server_action_id = self.env.ref(
            "cycle_count_approval.action_server_adjustment_request_recount"
        )
        report = self._apple_report(600)
        report.with_user(self.supervisor).validate_tier()
        reject_with_comment(report, self.finance, "Six hundred is too much")
        self.assertEqual(report.state, "rejected")
        self.assertEqual(report.task_id.state, "in_progress")
        self.assertTrue(report.task_id.is_recount)
        self.assertIn("Six hundred is too much", report.task_id.recount_reason)
        opened = report.message_ids.filtered(
            lambda m: "The approval policy opened a recount" in (m.body or "")
        )
        self.assertEqual(len(opened), 1)
        line = report.task_id.line_ids.filtered(
            lambda line: line.product_id == self.product_apple
        )
        self.assertFalse(line.is_counted)

    def test_an_approval_action_runs_once_per_tier(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Note the approval",
                "model_id": self.env["ir.model"]._get_id(ADJUSTMENT),
                "state": "code",
                "code": "record.message_post(body='policy approval action')",
            }
        )
        (self.supervisor_tier | self.finance_tier).server_action_id = action
        report = self._apple_report(600)
        report.with_user(self.supervisor).validate_tier()
        report.with_user(self.finance).validate_tier()
        self.assertEqual(report.state, "posted")
        notes = report.message_ids.filtered(
            lambda m: "policy approval action" in (m.body or "")
        )
        self.assertEqual(len(notes), 2)

    def test_the_policy_actions_are_the_systems_alone(self):
        report = self._apple_report(10)
        for user in (self.counter, self.supervisor, self.manager):
            for method in (
                "action_request_recount",
                "action_notify_counter_of_rejection",
            ):
                with self.subTest(user=user.login, method=method):
                    with self.assertRaises(AccessError):
                        getattr(report.with_user(user), method)()
        self.assertEqual(report.state, "to_approve")
        self.assertFalse(report.task_id.activity_ids)
        # Run by hand (as the system) on a report nobody rejected: nothing.
        self.env.ref(
            "cycle_count_approval.action_server_adjustment_request_recount"
        ).with_context(active_model=ADJUSTMENT, active_id=report.id).run()
        self.assertEqual(report.state, "to_approve")
        self.assertEqual(report.task_id.state, "counted")

    def test_a_tier_runs_only_variance_report_actions(self):
        other = self.env["ir.actions.server"].create(
            {
                "name": "Partner action",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "records.write({'comment': 'x'})",
            }
        )
        for field in ("server_action_id", "rejected_server_action_id"):
            with self.subTest(field=field), self.assertRaises(ValidationError):
                self.supervisor_tier.with_user(self.manager).write({field: other.id})

    def test_auto_validate_never_decides_a_variance_report(self):
        with self.assertRaises(ValidationError):
            self.supervisor_tier.with_user(self.manager).auto_validate = True
        # Flagged behind the constraint's back: the cron still leaves it alone.
        report = self._apple_report(10)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE tier_definition SET auto_validate = TRUE WHERE id = %s",
                self.supervisor_tier.id,
            )
        )
        self.env.invalidate_all()
        self.env["tier.definition"]._cron_auto_tier_validation()
        self.assertEqual(report.review_ids.status, "pending")
        self.assertFalse(report.review_ids.done_by)
        self.assertEqual(report.state, "to_approve")

    # ------------------------------------------------------------------
    # Conditions refused
    # ------------------------------------------------------------------
    def test_a_band_that_holds_no_value_is_refused(self):
        for values in (
            {"cycle_count_value_from": 500, "cycle_count_value_to": 100},
            {"cycle_count_value_from": -1},
            {
                "cycle_count_value_from": 500,
                "cycle_count_value_to": 500,
                "cycle_count_value_to_included": False,
            },
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self._tier("Bad band", **values)

    def test_other_models_tiers_are_untouched(self):
        partner_tier = self.env["tier.definition"].new(
            {
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "cycle_count_warehouse_ids": [Command.set(self.warehouse.ids)],
            }
        )
        self.assertEqual(partner_tier._get_cycle_count_policy_domain(), [])
        self.assertFalse(partner_tier.is_cycle_count_tier)

    # ------------------------------------------------------------------
    # The flow
    # ------------------------------------------------------------------
    def test_the_flow_shows_bands_to_reviewers_in_order(self):
        bands = self.policy._get_bands()
        self.assertEqual(
            [(low, high, chain["loss"].ids) for low, high, chain in bands],
            [
                (0.01, 499.99, self.supervisor_tier.ids),
                (500, 5000, (self.supervisor_tier | self.finance_tier).ids),
                (
                    5000.01,
                    None,
                    (self.supervisor_tier | self.finance_tier | self.director_tier).ids,
                ),
            ],
        )
        html = str(self.policy.flow_html)
        for text in ("0.01 – 499.99", "500.00 – 5,000.00", "from 5,000.01"):
            self.assertIn(text, html)
        self.assertIn(self.director_tier.name, html)
        # A gains-only tier shows in the bands, for gains.
        self._tier("Gains desk", cycle_count_direction="gain")
        policy = self.env["cycle.count.approval.policy"].create({})
        self.assertIn("Gains desk", str(policy.flow_html))
        self.assertIn("Reports with gains", str(policy.tiers_html))
        self.assertNotEqual(policy._get_bands()[0][2]["gain"], bands[0][2]["gain"])
