import json
from datetime import date, datetime, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.cycle_count_planning.tests.common import (
    CycleCountCase,
    CycleCountTestMixin,
)

from .common import reject_with_comment

T0 = datetime(2026, 3, 2, 8, 0, 0)
COUNTER = "cycle_count_planning.group_cycle_count_counter"


class InboxMixin:
    @classmethod
    def _setup_inbox(cls):
        cls.supervisor_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_supervisor"
        )
        cls.finance_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_finance"
        )
        cls.director_tier = cls.env.ref(
            "cycle_count_approval.tier_definition_adjustment_director"
        )
        cls.activity_type = cls.env.ref(
            "cycle_count_approval.mail_activity_type_approve_variances"
        )
        # The admin running the tests manages too: the inboxes looked at are
        # the test users'.
        cls.people = (
            cls.counter | cls.counter_2 | cls.supervisor | cls.finance | cls.manager
        )

    def _review_activities(self, adjustment, escalation=False):
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "cycle.count.adjustment"),
                    ("res_id", "=", adjustment.id),
                    ("cycle_count_review_id", "!=", False),
                    ("cycle_count_escalation", "=", escalation),
                    ("user_id", "in", self.people.ids),
                ]
            )
        )

    def _review(self, adjustment, tier):
        return adjustment.review_ids.filtered(lambda r: r.definition_id == tier)


