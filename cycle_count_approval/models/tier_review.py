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
            reviewers = reviewers.filtered(
                lambda user: not adjustment._get_review_refusal(user, self)
            )
        return reviewers

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
