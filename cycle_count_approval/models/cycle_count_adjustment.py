import io
import logging
import random
import time
from collections import defaultdict
from datetime import timedelta

import xlsxwriter
from psycopg2 import errors as pg_errors
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import SUPERUSER_ID, Command, api, fields, models, modules, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, float_is_zero, formatLang

from odoo.addons.cycle_count_planning.models.cycle_count_planner import execute_lock
from odoo.addons.cycle_count_planning.models.cycle_count_task import (
    COUNTING_STATES,
    counter_domain,
)

# Who may apply an approved report to stock by hand (one approved before stock
# was applied on approval): whoever may post inventory adjustments' value.
APPLY_GROUP = "cycle_count_planning.group_cycle_count_finance"
# Who may restart an approval (drop the decisions given so far).
RESTART_GROUP = "cycle_count_planning.group_cycle_count_manager"
# A report of more variances than this is applied in the background, this many
# at a time, each chunk its own transaction (system parameter to change it).
APPLY_CHUNK_PARAM = "cycle_count_approval.apply_chunk_size"
APPLY_CHUNK_DEFAULT = 2000
# A chunk that meets a concurrent transaction (a picking validated beside it)
# is run again in a new transaction, at most this many times in all; a lock is
# waited for at most this long before that.
APPLY_CHUNK_TRIES = 5
APPLY_LOCK_TIMEOUT = "30s"
# A chunk whose every variance's rows are held by other transactions (pickings
# validating its products) posts nothing: it is run again after a backoff, at
# most this many times, before the error reaches the cron or the job.
APPLY_BUSY_TRIES = 30


class ChunkBusy(Exception):
    """Every variance of the next chunk has a row (product, quant, open
    valuation layer) held by another transaction: nothing can be posted now."""

    pgcode = "busy"


APPLY_RETRY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
    ChunkBusy,
)
# Who is told of a review past its deadline when its tier names nobody.
ESCALATION_GROUP = "cycle_count_planning.group_cycle_count_manager"
REVIEW_ACTIVITY_TYPE = "cycle_count_approval.mail_activity_type_approve_variances"

_logger = logging.getLogger(__name__)