@tagged("post_install", "-at_install")
class TestInbox(InboxMixin, CycleCountCase):
    """Activities for the reviewers whose turn it is, durations, deadlines and
    their escalation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox()

    def test_activities_only_for_the_tier_in_turn(self):
        # +16 chips (6 400): supervisor, then finance, then the director.
        with freeze_time(T0):
            adjustment = self._counted_task(chip=20).adjustment_ids
        activities = self._review_activities(adjustment)
        # The supervisor tier: Sam, and the director (a manager supervises too).
        self.assertEqual(activities.user_id, self.supervisor | self.manager)
        self.assertEqual(activities.activity_type_id, self.activity_type)
        self.assertEqual(
            activities.cycle_count_review_id,
            self._review(adjustment, self.supervisor_tier),
        )
        self.assertEqual(
            set(activities.mapped("date_deadline")), {(T0 + timedelta(hours=24)).date()}
        )
        self.assertNotIn(self.finance, activities.user_id)
        self.assertNotIn(self.counter, activities.user_id)

        with freeze_time(T0 + timedelta(hours=2)):
            adjustment.with_user(self.supervisor).validate_tier()
        activities = self._review_activities(adjustment)
        # Finance's turn: Fay and the director (in the finance group); Sam's was
        # marked done (kept in the chatter), the director's supervisor one dropped.
        self.assertEqual(activities.user_id, self.finance | self.manager)
        self.assertEqual(
            activities.cycle_count_review_id,
            self._review(adjustment, self.finance_tier),
        )
        done = adjustment.message_ids.filtered(
            lambda m: m.mail_activity_type_id == self.activity_type
        )
        self.assertEqual(done.author_id, self.supervisor.partner_id)

        adjustment.with_user(self.finance).validate_tier()
        activities = self._review_activities(adjustment)
        # The director's tier: the director alone (Fay is no manager).
        self.assertEqual(activities.user_id, self.manager)
        adjustment.with_user(self.manager).validate_tier()
        self.assertEqual(adjustment.state, "posted")
        self.assertFalse(self._review_activities(adjustment))

    def test_rejection_cancels_the_activities(self):
        adjustment = self._counted_task(bolt=62, chip=3).adjustment_ids
        self.assertTrue(self._review_activities(adjustment))
        reject_with_comment(adjustment, self.supervisor, "Count the bolts again")
        self.assertEqual(adjustment.state, "rejected")
        self.assertFalse(self._review_activities(adjustment))
        self.assertFalse(
            adjustment.activity_ids.filtered(
                lambda a: a.activity_type_id == self.activity_type
            )
        )

    def test_durations_on_the_review_and_in_the_report(self):
        with freeze_time(T0):
            adjustment = self._counted_task(bolt=62, chip=3).adjustment_ids
        supervisor_review = self._review(adjustment, self.supervisor_tier)
        finance_review = self._review(adjustment, self.finance_tier)
        self.assertEqual(supervisor_review.cycle_count_turn_date, T0)
        self.assertEqual(
            supervisor_review.cycle_count_deadline, T0 + timedelta(hours=24)
        )
        # Finance's turn has not come.
        self.assertFalse(finance_review.cycle_count_turn_date)
        with freeze_time(T0 + timedelta(hours=2, minutes=30)):
            adjustment.with_user(self.supervisor).validate_tier()
        self.assertEqual(
            finance_review.cycle_count_turn_date, T0 + timedelta(hours=2, minutes=30)
        )
        with freeze_time(T0 + timedelta(hours=30, minutes=30)):
            adjustment.with_user(self.finance).validate_tier()
        self.assertEqual(supervisor_review.cycle_count_elapsed_hours, 2.5)
        self.assertEqual(finance_review.cycle_count_elapsed_hours, 28)
        self.assertFalse(supervisor_review.cycle_count_is_late)
        self.assertTrue(finance_review.cycle_count_is_late)

        Duration = self.env["cycle.count.approval.duration"].with_user(self.finance)
        rows = Duration.search([("adjustment_id", "=", adjustment.id)])
        self.assertEqual(len(rows), 2)
        by_tier = {row.tier_id: row for row in rows}
        row = by_tier[self.supervisor_tier]
        self.assertEqual(row.reviewer_id, self.supervisor)
        self.assertEqual(row.warehouse_id, self.warehouse)
        self.assertEqual(row.requested_date, T0)
        self.assertEqual(row.decided_date, T0 + timedelta(hours=2, minutes=30))
        self.assertAlmostEqual(row.elapsed_hours, 2.5)
        self.assertFalse(row.is_late)
        row = by_tier[self.finance_tier]
        self.assertEqual(row.reviewer_id, self.finance)
        self.assertAlmostEqual(row.elapsed_hours, 28)
        self.assertTrue(row.is_late)
        # Grouped, the hours are averaged, never summed.
        groups = Duration._read_group(
            [("adjustment_id", "=", adjustment.id)], [], ["elapsed_hours:avg"]
        )
        self.assertAlmostEqual(groups[0][0], 15.25)
        self.assertEqual(Duration._fields["elapsed_hours"].aggregator, "avg")
        # Counters read no duration.
        with self.assertRaises(AccessError):
            self.env["cycle.count.approval.duration"].with_user(self.counter).search([])

    def test_escalation_after_the_deadline_once(self):
        with freeze_time(T0):
            adjustment = self._counted_task(apple=9).adjustment_ids
        review = self._review(adjustment, self.supervisor_tier)
        Adjustment = self.env["cycle.count.adjustment"]
        with freeze_time(T0 + timedelta(hours=23, minutes=59)):
            Adjustment._cron_review_deadlines()
        self.assertFalse(review.cycle_count_escalated_date)
        self.assertFalse(self._review_activities(adjustment, escalation=True))
        notes = len(adjustment.message_ids)
        with freeze_time(T0 + timedelta(hours=25)):
            Adjustment._cron_review_deadlines()
        self.assertEqual(review.cycle_count_escalated_date, T0 + timedelta(hours=25))
        self.assertTrue(review.cycle_count_is_escalated)
        escalations = self._review_activities(adjustment, escalation=True)
        # No escalation user on the tier: the company's cycle count managers.
        self.assertEqual(escalations.user_id, self.manager)
        self.assertEqual(len(adjustment.message_ids), notes + 1)
        self.assertIn("past its deadline", adjustment.message_ids[0].body)
        # Once only.
        with freeze_time(T0 + timedelta(hours=30)):
            Adjustment._cron_review_deadlines()
        self.assertEqual(
            self._review_activities(adjustment, escalation=True), escalations
        )
        self.assertEqual(len(adjustment.message_ids), notes + 1)
        row = self.env["cycle.count.approval.duration"].search(
            [("review_id", "=", review.id)]
        )
        self.assertTrue(row.is_escalated)
        self.assertTrue(row.is_late)
        # Decided: the escalation is closed too.
        adjustment.with_user(self.supervisor).validate_tier()
        self.assertFalse(self._review_activities(adjustment, escalation=True))

    def test_escalation_user_of_the_tier(self):
        self.supervisor_tier.write(
            {
                "cycle_count_deadline_hours": 4,
                "cycle_count_escalation_user_id": self.finance.id,
            }
        )
        with freeze_time(T0):
            adjustment = self._counted_task(apple=9).adjustment_ids
        with freeze_time(T0 + timedelta(hours=3)):
            self.assertFalse(
                self.env["cycle.count.adjustment"]._escalate_late_reviews()
            )
        with freeze_time(T0 + timedelta(hours=5)):
            late = self.env["cycle.count.adjustment"]._escalate_late_reviews()
        self.assertEqual(late, self._review(adjustment, self.supervisor_tier))
        self.assertEqual(
            self._review_activities(adjustment, escalation=True).user_id, self.finance
        )

    def test_no_deadline_no_escalation(self):
        self.supervisor_tier.cycle_count_deadline_hours = 0
        with freeze_time(T0):
            adjustment = self._counted_task(apple=9).adjustment_ids
        review = self._review(adjustment, self.supervisor_tier)
        self.assertEqual(review.cycle_count_turn_date, T0)
        self.assertFalse(review.cycle_count_deadline)
        with freeze_time(T0 + timedelta(days=30)):
            self.env["cycle.count.adjustment"]._cron_review_deadlines()
        self.assertFalse(review.cycle_count_escalated_date)
        with self.assertRaises(ValidationError):
            self.supervisor_tier.cycle_count_deadline_hours = -1


@tagged("post_install", "-at_install")
class TestDelegation(InboxMixin, CycleCountCase):
    """A reviewer away delegates; the delegate decides inside the window only,
    and never a report they counted. No forward on the report's tiers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox()
        cls.Delegation = cls.env["cycle.count.approval.delegation"]

    def _delegate(self, date_from, date_to, user=None, delegate=None, as_user=None):
        return self.Delegation.with_user(as_user or user or self.supervisor).create(
            {
                "user_id": (user or self.supervisor).id,
                "delegate_id": (delegate or self.finance).id,
                "date_from": date_from,
                "date_to": date_to,
            }
        )

    def test_delegate_decides_inside_the_window(self):
        # 10 of apples: the supervisor tier alone; Fay (finance) is no supervisor.
        with freeze_time("2026-03-02 08:00:00"):
            adjustment = self._counted_task(apple=9).adjustment_ids
            self.assertFalse(adjustment.with_user(self.finance).can_review)
            delegation = self._delegate(date(2026, 3, 2), date(2026, 3, 6))
            self.assertTrue(delegation.is_current)
            activities = self._review_activities(adjustment)
            self.assertIn(self.finance, activities.user_id)
            self.assertTrue(adjustment.with_user(self.finance).can_review)
            adjustment.with_user(self.finance).validate_tier()
        review = self._review(adjustment, self.supervisor_tier)
        self.assertEqual(review.done_by, self.finance)
        self.assertEqual(adjustment.state, "posted")

    def test_delegate_refused_outside_the_window(self):
        with freeze_time("2026-03-02 08:00:00"):
            adjustment = self._counted_task(apple=9).adjustment_ids
            self._delegate(date(2026, 3, 3), date(2026, 3, 6))
            # Not yet in force.
            self.assertNotIn(self.finance, self._review_activities(adjustment).user_id)
            self.assertFalse(adjustment.with_user(self.finance).can_review)
            with self.assertRaises(UserError):
                adjustment.with_user(self.finance).validate_tier()
        with freeze_time("2026-03-04 08:00:00"):
            self.env["cycle.count.adjustment"]._cron_review_deadlines()
            self.assertIn(self.finance, self._review_activities(adjustment).user_id)
        with freeze_time("2026-03-07 08:00:00"):
            # Over, though the hourly refresh has not run yet: refused at once.
            adjustment.invalidate_recordset()
            self.assertFalse(adjustment.with_user(self.finance).can_review)
            with self.assertRaises(UserError):
                adjustment.with_user(self.finance).validate_tier()
            review = self._review(adjustment, self.supervisor_tier)
            with self.assertRaisesRegex(AccessError, "for nobody today"):
                adjustment.with_user(self.finance)._validate_tier(review)
            self.assertIn(review.status, ("waiting", "pending"))
            self.assertFalse(review.done_by)
            self.env["cycle.count.adjustment"]._cron_review_deadlines()
            self.assertNotIn(self.finance, self._review_activities(adjustment).user_id)
            self.assertNotIn(self.finance, review.reviewer_ids)

    def test_delegate_who_counted_is_refused(self):
        self.finance.groups_id |= self.env.ref(COUNTER)
        with freeze_time("2026-03-02 08:00:00"):
            adjustment = self._counted_task(user=self.finance, apple=9).adjustment_ids
            self._delegate(date(2026, 3, 1), date(2026, 3, 6))
            self.assertNotIn(self.finance, self._review_activities(adjustment).user_id)
            self.assertFalse(adjustment.with_user(self.finance).can_review)
            with self.assertRaisesRegex(AccessError, "You counted"):
                adjustment.with_user(self.finance).validate_tier()
            review = self._review(adjustment, self.supervisor_tier)
            with self.assertRaisesRegex(AccessError, "You counted"):
                adjustment.with_user(self.finance)._validate_tier(review)
            self.assertIn(review.status, ("waiting", "pending"))
            self.assertFalse(review.done_by)

    def test_who_manages_delegations(self):
        # Sam delegates his own reviews, not Fay's; the manager sets up anybody's.
        with self.assertRaises(AccessError):
            self._delegate(
                date(2026, 3, 1),
                date(2026, 3, 2),
                user=self.finance,
                delegate=self.supervisor,
                as_user=self.supervisor,
            )
        delegation = self._delegate(
            date(2026, 3, 1),
            date(2026, 3, 2),
            user=self.finance,
            delegate=self.supervisor,
            as_user=self.manager,
        )
        # Fay reads and changes hers; Sam, the delegate, reads it only.
        delegation.with_user(self.finance).date_to = date(2026, 3, 3)
        self.assertTrue(delegation.with_user(self.supervisor).read(["date_to"]))
        with self.assertRaises(AccessError):
            delegation.with_user(self.supervisor).date_to = date(2026, 3, 9)
        with self.assertRaises(AccessError):
            delegation.with_user(self.finance).user_id = self.supervisor
        # Counters have no delegations; nobody delegates to a counter or oneself.
        with self.assertRaises(AccessError):
            self.Delegation.with_user(self.counter).search([])
        with self.assertRaises(ValidationError):
            self._delegate(date(2026, 3, 1), date(2026, 3, 2), delegate=self.counter)
        with mute_logger("odoo.sql_db"):
            with self.assertRaises(IntegrityError), self.cr.savepoint():
                self._delegate(
                    date(2026, 3, 1), date(2026, 3, 2), delegate=self.supervisor
                )
            with self.assertRaises(IntegrityError), self.cr.savepoint():
                self._delegate(date(2026, 3, 3), date(2026, 3, 2))

    def test_no_forward_on_the_report_tiers(self):
        with self.assertRaises(ValidationError):
            self.supervisor_tier.has_forward = True
        adjustment = self._counted_task(apple=9).adjustment_ids
        reviews = adjustment.review_ids
        self.assertFalse(adjustment.with_user(self.supervisor).can_forward)
        for user in (self.supervisor, self.counter):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(UserError, "not forwarded"):
                    adjustment.with_user(user).forward_tier()
                with self.assertRaisesRegex(UserError, "not forwarded"):
                    adjustment.with_user(user)._forward_tier()
                wizard = (
                    self.env["tier.validation.forward.wizard"]
                    .with_user(user)
                    .create(
                        {
                            "res_model": "cycle.count.adjustment",
                            "res_id": adjustment.id,
                            "forward_reviewer_id": user.id,
                        }
                    )
                )
                with self.assertRaisesRegex(UserError, "not forwarded"):
                    wizard.add_forward()
                comment = (
                    self.env["comment.wizard"]
                    .with_user(user)
                    .create(
                        {
                            "res_model": "cycle.count.adjustment",
                            "res_id": adjustment.id,
                            "validate_reject": "forward",
                            "review_ids": [(6, 0, reviews.ids)],
                            "comment": "over to me",
                        }
                    )
                )
                # OCA's comment wizard first writes the comment on the
                # reviews: refused (only the flow writes them).
                with self.assertRaises(AccessError):
                    comment.add_comment()
        self.assertEqual(adjustment.review_ids, reviews)
        self.assertIn(reviews.status, ("waiting", "pending"))
        self.assertFalse(reviews.comment)


