import json
from contextlib import contextmanager
from xmlrpc.client import Fault

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.cycle_count_planning.tests.common import (
    FINANCE,
    SUPERVISOR,
    CycleCountCase,
    CycleCountTestMixin,
)

ADJUSTMENT = "cycle.count.adjustment"
REVIEW_FIELDS = [
    "status",
    "done_by",
    "comment",
    "reviewed_date",
    "reviewer_ids",
    "model",
    "res_id",
    "definition_id",
    "sequence",
    "requested_by",
]
REFUSED = (AccessError, UserError, ValidationError)


class ForgeryMixin:
    """A report of 700 (supervisor, then finance), and people who would like it
    approved without the finance manager."""

    @classmethod
    def _setup_forgery(cls):
        cls.plain_user = new_test_user(
            cls.env,
            login="cc_plain_user",
            name="Ivy Internal",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        # Configures other models' tiers (Settings ‣ Access Rights), not ours.
        cls.settings_admin = new_test_user(
            cls.env,
            login="cc_settings_admin",
            name="Ada Admin",
            groups="base.group_user,base.group_system",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.supervisor_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_supervisor"
        )
        cls.finance_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_finance"
        )

    @contextmanager
    def assertRefused(self):
        """A refusal the user is told (access, or a clear error), nothing else."""
        with self.assertRaises(Exception) as caught:
            yield
        self.assertIsInstance(caught.exception, REFUSED)

    def _report(self):
        adjustment = self._counted_task(bolt=62, chip=3).adjustment_ids  # 700
        self.assertEqual(
            adjustment.review_ids.sorted("sequence").definition_id,
            self.supervisor_tier | self.finance_tier,
        )
        return adjustment

    def _snapshot(self, adjustment):
        """Every review of the report, as the database has it."""
        self.env.invalidate_all()
        reviews = (
            self.env["tier.review"]
            .sudo()
            .search([("model", "=", ADJUSTMENT), ("res_id", "=", adjustment.id)])
        )
        return (
            adjustment.sudo().read(["state", "validation_status"]),
            reviews.read(REVIEW_FIELDS),
            self.env["tier.review"].sudo().search_count([]),
            self.finance_tier.sudo().read(
                ["model_id", "definition_domain", "reviewer_group_id", "active"]
            ),
        )

    def _forgeries(self, adjustment, user):
        """(what, model, method, args) a user may try through any route."""
        reviews = adjustment.review_ids.sorted("sequence")
        finance_review = reviews[1]
        now = fields.Datetime.to_string(fields.Datetime.now())
        partner = self.env["res.partner"].create({"name": "Elsewhere"})
        writes = {
            "status": "approved",
            "done_by": user.id,
            "comment": "approved by phone",
            "reviewed_date": now,
            "reviewer_ids": [Command.set(user.ids)],
            "model": "res.partner",
            "res_id": partner.id,
            "definition_id": self.supervisor_tier.id,
            "sequence": 1,
            "requested_by": user.id,
        }
        forgeries = [
            (f"write {field}", "tier.review", "write", [finance_review.ids, {field: v}])
            for field, v in writes.items()
        ]
        approved_review = {
            "model": ADJUSTMENT,
            "res_id": adjustment.id,
            "definition_id": self.finance_tier.id,
            "status": "approved",
            "done_by": user.id,
            "reviewed_date": now,
            "sequence": 2,
        }
        forgeries += [
            ("create an approved review", "tier.review", "create", [approved_review]),
            ("unlink", "tier.review", "unlink", [finance_review.ids]),
        ]
        for what, command in (
            ("create", Command.create({**approved_review, "res_id": False})),
            ("update", Command.update(finance_review.id, {"status": "approved"})),
            ("delete", Command.delete(finance_review.id)),
            ("unlink", Command.unlink(finance_review.id)),
            ("set", Command.set(reviews[:1].ids)),
            ("clear", Command.clear()),
        ):
            forgeries.append(
                (
                    f"report review_ids {what}",
                    ADJUSTMENT,
                    "write",
                    [adjustment.ids, {"review_ids": [command]}],
                )
            )
        forgeries += [
            (
                "report validation_status",
                ADJUSTMENT,
                "write",
                [adjustment.ids, {"validation_status": "validated"}],
            ),
            (
                "report state",
                ADJUSTMENT,
                "write",
                [adjustment.ids, {"state": "approved"}],
            ),
            (
                "tier: lower the finance band",
                "tier.definition",
                "write",
                [self.finance_tier.ids, {"definition_domain": "[('id', '=', 0)]"}],
            ),
            (
                "tier: switch off finance",
                "tier.definition",
                "write",
                [self.finance_tier.ids, {"active": False}],
            ),
            (
                "tier: delete finance",
                "tier.definition",
                "unlink",
                [self.finance_tier.ids],
            ),
            (
                "restart the approval",
                ADJUSTMENT,
                "restart_validation",
                [adjustment.ids],
            ),
        ]
        return forgeries