class CycleCountAdjustment(models.Model):
    """The variance report of a count task: what goes through approval and, once
    approved, is applied to stock (inventory moves of the differences)."""

    _name = "cycle.count.adjustment"
    _description = "Variance Report"
    _inherit = ["mail.thread", "mail.activity.mixin", "tier.validation"]
    _order = "id desc"
    _check_company_auto = True

    # base_tier_validation: reviews gate the move out of these states.
    _state_from = ["draft", "to_approve"]
    _state_to = ["approved", "posted"]
    _cancel_state = "cancel"
    # The approval banner, buttons and trail are in our own form view, in words
    # of our own (translated), rather than injected by base_tier_validation.
    _tier_validation_manual_config = True

    name = fields.Char(
        required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    task_id = fields.Many2one(
        "cycle.count.task",
        required=True,
        readonly=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    warehouse_id = fields.Many2one(related="task_id.warehouse_id", store=True)
    counter_ids = fields.Many2many(
        "res.users",
        compute="_compute_counter_ids",
        string="Counted By",
        help="Whoever counted a line of this report's task, and the counter it was "
        "assigned to: they may not approve it.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            # Items outside their recount threshold are being counted again.
            ("recount", "Being Recounted"),
            ("approved", "Approved"),
            # Technical value kept from 18.0.1 ("posted"): applied to stock.
            ("posted", "Applied to Stock"),
            ("rejected", "Rejected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many(
        "cycle.count.adjustment.line",
        "adjustment_id",
        string="Variances",
    )
    recount_task_id = fields.Many2one(
        "cycle.count.task",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The recount this report waits for: its items counted again by "
        "another counter before the report goes to approval.",
    )
    accepted_within_tolerance = fields.Boolean(
        readonly=True,
        copy=False,
        help="Every variance is within its tolerance: approved by the system, no "
        "tier asked.",
    )
    count_history_ids = fields.One2many(
        "cycle.count.adjustment.count",
        compute="_compute_count_history_ids",
        string="Counts",
        help="Every count of each item, in order: first, recounts, final.",
    )
    line_count = fields.Integer(compute="_compute_totals", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    total_gain = fields.Monetary(
        compute="_compute_totals", store=True, help="Value of what was found in excess."
    )
    total_loss = fields.Monetary(
        compute="_compute_totals", store=True, help="Value of what was missing."
    )
    net_value = fields.Monetary(
        compute="_compute_totals", store=True, help="Gains minus losses."
    )
    abs_variance_total = fields.Monetary(
        string="Total Variance",
        compute="_compute_totals",
        store=True,
        help="Gains plus losses, without sign: what the approval tiers look at, so "
        "that a gain and a loss never cancel each other out of a higher tier.",
    )
    waiting_for = fields.Char(
        compute="_compute_waiting_for",
        help="The approval tiers still to give their decision, in order.",
    )
    date_approved = fields.Datetime(string="Approved On", readonly=True, copy=False)
    date_posted = fields.Datetime(
        string="Applied to Stock On", readonly=True, copy=False
    )
    move_ids = fields.One2many(
        "stock.move", "cycle_count_adjustment_id", string="Stock Moves", readonly=True
    )
    move_count = fields.Integer(
        string="Stock Move Count", compute="_compute_move_count"
    )
    is_applying = fields.Boolean(
        string="Being Applied to Stock",
        readonly=True,
        copy=False,
        help="Approved, and being applied to stock in the background, a chunk of "
        "variances at a time (a large report).",
    )
    apply_progress = fields.Integer(
        string="Applied (%)",
        compute="_compute_apply_progress",
        help="The share of the variances already applied to stock.",
    )
    apply_lines_done = fields.Integer(
        string="Lines Posted",
        compute="_compute_apply_progress",
        help="Variances already posted to stock (one inventory move each).",
    )
    apply_lines_total = fields.Integer(
        string="Lines to Post",
        compute="_compute_apply_progress",
        help="Variances this report posts to stock (its non-zero differences).",
    )

    @api.depends("line_ids.variance_value")
    def _compute_totals(self):
        for adjustment in self:
            values = adjustment.line_ids.mapped("variance_value")
            gain = sum(v for v in values if v > 0)
            loss = -sum(v for v in values if v < 0)
            adjustment.line_count = len(values)
            adjustment.total_gain = gain
            adjustment.total_loss = loss
            adjustment.net_value = gain - loss
            adjustment.abs_variance_total = gain + loss

    @api.depends("line_ids.count_history_ids")
    def _compute_count_history_ids(self):
        for adjustment in self:
            adjustment.count_history_ids = adjustment.line_ids.count_history_ids

    @api.depends("move_ids")
    def _compute_move_count(self):
        for adjustment in self:
            adjustment.move_count = len(adjustment.move_ids)

    @api.depends("is_applying", "state")
    def _compute_apply_progress(self):
        applied = {
            adjustment.id: count
            for adjustment, count in self.env["stock.move"]
            .sudo()
            ._read_group(
                [("cycle_count_adjustment_id", "in", self.ids)],
                ["cycle_count_adjustment_id"],
                ["__count"],
            )
        }
        for adjustment in self:
            done = applied.get(adjustment.id, 0)
            if adjustment.state == "posted":
                # Posted (in the click or in the background): all of it. A
                # list of large posted reports reads no line.
                adjustment.apply_lines_total = done
                adjustment.apply_lines_done = done
                adjustment.apply_progress = 100
                continue
            # Reviewers read the report's lines; the progress counts them as is.
            total = len(adjustment.sudo()._get_lines_to_apply())
            adjustment.apply_lines_total = total
            adjustment.apply_lines_done = done
            adjustment.apply_progress = int(100 * done / total) if total else 0

    @api.depends("review_ids.status")
    def _compute_waiting_for(self):
        for adjustment in self:
            waiting = adjustment.review_ids.filtered(
                lambda review: review.status in ("waiting", "pending")
            ).sorted("sequence")
            adjustment.waiting_for = " → ".join(waiting.mapped("definition_id.name"))

    @api.depends(
        "task_id.line_ids.counter_id",
        "task_id.user_id",
        "task_id.recount_task_ids.user_id",
        "line_ids.count_history_ids.counter_id",
    )
    def _compute_counter_ids(self):
        for adjustment in self:
            adjustment.counter_ids = adjustment._get_counters()

    def _compute_hide_reviews(self):
        # Keep the approval trail visible after approval and application.
        for adjustment in self:
            adjustment.hide_reviews = (
                not adjustment.review_ids and adjustment.state not in self._state_from
            )

    @api.model
    def _get_tier_validation_protected_fields(self):
        """The report's approval state: its reviews and what tier validation
        computes from them. Only the approval flow changes them (as the system);
        nobody writes them through the report (one2many commands on the reviews
        included). Extend with super()."""
        return (
            set(self.env["tier.validation"]._fields)
            - set(models.MAGIC_COLUMNS)
            - {"display_name"}
        ) | {"accepted_within_tolerance", "recount_task_id"}

    def _compute_need_validation(self):
        res = super()._compute_need_validation()
        # Accepted within tolerance: the system approves, no tier is asked.
        for adjustment in self.filtered("accepted_within_tolerance"):
            adjustment.need_validation = False
        return res

    def _check_tier_validation_fields(self, fields_written):
        protected = set(fields_written) & self._get_tier_validation_protected_fields()
        if protected and not self.env.su:
            raise AccessError(
                self.env._(
                    "The approval of a variance report (%(fields)s) is changed only "
                    "by approving, rejecting or restarting it.",
                    fields=", ".join(sorted(protected)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_tier_validation_fields(vals)
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "cycle.count.adjustment"
                ) or self.env._("New")
        return super().create(vals_list)

    def write(self, vals):
        self._check_tier_validation_fields(vals)
        return super().write(vals)

    def unlink(self):
        # base_tier_validation deletes the reviews first, which only the approval
        # flow may: once the user's right to delete the reports is checked.
        self.check_access("unlink")
        self._unlink_except_approved()
        self._approval_flow().review_ids.unlink()
        return super().unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approved(self):
        if any(adj.state in ("approved", "posted") for adj in self):
            raise UserError(
                self.env._(
                    "An approved variance report cannot be deleted, nor one "
                    "applied to stock."
                )
            )

    # ------------------------------------------------------------------
    # Who may approve
    # ------------------------------------------------------------------
    def _get_counters(self):
        """Everybody who counted or recounted for this report, and the counters
        of its task and of its recounts."""
        self.ensure_one()
        # Reviewers read the counts through the report; the lines' counters are
        # read whatever the rights of who asks (a reviewer's list, a review's
        # computed reviewers).
        task = self.task_id.sudo()
        recounts = task.recount_task_ids
        return (
            task.line_ids.counter_id
            | task.user_id
            | recounts.line_ids.counter_id
            | recounts.user_id
            | self.sudo().line_ids.count_history_ids.counter_id
        )

    def _get_review_refusal(self, user, review=None):
        """Why ``user`` may not decide on this report (on its ``review``, when one
        is being decided), or False: the one definition of who may approve,
        called by every place that lets somebody approve or reject.

        - Who counted never approves their own count.
        - One person, one tier: whoever approved a tier of this report decides
          no other, so a report that needs two tiers needs two people.
        """
        self.ensure_one()
        if user in self._get_counters():
            return self.env._(
                "You counted task %(task)s: somebody else must approve or reject "
                "its variances.",
                task=self.task_id.name,
            )
        decided = self.review_ids.filtered(
            lambda other: other.status == "approved" and other.done_by == user
        )
        if decided - (review or self.env["tier.review"]):
            return self.env._(
                "You already approved another tier of %(report)s: each tier needs "
                "its own approver.",
                report=self.name,
            )
        return False

    def _check_user_may_review(self, user, review=None):
        for adjustment in self:
            refusal = adjustment._get_review_refusal(user, review)
            if refusal:
                raise AccessError(refusal)

    # ------------------------------------------------------------------
    # The approval flow: the one writer of the reviews
    # ------------------------------------------------------------------
    def _approval_flow(self):
        """The report as the approval flow writes its reviews: as the system.
        The record rules refuse every change of a variance report's review to
        every user (the reviews are the approval's proof: status, who decided,
        when, the comment, the tier), so the validate, reject and restart actions
        and the submission write them here, each after checking the user: who
        reviews (_check_can_review, _check_user_may_review) or who restarts
        (RESTART_GROUP). sudo keeps the user: done_by and the messages stay theirs."""
        return self.sudo()

    def _get_reviews_to_decide(self):
        """The reviews the current user decides now (what validate_tier and
        reject_tier give to base_tier_validation)."""
        self.ensure_one()
        sequences = self._get_sequences_to_approve(self.env.user)
        return self.review_ids.filtered(
            lambda review: (
                review.status in ("waiting", "pending")
                and self.env.user in review.reviewer_ids
                and (review.sequence in sequences or review.approve_sequence_bypass)
            )
        )

    @api.model
    def _get_exception_fields(self, extra_domain=None):
        # Tier validation exceptions would let a report's fields change while it
        # is approved; a variance report lists its own (_get_under_validation_
        # exceptions), configured exceptions never apply to it.
        return []

    @api.model
    def _get_under_validation_exceptions(self):
        # Approvers set the reason of a variance while deciding; the variance
        # itself refuses any other change (cycle.count.adjustment.line.write).
        return [*super()._get_under_validation_exceptions(), "line_ids"]

    def _get_sequences_to_approve(self, user):
        sequences = super()._get_sequences_to_approve(user)
        if sequences and self._get_review_refusal(user):
            return []
        if sequences:
            # A delegate decides only while the delegation is in force (the
            # stored reviewers are refreshed hourly: the window is checked now).
            open_reviews = self.review_ids.filtered(
                lambda review: (
                    review.status in ("waiting", "pending")
                    and review.sequence in sequences
                )
            )
            sequences = [
                sequence
                for sequence in sequences
                if any(
                    not self._get_delegation_refusal(user, review)
                    for review in open_reviews
                    if review.sequence == sequence
                )
            ]
        return sequences

    def _get_delegation_refusal(self, user, review):
        """Why ``user`` may not decide ``review`` for one of its reviewers (or
        False): they are one of the tier's own reviewers, or the delegate of one
        by a delegation in force today in the report's company."""
        self.ensure_one()
        review = review.sudo()
        reviewers = review._get_cycle_count_base_reviewers()
        if user in reviewers or user in review._get_cycle_count_delegates(reviewers):
            return False
        return self.env._(
            "You decide %(tier)s of %(report)s for nobody today: a delegation lets "
            "you decide a reviewer's reports only from its first to its last day.",
            tier=review.name,
            report=self.name,
        )

    def _check_user_may_decide(self, user, tiers=False):
        """Every review ``user`` is about to decide on this report is theirs to
        decide (own tier or delegation in force; counters and one-tier rules)."""
        self.ensure_one()
        reviews = (tiers or self.review_ids).filtered(
            lambda review: (
                review.status in ("waiting", "pending") and user in review.reviewer_ids
            )
        )
        for review in reviews:
            refusal = self._get_review_refusal(
                user, review
            ) or self._get_delegation_refusal(user, review)
            if refusal:
                raise AccessError(refusal)

    def _check_can_review(self):
        for adjustment in self:
            if adjustment.can_review:
                continue
            refusal = adjustment._get_review_refusal(self.env.user)
            message = self.env._(
                "Nothing on %(adjustment)s waits for your approval. %(why)s",
                adjustment=adjustment.name,
                why=refusal or adjustment.next_review or "",
            )
            raise AccessError(message) if refusal else UserError(message)

    def validate_tier(self):
        self._check_can_review()
        return super(CycleCountAdjustment, self._approval_flow()).validate_tier()

    def reject_tier(self):
        self._check_can_review()
        self.ensure_one()
        # A rejection sends the task back to its counter, who must read why:
        # always OCA's comment wizard, whether or not the tier asks for comments.
        sequences = self._get_sequences_to_approve(self.env.user)
        action = self._add_comment(
            "reject", self.review_ids.filtered(lambda r: r.sequence in sequences)
        )
        view = self.env.ref(
            "cycle_count_approval.cycle_count_adjustment_reject_view_form"
        )
        action.update(
            name=self.env._("Reject %(report)s", report=self.display_name),
            views=[(view.id, "form")],
            view_id=view.id,
        )
        return action

    def _validate_tier(self, tiers=False):
        self._check_user_may_review(self.env.user)
        self._check_user_may_decide(self.env.user, tiers)
        self._check_reasons_given()
        flow = self._approval_flow()._with_decided_reviews("approved")
        res = super(CycleCountAdjustment, flow)._validate_tier(tiers and tiers.sudo())
        if self.validation_status == "validated" and self.state == "to_approve":
            self._action_approve()
        self._sync_review_activities()
        return res

    def _rejected_tier(self, tiers=False):
        self._check_user_may_review(self.env.user)
        self._check_user_may_decide(self.env.user, tiers)
        self._check_reject_comment(tiers)
        flow = self._approval_flow()._with_decided_reviews("rejected")
        res = super(CycleCountAdjustment, flow)._rejected_tier(tiers and tiers.sudo())
        if self.validation_status == "rejected" and self.state == "to_approve":
            self._action_reject()
        self._sync_review_activities()
        return res

    def _update_counter(self, review_counter):
        # Recomputing which review can be decided writes their status.
        res = super(CycleCountAdjustment, self._approval_flow())._update_counter(
            review_counter
        )
        self._sync_review_activities()
        return res

    # ------------------------------------------------------------------
    # No forward: a reviewer away delegates (cycle.count.approval.delegation)
    # ------------------------------------------------------------------
    def _compute_can_forward(self):
        # OCA's forward creates a review for anybody the reviewer names, outside
        # the separation of duties: never offered on a variance report.
        self.can_forward = False

    def _raise_no_forward(self):
        raise UserError(
            self.env._(
                "A variance report's review is not forwarded: a reviewer who is "
                "away delegates their reviews (Approval Delegations), and the "
                "delegate decides under the same rules."
            )
        )

    def forward_tier(self):
        self._raise_no_forward()

    def _forward_tier(self, tiers=False):
        self._raise_no_forward()

    # ------------------------------------------------------------------
    # Inbox: an activity for the reviewers whose turn it is, nobody else
    # ------------------------------------------------------------------
    def _get_reviews_in_turn(self):
        """The open reviews whose turn it is (approve_sequence order), of the
        reports waiting for approval."""
        turn = self.env["tier.review"]
        for adjustment in self:
            if adjustment.state != "to_approve":
                continue
            open_reviews = adjustment.review_ids.filtered(
                lambda review: review.status in ("waiting", "pending")
            )
            if not open_reviews or any(
                review.status == "rejected" for review in adjustment.review_ids
            ):
                continue
            first = min(open_reviews.mapped("sequence"))
            turn |= open_reviews.filtered(
                lambda review, first=first: (
                    not review.approve_sequence or review.sequence == first
                )
            )
        return turn

    def _get_review_deciders(self, review):
        """Who is asked to decide ``review`` of this report now: the tier's
        reviewers of the report's company and their delegates in force, but for
        who may not decide it (counters, one tier each)."""
        self.ensure_one()
        reviewers = review._get_cycle_count_base_reviewers()
        users = reviewers | review._get_cycle_count_delegates(reviewers)
        return users.filtered(
            lambda user: (
                not user.share
                and self.company_id in user.company_ids
                and not self._get_review_refusal(user, review)
            )
        )

    def _sync_review_activities(self):
        """Bring the approval's activities in line with whose turn it is: the
        reviewers of the tier in turn get one (with the tier's deadline),
        nobody else; once the tier is decided, the decider's is done and the
        others' cancelled. Also stamps when a tier's turn came. Idempotent:
        called after each request, decision and delegation change."""
        flow = self._approval_flow()
        if not flow:
            return
        now = fields.Datetime.now()
        turn = flow._get_reviews_in_turn()
        # When the turn came, and the deadline from it (one write per tier
        # deadline).
        new_turn = turn.filtered(lambda review: not review.cycle_count_turn_date)
        for hours in set(new_turn.mapped("definition_id.cycle_count_deadline_hours")):
            new_turn.filtered(
                lambda review, hours=hours: (
                    review.definition_id.cycle_count_deadline_hours == hours
                )
            ).write(
                {
                    "cycle_count_turn_date": now,
                    "cycle_count_deadline": hours and now + timedelta(hours=hours),
                }
            )
        wanted = {}
        for review in turn:
            adjustment = flow.browse(review.res_id)
            for user in adjustment._get_review_deciders(review):
                wanted[(review.id, user.id)] = review
        Activity = self.env["mail.activity"].sudo()
        activities = Activity.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("cycle_count_review_id", "!=", False),
            ]
        )
        to_done = to_cancel = Activity
        for activity in activities:
            review = activity.cycle_count_review_id
            key = (review.id, activity.user_id.id)
            if review in turn and (activity.cycle_count_escalation or key in wanted):
                wanted.pop(key, None)
                continue
            if review.status in ("approved", "rejected") and (
                review.done_by == activity.user_id
            ):
                to_done |= activity
            else:
                to_cancel |= activity
        if to_done:
            to_done.action_feedback(
                feedback=self.env._("Decided in the variance report's approval.")
            )
        # Cancelled: the tier was decided by somebody else, the report rejected
        # or the delegation changed.
        to_cancel.unlink()
        if wanted:
            Activity.create(
                [
                    flow._prepare_review_activity_vals(review, user_id)
                    for (__, user_id), review in wanted.items()
                ]
            )

    def _prepare_review_activity_vals(self, review, user_id, escalation=False):
        report = self.browse(review.res_id)
        deadline = review.cycle_count_deadline or fields.Datetime.now()
        if escalation:
            summary = self.env._("Escalated: %(tier)s is late", tier=review.name)
            note = self.env._(
                "%(report)s waits for %(tier)s since %(since)s, past its deadline. "
                "See that it is decided.",
                report=report.name,
                tier=review.name,
                since=fields.Datetime.to_string(review.cycle_count_turn_date),
            )
        else:
            summary = self.env._("Approve variances: %(tier)s", tier=review.name)
            note = self.env._(
                "It is your turn to approve or reject %(report)s (%(tier)s).",
                report=report.name,
                tier=review.name,
            )
        return {
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": report.id,
            "activity_type_id": self.env.ref(REVIEW_ACTIVITY_TYPE).id,
            "user_id": user_id,
            "date_deadline": deadline.date(),
            "summary": summary,
            "note": note,
            "cycle_count_review_id": review.id,
            "cycle_count_escalation": escalation,
        }

    # ------------------------------------------------------------------
    # Deadlines: hourly, escalate each review past its deadline once
    # ------------------------------------------------------------------
    @api.model
    def _cron_review_deadlines(self):
        """Hourly: give the reviews to whom delegations in force say (windows
        open and close by the day), then escalate the late ones."""
        reviews = (
            self.env["tier.review"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("status", "in", ("waiting", "pending")),
                ]
            )
        )
        reviews._refresh_after_delegation()
        self._escalate_late_reviews()

    @api.model
    def _escalate_late_reviews(self):
        """Every review in turn past its deadline and not escalated yet: an
        activity for its tier's escalation user (else the company's cycle count
        managers), a note on the report, and the review marked escalated."""
        now = fields.Datetime.now()
        # The escalation is the approval's own work (the cron, as the system).
        late = (
            self.env["tier.review"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("status", "in", ("waiting", "pending")),
                    ("cycle_count_deadline", "<", now),
                    ("cycle_count_escalated_date", "=", False),
                ]
            )
        )
        adjustments = self.sudo().browse(set(late.mapped("res_id"))).exists()
        late &= adjustments._get_reviews_in_turn()
        if not late:
            return late
        managers = self.env.ref(ESCALATION_GROUP).users.filtered(
            lambda user: not user.share
        )
        vals_list, bodies = [], {}
        for review in late:
            adjustment = adjustments.browse(review.res_id)
            users = review.definition_id.cycle_count_escalation_user_id or (
                managers.filtered(
                    lambda user, company=adjustment.company_id: (
                        company in user.company_ids
                    )
                )
            )
            vals_list += [
                adjustment._prepare_review_activity_vals(review, user.id, True)
                for user in users
            ]
            line = self.env._(
                "%(tier)s is past its deadline (%(deadline)s): escalated to %(users)s.",
                tier=review.name,
                deadline=fields.Datetime.to_string(review.cycle_count_deadline),
                users=", ".join(users.mapped("name")) or self.env._("nobody"),
            )
            bodies[adjustment.id] = (
                f"{bodies[adjustment.id]} {line}" if adjustment.id in bodies else line
            )
        late.write({"cycle_count_escalated_date": now})
        self.env["mail.activity"].sudo().create(vals_list)
        adjustments.browse(list(bodies))._message_log_batch(bodies=bodies)
        return late

    def _get_missing_reason_refusal(self):
        """Why the report cannot be approved yet: a variance worth more than the
        company's threshold (Settings) has no reason. False when none."""
        messages = []
        for adjustment in self:
            threshold = adjustment.company_id.cycle_count_reason_required_above
            if not threshold:
                continue
            missing = adjustment.line_ids.filtered(
                lambda line, limit=threshold: (
                    abs(line.variance_value) > limit and not line.reason_id
                )
            )
            if missing:
                messages.append(
                    self.env._(
                        "%(report)s: give a reason to every variance worth more "
                        "than %(amount)s before approving (%(items)s).",
                        report=adjustment.name,
                        amount=threshold,
                        items=", ".join(missing.product_id.mapped("display_name")),
                    )
                )
        return "\n".join(messages) or False

    def _check_reasons_given(self):
        refusal = self._get_missing_reason_refusal()
        if refusal:
            raise UserError(refusal)

    def _check_reject_comment(self, tiers=False):
        """Every review rejected here carries the reviewer's comment: it reaches
        the counter as the reason of the recount."""
        reviews = (tiers or self.review_ids).filtered(
            lambda r: (
                r.status in ("waiting", "pending") and self.env.user in r.reviewer_ids
            )
        )
        if any(not (review.comment or "").strip() for review in reviews):
            raise UserError(
                self.env._(
                    "Say why you reject %(report)s: your comment is what the counter "
                    "reads before counting again.",
                    report=self.display_name,
                )
            )

    # ------------------------------------------------------------------
    # The approval policy: which tiers a report needs
    # ------------------------------------------------------------------
    def evaluate_tier(self, tier):
        """base_tier_validation's hook for whether ``tier`` applies: its tier
        domain and, for a variance report, the policy's conditions (value band,
        direction, warehouses, categories: tier.definition.
        _get_cycle_count_policy_domain). In memory, so that the policy simulator
        asks it of a report that is not saved."""
        matching = super().evaluate_tier(tier)
        domain = tier._get_cycle_count_policy_domain()
        if not domain or not matching:
            return matching
        # Whoever submits the report (its counter, through the task) asks which
        # tiers apply: the report's figures and lines are read as the system.
        return matching.sudo().filtered_domain(domain).with_env(matching.env)

    def _get_policy_tiers(self):
        """The tiers of variance reports of this report's company, in the order
        request_validation asks them (sequence, highest first)."""
        self.ensure_one()
        return (
            self.env["tier.definition"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("company_id", "in", [False, *self._get_company().ids]),
                ],
                order="sequence desc",
            )
        )

    def _get_applicable_tiers(self):
        """The tiers this report needs, in the order they review it: the
        reviews request_validation creates (and what the simulator shows)."""
        self.ensure_one()
        return self._get_policy_tiers().filtered(lambda tier: self.evaluate_tier(tier))

    # ------------------------------------------------------------------
    # The policy's server actions (base_tier_validation_server_action): run as
    # the system once a tier is approved or rejected
    # ------------------------------------------------------------------
    def _server_action_tier(self, reviews, status):
        # OCA runs the action of every review of that status each time a tier
        # is decided: a tier's action runs once, when that tier is decided.
        decided_before = self.env.context.get("cycle_count_decided_review_ids") or []
        return super()._server_action_tier(
            reviews.filtered(lambda review: review.id not in decided_before), status
        )

    def _with_decided_reviews(self, status):
        """The report as the flow decides it, knowing which reviews were already
        decided (their actions ran then)."""
        return self.with_context(
            cycle_count_decided_review_ids=self.review_ids.filtered(
                lambda review: review.status == status
            ).ids
        )

    def _get_rejection_comments(self):
        """The rejected reviews' comments, each with who rejected it."""
        self.ensure_one()
        return [
            self.env._(
                "%(reviewer)s: %(comment)s",
                reviewer=review.done_by.name or "",
                comment=review.comment,
            )
            for review in self.review_ids.filtered(
                lambda r: r.status == "rejected" and r.comment
            )
        ]

    def action_notify_counter_of_rejection(self):
        """The shipped server action *tell the counter on rejection*: a to-do on
        the task for its counter, with the reviewers' comments (the counter
        reads tasks, never the report). Only the policy calls it, as the system."""
        self._check_policy_action()
        for adjustment in self.filtered(lambda adj: adj.task_id.user_id):
            comments = "\n".join(adjustment._get_rejection_comments())
            adjustment.task_id.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=adjustment.task_id.user_id.id,
                summary=self.env._(
                    "Recount: %(report)s was rejected", report=adjustment.name
                ),
                note=comments,
            )
        return True

    def action_request_recount(self):
        """The shipped server action *open a recount*: the rejected report's
        items go back to counting, with the reviewers' comments, the way a
        rejection sends them back (_action_reject), at once, from the policy.
        Only the policy calls it, as the system, on a rejected tier."""
        self._check_policy_action()
        rejected = self.filtered(
            lambda adj: (
                adj.state == "to_approve" and adj.validation_status == "rejected"
            )
        )
        rejected._action_reject()
        for adjustment in rejected:
            adjustment.message_post(
                body=self.env._(
                    "The approval policy opened a recount of task %(task)s.",
                    task=adjustment.task_id.name,
                )
            )
        return True

    def _check_policy_action(self):
        # A server action of a tier runs as the system; anybody else would send
        # a report back without a review or write to the counter in its name.
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Only the approval policy runs this action, on a tier's "
                    "decision: reject the report to have it recounted."
                )
            )

    # Decisions given without the buttons (the phone's API, the workbench)
    # ------------------------------------------------------------------
    def _get_decision_refusal(self, approve, comment=None):
        """Why the current user may not approve (``approve``) or reject this
        report now, or False: the same checks as the buttons (the user's turn,
        separation of duties, the required comment and reasons), before
        anything is written."""
        self.ensure_one()
        if self.state != "to_approve":
            return self.env._(
                "%(report)s is already decided (%(state)s).",
                report=self.name,
                state=dict(self._fields["state"]._description_selection(self.env)).get(
                    self.state
                ),
            )
        refusal = self._get_review_refusal(self.env.user)
        if refusal:
            return refusal
        if not self.can_review:
            return self.env._(
                "Nothing on %(adjustment)s waits for your approval. %(why)s",
                adjustment=self.name,
                why=self.next_review or "",
            )
        if not approve and not (comment or "").strip():
            return self.env._(
                "Say why you reject %(report)s: your comment is what the counter "
                "reads before counting again.",
                report=self.name,
            )
        if approve:
            return self._get_missing_reason_refusal()
        return False

    def _decide(self, approve, comment=None):
        """Approve or reject as the current user, through the report's own
        validate_tier / reject_tier and OCA's comment wizard (the one path of
        the buttons): a refusal raises and nothing is written."""
        self.ensure_one()
        comment = (comment or "").strip()
        refusal = self._get_decision_refusal(approve, comment)
        if refusal:
            # Separation of duties refuses the person (access); the rest is
            # the report's state or the user's turn.
            duties = self.state == "to_approve" and self._get_review_refusal(
                self.env.user
            )
            raise AccessError(refusal) if duties else UserError(refusal)
        action = self.validate_tier() if approve else self.reject_tier()
        if isinstance(action, dict) and action.get("res_model") == "comment.wizard":
            context = action["context"]
            wizard = self.env["comment.wizard"].create(
                {
                    "res_model": context["default_res_model"],
                    "res_id": context["default_res_id"],
                    "review_ids": [Command.set(context["default_review_ids"])],
                    "validate_reject": context["default_validate_reject"],
                    "comment": comment or context.get("default_comment") or "-",
                }
            )
            wizard.add_comment()
        return True

    # ------------------------------------------------------------------
    # Documents: the PDF is a QWeb report; the spreadsheet is built here
    # ------------------------------------------------------------------
    def action_export_xlsx(self):
        """Download the reports as one spreadsheet, one sheet per report."""
        self.check_access("read")
        return {
            "type": "ir.actions.act_url",
            "url": "/cycle_count_approval/variance_reports.xlsx?ids="
            + ",".join(str(record_id) for record_id in self.ids),
            "target": "download",
        }

    def _get_xlsx_columns(self):
        """(title, line → value, kind) of the spreadsheet's columns."""
        columns = [
            (self.env._("Code"), lambda line: line.default_code or "", "text"),
            (
                self.env._("Product"),
                lambda line: (
                    line.product_id.with_context(
                        display_default_code=False
                    ).display_name
                ),
                "text",
            ),
            (
                self.env._("Location"),
                lambda line: line.location_id.display_name,
                "text",
            ),
            (self.env._("Lot"), lambda line: line.lot_id.name or "", "text"),
            (self.env._("Book"), lambda line: line.book_qty, "qty"),
            (self.env._("Counted"), lambda line: line.counted_qty, "qty"),
            (self.env._("Difference"), lambda line: line.difference_qty, "qty"),
            (self.env._("Unit Cost"), lambda line: line.unit_cost, "money"),
            (self.env._("Value"), lambda line: line.variance_value, "money"),
            (
                self.env._("Reason"),
                lambda line: line.reason_id.display_name or "",
                "text",
            ),
            (self.env._("Counted By"), lambda line: line.counter_id.name or "", "text"),
        ]
        if any(line._get_recount_count() is not None for line in self.line_ids):
            columns.append(
                (
                    self.env._("Recounts"),
                    lambda line: line._get_recount_count() or 0,
                    "int",
                )
            )
        return columns

    def _get_xlsx_content(self):
        """The reports as an XLSX file (bytes): per report a sheet with its
        variances (frozen header, number formats, a totals row) and its
        approvals with their dates."""
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = book.add_format({"bold": True})
        header = book.add_format(
            {"bold": True, "bg_color": "#E9ECEF", "border": 1, "text_wrap": True}
        )
        formats = {
            "text": None,
            "int": book.add_format({"num_format": "0"}),
            "qty": book.add_format({"num_format": "#,##0.###"}),
            "money": book.add_format({"num_format": "#,##0.00"}),
        }
        total_money = book.add_format({"num_format": "#,##0.00", "bold": True})
        date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        used = set()
        for adjustment in self:
            name = "".join(c for c in adjustment.name if c not in "[]:*?/\\")[:31]
            while name in used:
                name = f"{name[:28]}~{len(used)}"
            used.add(name)
            sheet = book.add_worksheet(name)
            columns = adjustment._get_xlsx_columns()
            sheet.write(0, 0, self.env._("Variance Report"), bold)
            sheet.write(0, 1, adjustment.name, bold)
            sheet.write(1, 0, self.env._("Warehouse"))
            sheet.write(1, 1, adjustment.warehouse_id.name or "")
            top = 3
            for col, (title, _getter, kind) in enumerate(columns):
                sheet.write(top, col, title, header)
                sheet.set_column(col, col, 12 if kind != "text" else 24)
            sheet.freeze_panes(top + 1, 0)
            row = top
            for line in adjustment.line_ids:
                row += 1
                for col, (_title, getter, kind) in enumerate(columns):
                    sheet.write(row, col, getter(line), formats[kind])
            row += 1
            sheet.write(row, 0, self.env._("Total"), bold)
            value_col = next(
                i for i, c in enumerate(columns) if c[0] == self.env._("Value")
            )
            sheet.write(row, value_col, adjustment.net_value, total_money)
            row += 2
            sheet.write(row, 0, self.env._("Approvals"), bold)
            for col, title in enumerate(
                (
                    self.env._("Tier"),
                    self.env._("Status"),
                    self.env._("Decided By"),
                    self.env._("Decided On"),
                    self.env._("Comment"),
                )
            ):
                sheet.write(row + 1, col, title, header)
            row += 1
            statuses = dict(
                self.env["tier.review"]
                ._fields["status"]
                ._description_selection(self.env)
            )
            for review in adjustment.review_ids.sorted("sequence"):
                row += 1
                sheet.write(row, 0, review.name or "")
                sheet.write(row, 1, statuses.get(review.status, review.status))
                sheet.write(row, 2, review.done_by.name or "")
                if review.reviewed_date:
                    sheet.write_datetime(row, 3, review.reviewed_date, date_format)
                sheet.write(row, 4, review.comment or "")
        book.close()
        return output.getvalue()

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _submit(self):
        """Send for approval; with no tier that applies, the policy asks for none.

        Before: the variances within their tolerance are accepted (a report of
        their own, approved by the system and applied); the items outside their
        recount threshold are counted again by another counter (the report waits
        in *being recounted*). What is left goes to the tiers, whose value is
        then exactly what the report applies."""
        # The system's work: the report's lines and states are frozen to users.
        reports = self.sudo()
        reports._record_first_counts()
        reports.line_ids._check_tolerances()
        pending = reports._accept_within_tolerance()
        pending = pending._send_outside_threshold_to_recount()
        pending.write({"state": "to_approve"})
        pending._request_reviews()

    # ------------------------------------------------------------------
    # Tolerances
    # ------------------------------------------------------------------
    def _record_first_counts(self):
        """The first row of each variance's count history: the count reported."""
        lines = self.line_ids.filtered(lambda line: not line.count_history_ids)
        Count = self.env["cycle.count.adjustment.count"].sudo()
        Count.create(
            [
                {**Count._prepare_vals(line, line.count_line_id, 0), "is_final": True}
                for line in lines
            ]
        )

    def _accept_within_tolerance(self):
        """Accept the variances within their tolerance without approval. A report
        of only such variances is approved by the system; a mixed report gives
        them to a report of their own (same task), approved by the system and
        applied, so that each report's approved value is the value it posts.
        Return the reports still to decide (those with variances outside)."""
        accepted = self.browse()
        mixed = self.filtered(
            lambda adj: (
                adj.line_ids.filtered("within_tolerance")
                and not all(adj.line_ids.mapped("within_tolerance"))
            )
        )
        whole = self.filtered(
            lambda adj: adj.line_ids and all(adj.line_ids.mapped("within_tolerance"))
        )
        if mixed:
            splits = self.create(
                [
                    {"task_id": adj.task_id.id, "company_id": adj.company_id.id}
                    for adj in mixed
                ]
            )
            for adjustment, split in zip(mixed, splits, strict=True):
                adjustment.line_ids.filtered("within_tolerance").adjustment_id = split
                adjustment.message_post(
                    body=self.env._(
                        "%(count)s variance(s) within tolerance were accepted "
                        "without approval: %(split)s.",
                        count=split.line_count,
                        split=split.name,
                    )
                )
                split.message_post(
                    body=self.env._(
                        "Split from %(report)s: these variances are within their "
                        "tolerance.",
                        report=adjustment.name,
                    )
                )
            accepted |= splits
        accepted |= whole
        accepted.write({"accepted_within_tolerance": True})
        for adjustment in accepted:
            adjustment.message_post(
                body=self.env._(
                    "Every variance is within its tolerance: approved by the "
                    "system.<br/>%(lines)s",
                    lines=", ".join(
                        f"{line.product_id.display_name}: {line.tolerance_note}"
                        for line in adjustment.line_ids
                    ),
                )
            )
        accepted._action_approve()
        return self - whole

    # ------------------------------------------------------------------
    # The recount loop
    # ------------------------------------------------------------------
    def _send_outside_threshold_to_recount(self):
        """Send the items that need a recount (``_needs_recount``) to be counted
        again; return the reports that go on to approval now."""
        to_recount = {
            adjustment: lines
            for adjustment in self
            if (
                lines := adjustment.line_ids.filtered(
                    lambda line: line._needs_recount()
                )
            )
        }
        if not to_recount:
            return self
        reason = self.env._(
            "Count these items again, carefully: a second count by another "
            "counter is asked for."
        )
        waiting = self._create_recounts(
            {adjustment: (lines, reason) for adjustment, lines in to_recount.items()}
        )
        return self - waiting

    def _create_recounts(self, requests):
        """``requests``: {report: (variance lines, reason)}. Create one recount
        task per report, of just those items, for today, assigned to a counter
        who counted none of them (the least loaded of the warehouse's); put the
        report in *being recounted*. A report with no such counter goes on to
        the supervisor with a note. Return the reports now being recounted."""
        adjustments = self.browse([adjustment.id for adjustment in requests])
        counters = adjustments._pick_recounters()
        today = fields.Date.context_today(self)
        vals_list, waiting = [], self.browse()
        for adjustment, (lines, reason) in requests.items():
            counter = counters.get(adjustment.id)
            if not counter:
                lines.needs_supervisor = True
                adjustment.message_post(
                    body=self.env._(
                        "No counter who has not counted these items is available "
                        "for a recount of %(items)s: the supervisor decides.",
                        items=", ".join(lines.product_id.mapped("display_name")),
                    )
                )
                continue
            waiting |= adjustment
            # The recount replaces the pending count of each item: never two
            # open counts of one item.
            last_counts = lines.mapped(
                lambda line: (
                    line.count_history_ids.sorted("sequence")[-1:].count_line_id
                )
            )
            last_counts.is_superseded = True
            lines.needs_supervisor = False
            vals_list.append(
                {
                    "company_id": adjustment.company_id.id,
                    "warehouse_id": adjustment.warehouse_id.id,
                    "scheduled_date": today,
                    "user_id": counter.id,
                    "is_recount": True,
                    "recount_reason": reason,
                    "recount_of_id": adjustment.task_id.id,
                    "line_ids": [
                        Command.create(
                            {
                                "location_id": count.location_id.id,
                                "product_id": count.product_id.id,
                                "lot_id": count.lot_id.id,
                                "package_id": count.package_id.id,
                                "owner_id": count.owner_id.id,
                                "recount_of_id": count.id,
                            }
                        )
                        for count in last_counts
                    ],
                }
            )
        tasks = self.env["cycle.count.task"].sudo().create(vals_list)
        for adjustment, task in zip(waiting, tasks, strict=True):
            adjustment.write({"state": "recount", "recount_task_id": task.id})
            adjustment.message_post(
                body=self.env._(
                    "Sent to recount: %(task)s, %(count)s item(s), counted by "
                    "%(counter)s.",
                    task=task.name,
                    count=len(task.line_ids),
                    counter=task.user_id.name,
                )
            )
        return waiting

    def _pick_recounters(self):
        """{report id: the counter for its recount}: among the warehouse's
        counters (its counting capacity's, else every counter of the company),
        never one who counted or recounted for the report, the one with the
        fewest open tasks (then the first by id); none: no entry."""
        capacities = (
            self.env["cycle.count.capacity"]
            .sudo()
            .search([("warehouse_id", "in", self.warehouse_id.ids)])
        )
        by_warehouse = {cap.warehouse_id.id: cap.user_ids for cap in capacities}
        # Without a capacity, the company's counters who are not reviewers.
        reviewers = [
            self.env.ref(xmlid).id
            for xmlid in self.env["cycle.count.line"]._get_reviewer_groups()
        ]
        everyone = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    *counter_domain(self),
                    ("groups_id", "not in", reviewers),
                    ("company_ids", "in", self.company_id.ids),
                ]
            )
        )
        load = defaultdict(int)
        for user, count in (
            self.env["cycle.count.task"]
            .sudo()
            ._read_group(
                [
                    ("user_id", "in", (everyone | capacities.user_ids).ids),
                    ("state", "in", COUNTING_STATES),
                ],
                ["user_id"],
                ["__count"],
            )
        ):
            load[user.id] = count
        result = {}
        for adjustment in self:
            pool = by_warehouse.get(adjustment.warehouse_id.id) or everyone
            pool = (
                pool.filtered(
                    lambda user, adj=adjustment: adj.company_id in user.company_ids
                )
                - adjustment._get_counters()
            )
            if not pool:
                continue
            counter = min(pool, key=lambda user: (load[user.id], user.id))
            load[counter.id] += 1
            result[adjustment.id] = counter
        return result

    def _on_recount_counted(self):
        """The recount of these reports was counted: each recount joins its
        item's history, the tie-break rule gives the figure reported, and the
        report is submitted again (tolerance re-checked, another recount while
        the rule and the maximum allow, else approval)."""
        reports = self.sudo()
        Count = self.env["cycle.count.adjustment.count"].sudo()
        vals_list, lines = [], reports.line_ids.browse()
        for adjustment in reports:
            by_count = {
                line.count_history_ids.sorted("sequence")[-1:].count_line_id.id: line
                for line in adjustment.line_ids
            }
            for recount in adjustment.recount_task_id.line_ids:
                line = by_count.get(recount.recount_of_id.id)
                if not line:
                    continue
                vals_list.append(
                    Count._prepare_vals(line, recount, line.recount_count + 1)
                )
                line.recount_count += 1
                lines |= line
        Count.create(vals_list)
        lines._apply_tie_break()
        for adjustment in reports:
            task = adjustment.recount_task_id
            adjustment.message_post(
                body=self.env._(
                    "Recount %(task)s counted by %(counter)s.",
                    task=task.name,
                    counter=task.user_id.name,
                )
            )
            undecided = adjustment.line_ids.filtered("needs_supervisor")
            if undecided:
                adjustment.message_post(
                    body=self.env._(
                        "The counts of %(items)s do not settle the figure: the "
                        "latest count is reported, the supervisor decides (Counts "
                        "tab of the variance).",
                        items=", ".join(undecided.product_id.mapped("display_name")),
                    )
                )
        reports.write({"recount_task_id": False})
        reports._submit()

    def _is_before_first_decision(self):
        """Waiting for approval and no tier decided yet: the supervisor may
        still change which items or counts the report carries."""
        self.ensure_one()
        return self.state == "to_approve" and not self.review_ids.filtered(
            lambda review: review.status in ("approved", "rejected")
        )

    def _check_may_send_to_recount(self, lines):
        """A supervisor who may review the report sends its variances to recount,
        before any tier decided."""
        self.ensure_one()
        if not self.env.user.has_group(
            "cycle_count_planning.group_cycle_count_supervisor"
        ):
            raise AccessError(
                self.env._("Only a supervisor can send variances to recount.")
            )
        self._check_user_may_review(self.env.user)
        if not self._is_before_first_decision():
            raise UserError(
                self.env._(
                    "Only a report waiting for its first decision can be sent to "
                    "recount (%(report)s).",
                    report=self.name,
                )
            )
        if lines - self.line_ids:
            raise UserError(
                self.env._("These variances are not of %(report)s.", report=self.name)
            )

    def _send_to_recount(self, lines, comment):
        """The supervisor's recount of ``lines``: the approval asked so far is
        dropped (the figures will change), the comment reaches the counter."""
        self.ensure_one()
        self._check_may_send_to_recount(lines)
        if not (comment or "").strip():
            raise UserError(
                self.env._(
                    "Say why these items must be counted again: the counter reads "
                    "your comment."
                )
            )
        flow = self._approval_flow()
        flow._drop_reviews()
        waiting = flow._create_recounts({flow: (lines.sudo(), comment.strip())})
        if not waiting:
            raise UserError(
                self.env._(
                    "No counter who has not counted these items is available for "
                    "a recount: decide on the counts as they are."
                )
            )
        flow.message_post(
            body=self.env._(
                "%(user)s sent %(count)s variance(s) to recount: %(comment)s",
                user=self.env.user.name,
                count=len(lines),
                comment=comment.strip(),
            )
        )
        return True

    def _drop_reviews(self):
        """The approval flow forgets the reviews asked so far (the figures change
        before any tier decided), as OCA's restart does."""
        return super(CycleCountAdjustment, self._approval_flow()).restart_validation()

    def _request_reviews(self):
        for adjustment in self:
            # need_validation has no dependencies: never trust a cached value.
            adjustment.invalidate_recordset(["need_validation"])
            if adjustment.request_validation():
                continue
            adjustment.message_post(
                body=self.env._(
                    "No approval tier applies to these variances: approved "
                    "automatically."
                )
            )
            adjustment._action_approve()
        self._sync_review_activities()

    def restart_validation(self):
        """Ask every tier again (e.g. after the tiers changed): the decisions given
        so far are dropped, which only a cycle count manager may do."""
        if not self.env.su and not self.env.user.has_group(RESTART_GROUP):
            raise AccessError(
                self.env._(
                    "Only a cycle count manager can restart the approval of a "
                    "variance report."
                )
            )
        self.check_access("write")
        flow = self._approval_flow()
        res = super(CycleCountAdjustment, flow).restart_validation()
        flow.filtered(lambda adj: adj.state == "to_approve")._request_reviews()
        return res

    def _action_approve(self):
        # Refuse before anything is written: a report that cannot be applied to
        # stock is not approved either (the last review stays to be given).
        self._check_can_apply_to_stock()
        # What is approved is what posts: valued again just before; a report
        # whose new value needs other tiers goes back to them instead.
        to_approve = self - self._revalue_before_apply()
        if not to_approve:
            return
        # need_validation is computed without dependencies by base_tier_validation:
        # drop the value cached before the reviews were created.
        to_approve.invalidate_recordset(["need_validation"])
        # The reviews were checked by tier validation; the state change and the
        # stock it corrects are the system's work.
        adjustments = to_approve.sudo()
        adjustments.write({"state": "approved", "date_approved": fields.Datetime.now()})
        # Checked above, in this transaction: not again (a second pass over
        # every line in the approver's click).
        adjustments.with_context(cycle_count_apply_checked=True)._apply_to_stock()

    # ------------------------------------------------------------------
    # Approved value = posted value
    # ------------------------------------------------------------------
    def _revalue_lines(self):
        """Write on the variances the values applying them now will post
        (``_get_posting_values``). Returns ``{report: [(line, old value, new
        value)]}`` of the values that changed."""
        changed = {}
        digits = self.env["decimal.precision"].precision_get("Product Price")
        for adjustment in self:
            lines = adjustment._get_lines_to_apply()
            values = lines._get_posting_values()
            currency = adjustment.currency_id
            for line in lines:
                unit, value = values[line.id]
                if not currency.compare_amounts(value, line.variance_value) and (
                    not float_compare(unit, line.unit_cost, precision_digits=digits)
                ):
                    continue
                changed.setdefault(adjustment, []).append(
                    (line, line.variance_value, value)
                )
                # sudo: a variance's figures are frozen to users; this is the
                # system re-valuing it (one write per line: each its own value).
                line.sudo().write({"unit_cost": unit, "variance_value": value})
        return changed

    def _get_applicable_tier_definitions(self):
        """The tiers this report needs now, as request_validation picks them."""
        self.ensure_one()
        definitions = self.env["tier.definition"].search(
            [
                ("model", "=", self._name),
                ("company_id", "in", [False, *self._get_company().ids]),
            ]
        )
        return definitions.filtered(lambda td: self.evaluate_tier(td))

    def _revalue_before_apply(self):
        """Re-value these reports (being approved) just before stock is
        corrected: a cost change, the FIFO layers consumed meanwhile. Changed
        values are written with a note (old → new); a report whose new total
        needs another set of tiers has its approval restarted to the tiers it
        needs now (every decision given so far is dropped: they approved another
        value) and is returned, not to be applied."""
        changed = self._revalue_lines()
        restarted = self.browse()
        for adjustment, lines in changed.items():
            currency = adjustment.currency_id
            adjustment.message_post(
                body=self.env._(
                    "Re-valued before applying to stock (the cost changed since "
                    "the count): %(changes)s.",
                    changes="; ".join(
                        self.env._(
                            "%(item)s: %(old)s → %(new)s",
                            item=line.count_line_id.display_name,
                            old=formatLang(self.env, old, currency_obj=currency),
                            new=formatLang(self.env, new, currency_obj=currency),
                        )
                        for line, old, new in lines
                    ),
                )
            )
            if (
                adjustment._get_applicable_tier_definitions()
                != adjustment.review_ids.definition_id
            ):
                restarted |= adjustment
        for adjustment in restarted:
            adjustment._approval_flow().restart_validation()
            adjustment.message_post(
                body=self.env._(
                    "The new total %(total)s needs other approval tiers: the "
                    "approval starts again (%(tiers)s).",
                    total=formatLang(
                        self.env,
                        adjustment.abs_variance_total,
                        currency_obj=adjustment.currency_id,
                    ),
                    tiers=adjustment.waiting_for or "-",
                )
            )
        return restarted

    def _action_reject(self):
        # Rejected through tier validation, which checked the reviewer: sending
        # the task back is the system's work (a reviewer may not write tasks).
        adjustments = self.sudo().with_context(skip_validation_check=True)
        adjustments.write({"state": "rejected"})
        for adjustment in adjustments:
            # The reviewers' own words reach the counter (the API, the app).
            comments = adjustment.review_ids.filtered(
                lambda r: r.status == "rejected" and r.comment
            ).mapped("comment")
            adjustment.task_id._reopen_for_recount("\n".join(comments))
        # The rejected items must be counted again before the task can be marked
        # counted: the same figures are not sent back for approval unchanged.
        adjustments.line_ids.count_line_id.write(
            {"is_counted": False, "is_superseded": False}
        )
        for adjustment in adjustments:
            adjustment.task_id.message_post(
                body=self.env._(
                    "Variances of %(adjustment)s were rejected: the task is open "
                    "again for a recount.",
                    adjustment=adjustment.name,
                )
            )

    def action_apply_to_stock(self):
        """Apply an approved report to stock by hand: one approved before its
        approval applied it (since, approval applies at once, or is refused)."""
        if not self.env.user.has_group(APPLY_GROUP):
            raise AccessError(
                self.env._(
                    "Only a finance manager can apply a variance report to stock."
                )
            )
        if any(adjustment.state != "approved" for adjustment in self):
            raise UserError(
                self.env._("Only approved variance reports can be applied to stock.")
            )
        if any(adjustment.is_applying for adjustment in self):
            raise UserError(
                self.env._(
                    "This variance report is already being applied to stock in "
                    "the background."
                )
            )
        self._apply_to_stock()
        return True

    # ------------------------------------------------------------------
    # Stock
    # ------------------------------------------------------------------
    def _check_can_apply_to_stock(self):
        """Hook: refuse, before any stock is touched, what cannot be applied
        (accounting checks its accounts here). Extend with super()."""
        self._check_not_corrected_since_count()
        return True

    def _check_not_corrected_since_count(self):
        """Never apply a difference the stock already reflects: refuse a
        variance whose item had an inventory correction (Odoo's inventory
        adjustment, another count's variance) done after it was counted, in one
        query. The difference was measured against a book the correction
        changed; applying it would correct the item twice (10 → 8 counted
        twice → 6)."""
        lines = self.line_ids
        if not lines:
            return
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT al.id, MIN(ml.date)
              FROM cycle_count_adjustment_line al
              JOIN stock_move_line ml
                ON ml.product_id = al.product_id
               AND ml.state = 'done'
               AND ml.date > al.counted_at
               AND ml.lot_id IS NOT DISTINCT FROM al.lot_id
               AND ml.owner_id IS NOT DISTINCT FROM al.owner_id
               AND ((ml.location_id = al.location_id
                     AND ml.package_id IS NOT DISTINCT FROM al.package_id)
                 OR (ml.location_dest_id = al.location_id
                     AND ml.result_package_id IS NOT DISTINCT FROM al.package_id))
              JOIN stock_move m ON m.id = ml.move_id
             WHERE al.id IN %(lines)s
               AND m.is_inventory
               AND m.cycle_count_adjustment_line_id IS DISTINCT FROM al.id
             GROUP BY al.id
             ORDER BY al.id
            """,
                lines=tuple(lines.ids),
            )
        )
        if rows:
            line = lines.browse(rows[0][0])
            raise UserError(
                self.env._(
                    "%(item)s was corrected in stock on %(date)s, after it was "
                    "counted: applying the difference of %(report)s would correct "
                    "it twice. Reject the variance to have the item counted again.",
                    item=line.count_line_id._describe_item(
                        line.count_line_id._item_values()
                    ),
                    date=fields.Datetime.to_string(rows[0][1]),
                    report=line.adjustment_id.name,
                )
            )

    def _get_lines_to_apply(self):
        """The variances with a difference to post, in the lines' order. Read
        with one query (the approver's click on a report of thousands of lines
        calls this several times: no field read line by line)."""
        lines = self.line_ids
        if not all(isinstance(line_id, int) for line_id in lines.ids):
            # Lines not saved yet (a form): what is in memory.
            return lines.filtered(
                lambda line: (
                    not float_is_zero(
                        line.difference_qty,
                        precision_rounding=line.product_id.uom_id.rounding,
                    )
                )
            )
        if not lines:
            return lines
        self.env["cycle.count.adjustment.line"].flush_model(
            ["difference_qty", "product_id"]
        )
        self.env["product.product"].flush_model(["product_tmpl_id"])
        self.env["product.template"].flush_model(["uom_id"])
        to_apply = {
            line_id
            for line_id, difference, rounding in self.env.execute_query(
                SQL(
                    """
                SELECT l.id, l.difference_qty, u.rounding
                  FROM cycle_count_adjustment_line l
                  JOIN product_product p ON p.id = l.product_id
                  JOIN product_template t ON t.id = p.product_tmpl_id
                  JOIN uom_uom u ON u.id = t.uom_id
                 WHERE l.id IN %s
                """,
                    tuple(lines.ids),
                )
            )
            if not float_is_zero(difference or 0.0, precision_rounding=rounding)
        }
        return lines.filtered(lambda line: line.id in to_apply)

    @api.model
    def _get_apply_chunk_size(self):
        value = self.env["ir.config_parameter"].sudo().get_param(APPLY_CHUNK_PARAM)
        try:
            return max(1, int(value)) if value else APPLY_CHUNK_DEFAULT
        except ValueError:
            return APPLY_CHUNK_DEFAULT

    def _apply_to_stock(self):
        """Correct stock by the approved differences: one inventory move per
        variance, done with Odoo's own machinery (valuation included). Applying
        the difference (not the counted quantity) keeps right whatever moved
        between the count and the approval.

        A report of more variances than the chunk size is not applied in the
        approver's click: it is marked *being applied* and handed to the
        background (``_dispatch_apply_to_stock``), which applies it a chunk at
        a time."""
        if not self.env.context.get("cycle_count_apply_checked"):
            self._check_can_apply_to_stock()
        chunk = self._get_apply_chunk_size()
        large = self.filtered(lambda adj: len(adj._get_lines_to_apply()) > chunk)
        for adjustment in (self - large).with_user(SUPERUSER_ID):
            # Applying is the system's work once the approval is recorded (the
            # reviews keep who approved): Odoo's costing reads stock moves with
            # the current user's rights, which the last approver (or a counter
            # whose count needs no approval) may not have.
            adjustment = adjustment.with_company(adjustment.company_id)
            moves = adjustment._apply_lines(adjustment._get_lines_to_apply())
            adjustment._finish_apply(moves)
        if large:
            # The background run is the system's, whoever approved.
            large.sudo().write({"is_applying": True})
            for adjustment in large:
                adjustment.message_post(
                    body=self.env._(
                        "Approved: %(count)s variances are being applied to stock "
                        "in the background, %(chunk)s at a time.",
                        count=len(adjustment._get_lines_to_apply()),
                        chunk=chunk,
                    )
                )
            large._dispatch_apply_to_stock()

    def _apply_lines(self, lines):
        """Create and do the inventory moves of ``lines`` (of this report)."""
        self.ensure_one()
        moves = self.env["stock.move"].create(
            [line._prepare_stock_move_vals() for line in lines]
        )
        moves._action_done()
        return moves

    def _finish_apply(self, moves):
        """All of the report is in stock: applied, its task done."""
        self.ensure_one()
        self.write(
            {
                "state": "posted",
                "date_posted": fields.Datetime.now(),
                "is_applying": False,
            }
        )
        # A task whose variances within tolerance were split off is done when
        # every report of it is in stock.
        reports = self.task_id.sudo().adjustment_ids
        if all(adj.state in ("posted", "rejected") for adj in reports):
            self.task_id._action_done()
        self.message_post(body=self._get_applied_message(moves))

    def _dispatch_apply_to_stock(self):
        """Hook for a job queue: hand these reports (being applied) to the
        background; here, the cron *apply large variance reports* is woken."""
        self.env.ref("cycle_count_approval.ir_cron_cycle_count_apply")._trigger()

    @api.model
    def _cron_apply_to_stock(self):
        """Apply the reports being applied, a chunk at a time. Under the cron,
        each call applies one chunk (its own transaction) and reports progress:
        the cron calls again. Called directly, it applies everything."""
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        while (result := self._apply_chunk_in_own_transaction())["report"]:
            if in_cron:
                self.env["ir.cron"]._notify_progress(
                    done=1, remaining=result["remaining"]
                )
                return

    def _apply_chunk_in_own_transaction(self):
        """Run one chunk (``_apply_next_chunk``, of ``self`` when given) in a
        transaction of its own, committed, and return what it did as plain
        values (the caller's snapshot predates that commit): ``report`` (id, or
        False: nothing to do), ``applying`` (the report has chunks left),
        ``applied`` (its lines posted), ``remaining`` (reports being applied),
        ``tries`` and ``met`` (the error codes of the tries run again).

        The transaction runs at READ COMMITTED, not Odoo's REPEATABLE READ:
        beside busy picking a chunk of thousands of lines cannot start from a
        snapshot and hope no picking commits to one of its quants before it is
        done (each would fail it with a serialization error, and retrying the
        whole chunk fails again: odoo/odoo#56769). The chunk locks its rows
        first (the report, then its products, quants and open valuation layers,
        in id order, skipping what another transaction holds: ``_lock_chunk``)
        and reads the books only after: what it reads is the latest committed
        and nobody changes it before the commit. It never waits for a row a
        picking holds (a picking validates its moves in its own order: waiting
        could close a cycle), so it is never part of a deadlock: the variances
        whose rows are held wait for a later chunk; a chunk left with none
        (``ChunkBusy``) is run again after a backoff, at most APPLY_BUSY_TRIES
        times. A picking that wants one of the locked rows waits for the
        commit and is retried by Odoo's HTTP/RPC layer with a fresh snapshot.
        A serialization failure, deadlock or lock timeout left (the posting
        meeting a row a concurrent transaction took after the locks) rolls the
        whole chunk back and runs it again, at most APPLY_CHUNK_TRIES times,
        after a backoff (``_apply_chunk_backoff``): never half a chunk, never a
        line twice.

        Under test (``--test-enable``) the test's own transaction is used, in a
        savepoint: a test cannot commit, nor see what another cursor commits."""
        if (
            tools.config["test_enable"]
            or self.env.registry.in_test_mode()
            or modules.module.current_test
        ):
            with self.env.cr.savepoint():
                return dict(self._apply_chunk_result(self.env, self.ids, 1), met=[])
        report_ids = self.ids
        self.env.flush_all()
        met = []
        tries = 0
        while True:
            tries += 1
            try:
                with self.env.registry.cursor() as cr:
                    cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                    cr.execute(SQL("SET LOCAL lock_timeout = %s", APPLY_LOCK_TIMEOUT))
                    env = api.Environment(cr, self.env.uid, self.env.context)
                    result = self._apply_chunk_result(env, report_ids, tries)
                # Committed by the cursor's end (or, failing, retried below).
                result["met"] = met
                return result
            except APPLY_RETRY_ERRORS as exc:
                busy = isinstance(exc, ChunkBusy)
                met.append(exc.pgcode)
                # Busy: nothing was tried (no lock waited for), so it may be
                # run again more often than a chunk that met an error.
                errors = len([code for code in met if code != ChunkBusy.pgcode])
                if (busy and len(met) - errors >= APPLY_BUSY_TRIES) or (
                    not busy and errors >= APPLY_CHUNK_TRIES
                ):
                    raise
                _logger.info(
                    "Posting a chunk met a concurrent transaction (%s): run again "
                    "in a new transaction (try %s).",
                    exc.pgcode,
                    tries + 1,
                )
                self._apply_chunk_backoff(tries, exc.pgcode)

    @api.model
    def _apply_chunk_backoff(self, tries, reason):
        """Wait before running a chunk again: exponential with jitter, capped
        at two seconds, so that the pickings holding its rows finish and two
        runners do not retry in step. ``reason``: the error code met."""
        time.sleep(random.uniform(0.5, 1.0) * min(2.0, 0.05 * 2**tries))

    @api.model
    def _apply_chunk_result(self, env, report_ids, tries):
        Adjustment = env[self._name]
        adjustment = Adjustment.browse(report_ids)._apply_next_chunk()
        env.flush_all()
        result = {"report": adjustment.id, "applying": False, "applied": 0}
        if adjustment:
            result["applying"] = adjustment.is_applying
            result["applied"] = len(adjustment.sudo().move_ids)
        result["remaining"] = Adjustment.search_count(
            [("is_applying", "=", True), ("state", "=", "approved")]
        )
        result["tries"] = tries
        return result

    def _apply_next_chunk(self):
        """The background's unit of work: lock one report being applied (of
        ``self`` when given), apply its next chunk of variances not yet in
        stock, and finish it when none is left; return the report, or an
        empty recordset when there is nothing to do (or the rest is being
        applied by another transaction).

        Never a variance twice: a variance is in stock when its inventory move
        exists, and the move is created in the same transaction as the chunk
        that applies it; the report's row is locked (``SKIP LOCKED``: a second
        worker leaves it to the first) by an UPDATE, so that a transaction
        whose snapshot predates another chunk's commit fails with a
        serialization error (retried) rather than applying it again. Killed
        midway, a chunk leaves nothing: it is one transaction."""
        conditions = [SQL("a.is_applying"), SQL("a.state = 'approved'")]
        if self:
            conditions.append(SQL("a.id IN %s", tuple(self.ids)))
        self.env.flush_all()
        rows = execute_lock(
            self.env,
            SQL(
                """
                UPDATE cycle_count_adjustment
                   SET write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE id = (SELECT a.id FROM cycle_count_adjustment a
                              WHERE %s
                              ORDER BY a.id
                              LIMIT 1
                                FOR NO KEY UPDATE SKIP LOCKED)
             RETURNING id
                """,
                SQL(" AND ").join(conditions),
            ),
        )
        self.invalidate_model(["write_date"])
        # Applying is the system's work once approved (see _apply_to_stock).
        adjustment = self.with_user(SUPERUSER_ID).browse([row[0] for row in rows])
        if not adjustment:
            return adjustment
        adjustment = adjustment.with_company(adjustment.company_id)
        applied = (
            self.env["stock.move"]
            .sudo()
            ._read_group(
                [("cycle_count_adjustment_line_id.adjustment_id", "=", adjustment.id)],
                aggregates=["cycle_count_adjustment_line_id:array_agg"],
            )[0][0]
        )
        applied = set(applied or ())
        pending = adjustment._get_lines_to_apply().filtered(
            lambda line: line.id not in applied
        )
        chunk = pending.sorted("id")[: self._get_apply_chunk_size()]
        # Only the variances whose rows could be locked at once are posted
        # now; the others (held by a picking) stay for the next chunk.
        chunk = chunk._lock_chunk()
        if not chunk:
            raise ChunkBusy()
        adjustment._apply_lines(chunk)
        if len(chunk) == len(pending):
            adjustment.invalidate_recordset(["move_ids"])
            adjustment._finish_apply(adjustment.move_ids)
        return adjustment

    def _get_applied_message(self, moves):
        """The chatter note once applied; accounting adds the journal entries."""
        return self.env._(
            "Applied to stock: %(moves)s inventory move(s).", moves=len(moves)
        )

    def action_view_stock_moves(self):
        self.ensure_one()
        # An action names the record: only for who may read it.
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.stock_move_action"
        )
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {}
        return action

    def action_open_task(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "cycle.count.task",
            "res_id": self.task_id.id,
            "view_mode": "form",
        }
