from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_is_zero

# Who may apply an approved report to stock by hand (one approved before stock
# was applied on approval): whoever may post inventory adjustments' value.
APPLY_GROUP = "cycle_count_planning.group_cycle_count_finance"


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

    @api.depends("move_ids")
    def _compute_move_count(self):
        for adjustment in self:
            adjustment.move_count = len(adjustment.move_ids)

    @api.depends("review_ids.status")
    def _compute_waiting_for(self):
        for adjustment in self:
            waiting = adjustment.review_ids.filtered(
                lambda review: review.status in ("waiting", "pending")
            ).sorted("sequence")
            adjustment.waiting_for = " → ".join(waiting.mapped("definition_id.name"))

    @api.depends("task_id.line_ids.counter_id", "task_id.user_id")
    def _compute_counter_ids(self):
        for adjustment in self:
            adjustment.counter_ids = adjustment._get_counters()

    def _compute_hide_reviews(self):
        # Keep the approval trail visible after approval and application.
        for adjustment in self:
            adjustment.hide_reviews = (
                not adjustment.review_ids and adjustment.state not in self._state_from
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "cycle.count.adjustment"
                ) or self.env._("New")
        return super().create(vals_list)

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
        """Everybody who counted for this report, and the task's counter."""
        self.ensure_one()
        # Reviewers read the counts through the report; the lines' counters are
        # read whatever the rights of who asks (a reviewer's list, a review's
        # computed reviewers).
        task = self.task_id.sudo()
        return task.line_ids.counter_id | task.user_id

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

    @api.model
    def _get_under_validation_exceptions(self):
        # Approvers set the reason of a variance while deciding; the variance
        # itself refuses any other change (cycle.count.adjustment.line.write).
        return [*super()._get_under_validation_exceptions(), "line_ids"]

    def _get_sequences_to_approve(self, user):
        sequences = super()._get_sequences_to_approve(user)
        if sequences and self._get_review_refusal(user):
            return []
        return sequences

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
        return super().validate_tier()

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
        res = super()._validate_tier(tiers)
        if self.validation_status == "validated" and self.state == "to_approve":
            self._action_approve()
        return res

    def _rejected_tier(self, tiers=False):
        self._check_user_may_review(self.env.user)
        self._check_reject_comment(tiers)
        res = super()._rejected_tier(tiers)
        if self.validation_status == "rejected" and self.state == "to_approve":
            self._action_reject()
        return res

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
    # Workflow
    # ------------------------------------------------------------------
    def _submit(self):
        """Send for approval; with no tier that applies, the policy asks for none."""
        self.write({"state": "to_approve"})
        self._request_reviews()

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

    def restart_validation(self):
        """Ask every tier again (e.g. after the tiers changed): the decisions given
        so far are dropped, which only a cycle count manager may do."""
        res = super().restart_validation()
        self.filtered(lambda adj: adj.state == "to_approve")._request_reviews()
        return res

    def _action_approve(self):
        # Refuse before anything is written: a report that cannot be applied to
        # stock is not approved either (the last review stays to be given).
        self._check_can_apply_to_stock()
        # need_validation is computed without dependencies by base_tier_validation:
        # drop the value cached before the reviews were created.
        self.invalidate_recordset(["need_validation"])
        # The reviews were checked by tier validation; the state change and the
        # stock it corrects are the system's work.
        adjustments = self.sudo()
        adjustments.write({"state": "approved", "date_approved": fields.Datetime.now()})
        adjustments._apply_to_stock()

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
        adjustments.line_ids.count_line_id.write({"is_counted": False})
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
        self._apply_to_stock()
        return True

    # ------------------------------------------------------------------
    # Stock
    # ------------------------------------------------------------------
    def _check_can_apply_to_stock(self):
        """Hook: refuse, before any stock is touched, what cannot be applied
        (accounting checks its accounts here). Extend with super()."""
        return True

    def _get_lines_to_apply(self):
        return self.line_ids.filtered(
            lambda line: (
                not float_is_zero(
                    line.difference_qty,
                    precision_rounding=line.product_id.uom_id.rounding,
                )
            )
        )

    def _apply_to_stock(self):
        """Correct stock by the approved differences: one inventory move per
        variance, done with Odoo's own machinery (valuation included). Applying
        the difference (not the counted quantity) keeps right whatever moved
        between the count and the approval."""
        self._check_can_apply_to_stock()
        # Applying is the system's work once the approval is recorded (the reviews
        # keep who approved): Odoo's costing reads stock moves with the current
        # user's rights, which the last approver (or a counter whose count needs
        # no approval) may not have.
        for adjustment in self.with_user(SUPERUSER_ID):
            adjustment = adjustment.with_company(adjustment.company_id)
            lines = adjustment._get_lines_to_apply()
            moves = adjustment.env["stock.move"].create(
                [line._prepare_stock_move_vals() for line in lines]
            )
            moves._action_done()
            adjustment.write({"state": "posted", "date_posted": fields.Datetime.now()})
            adjustment.task_id._action_done()
            adjustment.message_post(body=adjustment._get_applied_message(moves))

    def _get_applied_message(self, moves):
        """The chatter note once applied; accounting adds the journal entries."""
        return self.env._(
            "Applied to stock: %(moves)s inventory move(s).", moves=len(moves)
        )

    def action_view_stock_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.stock_move_action"
        )
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {}
        return action

    def action_open_task(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "cycle.count.task",
            "res_id": self.task_id.id,
            "view_mode": "form",
        }
