from odoo import api, fields, models
from odoo.exceptions import AccessError

ADJUSTMENT_MODEL = "cycle.count.adjustment"


class TierReview(models.Model):
    _inherit = "tier.review"

    cycle_count_company_id = fields.Many2one(
        "res.company",
        string="Variance Report Company",
        compute="_compute_cycle_count_company_id",
        store=True,
        index=True,
        help="The company of the variance report reviewed: the record rules keep "
        "the reviews of a company's reports to its reviewers (the shipped tiers "
        "have no company, so the review's own company is empty).",
    )

    # Durations: when the tier's turn came (reviewed_date is when it was
    # decided, done_by by whom), its deadline and its escalation. Written by the
    # approval flow only (cycle.count.adjustment._sync_review_activities and
    # _cron_escalate_reviews), like every field of the review.
    cycle_count_turn_date = fields.Datetime(
        string="Requested On",
        readonly=True,
        help="When this tier's turn came: the report was sent for approval, or "
        "the tier before it approved.",
    )
    cycle_count_deadline = fields.Datetime(
        string="Deadline",
        readonly=True,
        help="The turn plus the tier's deadline hours: past it, the review is "
        "escalated.",
    )
    cycle_count_elapsed_hours = fields.Float(
        string="Elapsed (hours)",
        compute="_compute_cycle_count_elapsed_hours",
        store=True,
        digits=(16, 2),
        help="Hours from the tier's turn to its decision.",
    )
    cycle_count_escalated_date = fields.Datetime(
        string="Escalated On",
        readonly=True,
        help="When the review, past its deadline, was escalated (once).",
    )
    cycle_count_is_escalated = fields.Boolean(
        string="Escalated", compute="_compute_cycle_count_is_late"
    )
    cycle_count_is_late = fields.Boolean(
        string="Late",
        compute="_compute_cycle_count_is_late",
        help="Decided after its deadline, or still open past it.",
    )

    @api.depends("cycle_count_turn_date", "reviewed_date")
    def _compute_cycle_count_elapsed_hours(self):
        for review in self:
            start, end = review.cycle_count_turn_date, review.reviewed_date
            review.cycle_count_elapsed_hours = (
                (end - start).total_seconds() / 3600 if start and end else 0.0
            )

    @api.depends_context("uid")
    @api.depends("cycle_count_deadline", "reviewed_date", "cycle_count_escalated_date")
    def _compute_cycle_count_is_late(self):
        now = fields.Datetime.now()
        for review in self:
            review.cycle_count_is_escalated = bool(review.cycle_count_escalated_date)
            review.cycle_count_is_late = bool(
                review.cycle_count_deadline
                and (review.reviewed_date or now) > review.cycle_count_deadline
            )

    @api.depends("model", "res_id")
    def _compute_cycle_count_company_id(self):
        ids = {r.res_id for r in self if r.model == ADJUSTMENT_MODEL and r.res_id}
        # Read as the system: whoever creates the review (the flow, as the
        # system) or recomputes it must see the report's company.
        companies = {
            adjustment.id: adjustment.company_id
            for adjustment in self.env[ADJUSTMENT_MODEL].sudo().browse(ids).exists()
        }
        for review in self:
            review.cycle_count_company_id = (
                review.model == ADJUSTMENT_MODEL and companies.get(review.res_id)
            ) or False

    def _get_reviewers(self):
        reviewers = super()._get_reviewers()
        if self.model == ADJUSTMENT_MODEL and self.res_id:
            # Reviewers are computed whoever triggers the computation (the
            # counter's submission among others): the report is read as the
            # system to apply its rule of who may approve.
            adjustment = self.env[ADJUSTMENT_MODEL].sudo().browse(self.res_id)
            # The delegates of the tier's reviewers who are away decide for them
            # (recomputed when a delegation changes, and hourly for the windows).
            reviewers |= self._get_cycle_count_delegates(reviewers)
            reviewers = reviewers.filtered(
                lambda user: not adjustment._get_review_refusal(user, self)
            )
        return reviewers

    def _get_cycle_count_base_reviewers(self):
        """The tier's own reviewers (no delegate), as base_tier_validation has
        them."""
        self.ensure_one()
        return super()._get_reviewers()

    def _get_cycle_count_delegates(self, reviewers=None):
        """Who decides this review now for one of its reviewers, by a
        delegation valid today in the report's company."""
        self.ensure_one()
        if reviewers is None:
            reviewers = self._get_cycle_count_base_reviewers()
        company = self.sudo().cycle_count_company_id
        delegations = self.env["cycle.count.approval.delegation"]._get_active(
            reviewers, company
        )
        return delegations.delegate_id

    def _refresh_cycle_count_reviewers(self):
        """Recompute who may decide these reviews of variance reports (after a
        delegation changed, or as its window opens or closes)."""
        reviews = self.filtered(
            lambda review: (
                review.model == ADJUSTMENT_MODEL
                and review.status in ("waiting", "pending")
            )
        )
        if reviews:
            # The approval flow's own recomputation (the reviews are its record).
            reviews = reviews.sudo()
            self.env.add_to_compute(reviews._fields["reviewer_ids"], reviews)
            reviews.flush_recordset(["reviewer_ids"])
            # Whether a user may review a report is cached on its reviews'
            # statuses only.
            self.env[ADJUSTMENT_MODEL].invalidate_model(["can_review", "reviewer_ids"])
        return reviews

    # ------------------------------------------------------------------
    # Defence in depth: the record rules already refuse every change of a
    # variance report's review to anybody but the system (the approval flow,
    # cycle.count.adjustment._approval_flow). These guards hold the same where a
    # rule cannot see: a review moved onto a report by a write (rules check the
    # record before the write only), or one created for a report.
    # ------------------------------------------------------------------
    def _raise_not_approval_flow(self):
        raise AccessError(
            self.env._(
                "The reviews of a variance report are written only by its approval: "
                "approve, reject or restart the approval from the report."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get("model") == ADJUSTMENT_MODEL for vals in vals_list
        ):
            self._raise_not_approval_flow()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and (
            vals.get("model") == ADJUSTMENT_MODEL
            or any(review.model == ADJUSTMENT_MODEL for review in self)
        ):
            self._raise_not_approval_flow()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_adjustment_reviews(self):
        if not self.env.su and any(review.model == ADJUSTMENT_MODEL for review in self):
            self._raise_not_approval_flow()

    def _refresh_after_delegation(self):
        """Who may decide changed: recompute the reviewers, and give the
        activities of the reports' current tiers to who decides them now."""
        reviews = self._refresh_cycle_count_reviewers()
        adjustments = (
            self.env[ADJUSTMENT_MODEL].sudo().browse(set(reviews.mapped("res_id")))
        )
        adjustments._sync_review_activities()