@tagged("post_install", "-at_install")
class TestNoForwardRpc(CycleCountTestMixin, HttpCase):
    """Forward attempts through the web client's RPC: refused, nothing written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def _call_kw(self, model, method, args, kwargs=None):
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
                        "kwargs": kwargs or {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_forward_refused_through_call_kw(self):
        adjustment = self._counted_task(apple=9).adjustment_ids
        reviews = adjustment.review_ids
        for user in (self.counter, self.supervisor):
            self.authenticate(user.login, user.login)
            with self.subTest(user=user.login):
                answer = self._call_kw(
                    "cycle.count.adjustment", "forward_tier", [adjustment.ids]
                )
                self.assertIn("error", answer, answer)
                created = self._call_kw(
                    "tier.validation.forward.wizard",
                    "create",
                    [
                        {
                            "res_model": "cycle.count.adjustment",
                            "res_id": adjustment.id,
                            "forward_reviewer_id": user.id,
                        }
                    ],
                )
                self.assertIn("result", created, created)
                answer = self._call_kw(
                    "tier.validation.forward.wizard",
                    "add_forward",
                    [[created["result"]]]
                    if isinstance(created["result"], int)
                    else [created["result"]],
                )
                self.assertIn("error", answer, answer)
                self.assertIn("not forwarded", answer["error"]["data"]["message"])
        adjustment.invalidate_recordset()
        self.assertEqual(adjustment.review_ids, reviews)
        self.assertFalse(reviews.done_by)
        self.assertIn(reviews.status, ("waiting", "pending"))
