from datetime import timedelta
from unittest import SkipTest

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..models.cycle_count_demo import HISTORY_PARAM, TRIGGERS_START

PLANNING = "cycle_count_planning"
# The warehouse's people work in Chinese; admin and the office in English.
CHINESE = ("counter", "counter2", "supervisor")
ENGLISH = ("admin", "finance", "director")


@tagged("post_install", "-at_install")
class TestDemoDatabase(TransactionCase):
    """What a newcomer opening the demo must find: the planning engine's headline
    features at work, English by default with Chinese beside it, a Chinese
    company in CNY. They hold on the database of scripts/demo.sh and on an
    upgraded 18.0.1.x demo database where this addon was installed afterwards
    (scripts/test.sh's upgrade check), except the currency: that database's
    entries were booked in USD before this addon, and a currency cannot change
    once entries exist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env.ref(
            f"{PLANNING}.warehouse_szdc", raise_if_not_found=False
        )
        if not cls.warehouse:
            raise SkipTest("Installed without demo data: there is no story.")
        cls.company = cls.warehouse.company_id
        cls.told_here = bool(
            cls.env["ir.config_parameter"].sudo().get_param(HISTORY_PARAM)
        )
        cls.profile = cls.env["cycle.count.demo"]._demo_abc_profile(cls.company)

    def test_abc_classes_are_computed(self):
        self.assertTrue(self.profile.date_computed)
        self.assertGreater(self.profile.product_count_a, 0)
        self.assertGreater(self.profile.product_count_b, 0)
        self.assertGreater(self.profile.product_count_c, 0)
        # The few make most of the value: fewer A than C.
        self.assertLess(self.profile.product_count_a, self.profile.product_count_c)
        demo_products = self.env.ref(f"{PLANNING}.product_ic_1001").product_variant_id
        self.assertTrue(demo_products.cycle_count_abc_class_id)

    def test_rules_select_by_abc_class(self):
        class_a = self.env.ref(f"{PLANNING}.abc_class_a")
        class_b = self.env.ref(f"{PLANNING}.abc_class_b")
        seed_a = self.env.ref("cycle_count_demo.rule_szdc_seed_a_out")
        seed_ab = self.env.ref("cycle_count_demo.rule_szdc_seed_ab_out")
        # The README's two seed rules, as it words them.
        self.assertEqual(seed_a.abc_class_ids, class_a)
        self.assertEqual(
            (seed_a.move_direction, seed_a.move_days, seed_a.interval_days),
            ("out", 7, 15),
        )
        self.assertEqual(seed_ab.abc_class_ids, class_a | class_b)
        self.assertEqual(
            (
                seed_ab.move_direction,
                seed_ab.move_min_count,
                seed_ab.move_days,
                seed_ab.frequency_type,
                seed_ab.counts_per_year,
            ),
            ("out", 2, 30, "per_year", 52),
        )
        planner = self.env["cycle.count.planner"]
        today = fields.Date.context_today(seed_a)
        for rule in seed_a | seed_ab:
            selected, _due = planner._count_rule_items(rule, today)
            self.assertGreater(selected, 0, rule.name)
        # No rule of the DC selects by a product tag standing in for a class.
        rules = self.env["cycle.count.rule"].search(
            [("warehouse_ids", "in", self.warehouse.ids)]
        )
        self.assertFalse(
            rules.filtered(lambda r: "product_tag_ids" in r.product_domain)
        )
        for letter in "abc":
            rule = self.env.ref(f"{PLANNING}.rule_szdc_class_{letter}")
            self.assertEqual(rule.abc_class_ids.code, letter.upper())

    def test_capacity_and_triggers(self):
        capacity = self.env["cycle.count.capacity"].search(
            [("warehouse_id", "=", self.warehouse.id)]
        )
        self.assertGreater(capacity.lines_per_counter, 0)
        self.assertEqual(
            set(capacity.user_ids.mapped("login")), {"counter", "counter2"}
        )
        triggers = (
            self.env["cycle.count.trigger"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.company.id)])
        )
        # The receipt trigger is not the go-live's: a proposal of the story
        # switches it on (test_demo_story).
        live = triggers.filtered(lambda trigger: trigger.event_type != "receipt")
        self.assertTrue(all(live.mapped("active")))
        self.assertEqual(
            set(live.mapped("event_type")),
            {"safety_stock", "negative", "empty", "variance", "high_value"},
        )

    def test_events_fired(self):
        events = self.env["cycle.count.event"].search(
            [("company_id", "=", self.company.id)]
        )
        self.assertTrue(events)
        if self.told_here:
            # Fired by the story's moves since the triggers' go-live, planned
            # and counted like any item.
            go_live = fields.Date.context_today(events) - timedelta(days=TRIGGERS_START)
            self.assertGreaterEqual(
                min(events.mapped("date")).date(), go_live - timedelta(days=1)
            )
            self.assertIn("done", events.mapped("state"))
            self.assertTrue(events.filtered(lambda e: e.state == "done").line_id)

    def test_coverage_lists_what_the_capacity_leaves(self):
        coverage = self.env["cycle.count.coverage"].search(
            [("company_id", "=", self.company.id)]
        )
        self.assertTrue(coverage)
        self.assertTrue(all(coverage.mapped("date_computed")))

    def test_english_default_chinese_beside(self):
        active = {code for code, _name in self.env["res.lang"].get_installed()}
        self.assertLessEqual({"en_US", "zh_CN"}, active)
        self.assertEqual(self.env["ir.default"]._get("res.partner", "lang"), "en_US")
        users = self.env["res.users"].search([("login", "in", [*CHINESE, *ENGLISH])])
        langs = dict(users.mapped(lambda user: (user.login, user.lang)))
        self.assertEqual(
            langs,
            {**dict.fromkeys(CHINESE, "zh_CN"), **dict.fromkeys(ENGLISH, "en_US")},
        )
        # Chinese is installed with its terms, not only switched on.
        state = self.env["ir.model.fields"]._get("cycle.count.task", "state")
        self.assertNotEqual(
            state.with_context(lang="zh_CN").field_description,
            state.with_context(lang="en_US").field_description,
        )

    def test_a_chinese_company(self):
        partner = self.company.partner_id
        self.assertEqual(self.company.country_id.code, "CN")
        # l10n_cn renames the provinces' codes (粤): compare the record.
        self.assertEqual(partner.city, "Shenzhen")
        self.assertEqual(partner.state_id, self.env.ref("base.state_cn_GD"))
        self.assertNotIn("San Francisco", self.company.name)
        if self.told_here:
            self.assertEqual(self.company.currency_id.name, "CNY")
            self.assertEqual(self.company.chart_template, "cn")
            # The history's valuation entries are in yuan.
            entries = self.env["account.move"].search(
                [
                    ("company_id", "=", self.company.id),
                    ("stock_valuation_layer_ids", "!=", False),
                ],
                limit=1,
            )
            self.assertEqual(entries.currency_id.name, "CNY")
        else:
            # Booked before this addon: the currency stays what its entries are in.
            self.assertTrue(self.company._existing_accounting())