@tagged("post_install", "-at_install")
class TestForgeryOrm(ForgeryMixin, CycleCountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_forgery()

    def test_nobody_forges_a_review_through_the_orm(self):
        adjustment = self._report()
        attackers = (
            self.counter,
            self.plain_user,
            self.supervisor,
            self.settings_admin,
        )
        for user in attackers:
            for what, model, method, args in self._forgeries(adjustment, user):
                before = self._snapshot(adjustment)
                with self.subTest(user=user.login, forgery=what):
                    records = self.env[model].with_user(user)
                    if method != "create":
                        records = records.browse(args[0])
                        args = args[1:]
                    with self.assertRefused():
                        getattr(records, method)(*args)
                    self.assertEqual(self._snapshot(adjustment), before)

    def test_a_review_is_not_moved_onto_a_report(self):
        """A review of another model (as base_tier_validation lets any user make
        one) cannot be turned into a review of a variance report."""
        adjustment = self._report()
        partner = self.env["res.partner"].create({"name": "Elsewhere"})
        for user in (self.counter, self.plain_user, self.supervisor):
            with self.subTest(user=user.login):
                review = (
                    self.env["tier.review"]
                    .with_user(user)
                    .create({"model": "res.partner", "res_id": partner.id})
                )
                before = self._snapshot(adjustment)
                with self.assertRaises(AccessError):
                    review.write(
                        {
                            "model": ADJUSTMENT,
                            "res_id": adjustment.id,
                            "status": "approved",
                            "definition_id": self.finance_tier.id,
                        }
                    )
                self.assertEqual(self._snapshot(adjustment), before)
                # Other models' reviews work as base_tier_validation has them.
                review.write({"comment": "fine"})
                review.unlink()

    def test_nobody_but_the_manager_configures_the_report_tiers(self):
        adjustment_model = self.env["ir.model"]._get(ADJUSTMENT)
        partner_model = self.env["ir.model"]._get("res.partner")
        tiers = self.env["tier.definition"]
        partner_tier = (
            tiers.with_user(self.settings_admin)
            .create({"name": "Partner tier", "model_id": partner_model.id})
            .with_env(self.env)
        )
        for user in (self.settings_admin, self.supervisor, self.finance):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    tiers.with_user(user).create(
                        {
                            "name": "Me",
                            "model_id": adjustment_model.id,
                            "review_type": "individual",
                            "reviewer_id": user.id,
                        }
                    )
                with self.assertRaises(AccessError):
                    partner_tier.with_user(user).write(
                        {"model_id": adjustment_model.id}
                    )
                with self.assertRaises(AccessError):
                    self.finance_tier.with_user(user).write({"sequence": 99})
        self.assertEqual(partner_tier.model, "res.partner")
        self.assertEqual(self.finance_tier.sequence, 20)
        # The manager configures the report's tiers, and those alone.
        self.finance_tier.with_user(self.manager).write({"sequence": 21})
        new_tier = tiers.with_user(self.manager).create(
            {"name": "Audit", "model_id": adjustment_model.id}
        )
        new_tier.with_user(self.manager).unlink()
        with self.assertRaises(AccessError):
            partner_tier.with_user(self.manager).write({"sequence": 1})

    def test_no_validation_exception_for_the_report(self):
        adjustment = self._report()
        exceptions = self.env["tier.validation.exception"].with_user(
            self.settings_admin
        )
        status = self.env["ir.model.fields"]._get(ADJUSTMENT, "validation_status")
        with self.assertRaises(AccessError):
            exceptions.create(
                {
                    "name": "Let supervisors decide",
                    "model_id": self.env["ir.model"]._get(ADJUSTMENT).id,
                    "field_ids": [Command.set(status.ids)],
                }
            )
        # Even one made by the system gives no field to write under validation.
        self.env["tier.validation.exception"].create(
            {
                "name": "Let supervisors decide",
                "model_id": self.env["ir.model"]._get(ADJUSTMENT).id,
                "field_ids": [Command.set(status.ids)],
            }
        )
        self.assertNotIn(
            "validation_status", adjustment._get_under_validation_exceptions()
        )
        with self.assertRaises(AccessError):
            adjustment.with_user(self.supervisor).write(
                {"validation_status": "validated"}
            )

    def test_the_comment_wizard_gives_only_the_users_decision(self):
        self.finance_tier.has_comment = True
        adjustment = self._report()
        finance_review = adjustment.review_ids.sorted("sequence")[1]
        # Before the supervisor, nothing waits for the finance manager; and a
        # counter cannot drive the wizard onto the report at all.
        for user in (self.counter, self.plain_user, self.finance):
            with self.subTest(user=user.login):
                before = self._snapshot(adjustment)
                wizard = (
                    self.env["comment.wizard"]
                    .with_user(user)
                    .create(
                        {
                            "res_model": ADJUSTMENT,
                            "res_id": adjustment.id,
                            "review_ids": [Command.set(finance_review.ids)],
                            "validate_reject": "validate",
                            "comment": "approved by phone",
                        }
                    )
                )
                with self.assertRefused():
                    wizard.add_comment()
                self.assertEqual(self._snapshot(adjustment), before)
        adjustment.with_user(self.supervisor).validate_tier()
        # The supervisor cannot comment the finance review into approval.
        wizard = (
            self.env["comment.wizard"]
            .with_user(self.supervisor)
            .create(
                {
                    "res_model": ADJUSTMENT,
                    "res_id": adjustment.id,
                    "review_ids": [Command.set(finance_review.ids)],
                    "validate_reject": "validate",
                    "comment": "approved by phone",
                }
            )
        )
        with self.assertRefused():
            wizard.add_comment()
        self.assertFalse(finance_review.comment)
        # The finance manager's own decision, through the wizard, as designed.
        action = adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(action["res_model"], "comment.wizard")
        wizard = (
            self.env["comment.wizard"]
            .with_user(self.finance)
            .with_context(**action["context"])
            .create({"comment": "Checked the bolts"})
        )
        wizard.add_comment()
        self.assertEqual(finance_review.status, "approved")
        self.assertEqual(finance_review.done_by, self.finance)
        self.assertEqual(finance_review.comment, "Checked the bolts")
        self.assertEqual(adjustment.state, "posted")

    def test_who_reads_the_reviews_and_tiers(self):
        adjustment = self._report()
        other_company = self.env["res.company"].create({"name": "Other Co"})
        other_supervisor = new_test_user(
            self.env,
            login="cc_other_supervisor",
            groups=SUPERVISOR + "," + FINANCE,
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        reviews = adjustment.review_ids
        domain = [("model", "=", ADJUSTMENT)]
        for user in (self.counter, self.plain_user, other_supervisor):
            with self.subTest(user=user.login):
                Review = self.env["tier.review"].with_user(user)
                self.assertFalse(Review.search(domain))
                with self.assertRaises(AccessError):
                    reviews.with_user(user).read(["status"])
                with self.assertRaises(AccessError):
                    adjustment.with_user(user).read(["review_ids"])
        for user in (self.counter, self.plain_user):
            with self.subTest(user=user.login, model="tier.definition"):
                Tier = self.env["tier.definition"].with_user(user)
                self.assertFalse(Tier.search(domain))
                with self.assertRaises(AccessError):
                    self.finance_tier.with_user(user).read(["definition_domain"])
        for user in (self.supervisor, self.finance, self.manager):
            with self.subTest(user=user.login, reads=True):
                self.assertEqual(
                    self.env["tier.review"].with_user(user).search(domain), reviews
                )
                self.assertEqual(adjustment.with_user(user).review_ids, reviews)

    def test_the_flow_still_decides(self):
        adjustment = self._report()
        adjustment.with_user(self.supervisor).validate_tier()
        adjustment.with_user(self.finance).validate_tier()
        reviews = adjustment.review_ids.sorted("sequence")
        self.assertEqual(reviews.mapped("status"), ["approved", "approved"])
        self.assertEqual(reviews.done_by, self.supervisor | self.finance)
        self.assertTrue(all(reviews.mapped("reviewed_date")))
        self.assertEqual(adjustment.state, "posted")

    def test_a_manager_deletes_a_report_in_approval(self):
        adjustment = self._report()
        reviews = adjustment.review_ids
        with self.assertRaises(AccessError):
            adjustment.with_user(self.supervisor).unlink()
        self.assertEqual(reviews.exists(), reviews)
        adjustment.with_user(self.manager).unlink()
        self.assertFalse(reviews.exists())


@tagged("post_install", "-at_install")
class TestForgeryRpc(ForgeryMixin, CycleCountTestMixin, HttpCase):
    """The same forgeries through the web client's RPC and XML-RPC, with the
    attacker's own session or password."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        cls._setup_forgery()

    def _call_kw(self, model, method, args):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _password(self, user):
        return user.login + "x" * (8 - len(user.login))

    def test_nobody_forges_a_review_through_rpc(self):
        adjustment = self._report()
        for user in (self.counter, self.plain_user, self.supervisor):
            self.authenticate(user.login, self._password(user))
            for what, model, method, args in self._forgeries(adjustment, user):
                # As a client sends them: commands are plain lists.
                args = json.loads(json.dumps(args))
                before = self._snapshot(adjustment)
                with self.subTest(route="call_kw", user=user.login, forgery=what):
                    answer = self._call_kw(model, method, args)
                    self.assertIn("error", answer, answer)
                    self.assertIn(
                        answer["error"]["data"]["name"],
                        (
                            "odoo.exceptions.AccessError",
                            "odoo.exceptions.UserError",
                            "odoo.exceptions.ValidationError",
                        ),
                    )
                    self.assertEqual(self._snapshot(adjustment), before)
                with self.subTest(route="xmlrpc", user=user.login, forgery=what):
                    with self.assertRaises(Fault):
                        self.xmlrpc_object.execute_kw(
                            self.env.cr.dbname,
                            user.id,
                            self._password(user),
                            model,
                            method,
                            args,
                        )
                    self.assertEqual(self._snapshot(adjustment), before)

    def test_counters_read_no_review_through_rpc(self):
        adjustment = self._report()
        self.authenticate(self.counter.login, self._password(self.counter))
        for model in ("tier.review", "tier.definition"):
            with self.subTest(model=model):
                answer = self._call_kw(
                    model,
                    "search_read",
                    [[("model", "=", ADJUSTMENT)], ["id"]],
                )
                self.assertEqual(answer.get("result"), [], answer)
                records = self.xmlrpc_object.execute_kw(
                    self.env.cr.dbname,
                    self.counter.id,
                    self._password(self.counter),
                    model,
                    "search_read",
                    [[("model", "=", ADJUSTMENT)], ["id"]],
                )
                self.assertEqual(records, [])
        answer = self._call_kw(
            "tier.review", "read", [adjustment.review_ids.ids, ["status"]]
        )
        self.assertEqual(
            answer["error"]["data"]["name"], "odoo.exceptions.AccessError", answer
        )
