from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CycleCountAdjustment(models.Model):
    """The variance report of a count task: what goes through approval and, once
    approved, gets posted to stock and the books."""

    _name = "cycle.count.adjustment"
    _description = "Cycle Count Adjustment"
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
            ("posted", "Posted"),
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
    date_approved = fields.Datetime(readonly=True, copy=False)
    date_posted = fields.Datetime(readonly=True, copy=False)

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
        # Keep the approval trail visible after approval and posting.
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
                self.env._("An approved or posted adjustment cannot be deleted.")
            )

    # ------------------------------------------------------------------
    # Separation of duties
    # ------------------------------------------------------------------
    def _get_counters(self):
        """Everybody who counted for this report, and the task's counter."""
        self.ensure_one()
        task = self.task_id.sudo()
        return task.line_ids.counter_id | task.user_id

    def _check_reviewer_is_not_counter(self):
        for adjustment in self:
            if self.env.user in adjustment.sudo()._get_counters():
                raise AccessError(
                    self.env._(
                        "You counted task %(task)s: somebody else must approve or "
                        "reject its variances.",
                        task=adjustment.task_id.name,
                    )
                )

    @api.model
    def _get_under_validation_exceptions(self):
        # Approvers set the reason of a variance while deciding; the variance
        # itself refuses any other change (cycle.count.adjustment.line.write).
        return [*super()._get_under_validation_exceptions(), "line_ids"]

    def _get_sequences_to_approve(self, user):
        # One person, one tier: whoever gave a decision on this report gives no
        # other, so a report that needs two tiers needs two people.
        if (
            user
            in self.review_ids.filtered(
                lambda review: review.status == "approved"
            ).done_by
        ):
            return []
        return super()._get_sequences_to_approve(user)

    def _check_can_review(self):
        self._check_reviewer_is_not_counter()
        for adjustment in self:
            if not adjustment.can_review:
                raise UserError(
                    self.env._(
                        "Nothing on %(adjustment)s waits for your approval. %(next)s",
                        adjustment=adjustment.name,
                        next=adjustment.next_review or "",
                    )
                )

    def validate_tier(self):
        self._check_can_review()
        return super().validate_tier()

    def reject_tier(self):
        self._check_can_review()
        return super().reject_tier()

    def _validate_tier(self, tiers=False):
        self._check_reviewer_is_not_counter()
        res = super()._validate_tier(tiers)
        if self.validation_status == "validated" and self.state == "to_approve":
            self._action_approve()
        return res

    def _rejected_tier(self, tiers=False):
        self._check_reviewer_is_not_counter()
        res = super()._rejected_tier(tiers)
        if self.validation_status == "rejected" and self.state == "to_approve":
            self._action_reject()
        return res

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
        # need_validation is computed without dependencies by base_tier_validation:
        # drop the value cached before the reviews were created.
        self.invalidate_recordset(["need_validation"])
        # The reviews were checked by tier validation; the state change and what
        # follows (stock and accounting) are the system's work.
        adjustments = self.sudo()
        adjustments.write({"state": "approved", "date_approved": fields.Datetime.now()})
        adjustments._on_approved()

    def _on_approved(self):
        """Hook: the accounting addon posts the stock and journal entries here."""
        return True

    def _action_reject(self):
        adjustments = self.sudo().with_context(skip_validation_check=True)
        adjustments.write({"state": "rejected"})
        adjustments.task_id._reopen_for_recount()
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

    def _action_posted(self):
        self.sudo().write({"state": "posted", "date_posted": fields.Datetime.now()})
        self.task_id._action_done()

    def action_open_task(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "cycle.count.task",
            "res_id": self.task_id.id,
            "view_mode": "form",
        }
