from odoo import api, models
from odoo.exceptions import AccessError

ADJUSTMENT_MODEL = "cycle.count.adjustment"


class TierReview(models.Model):
    _inherit = "tier.review"

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

    def write(self, vals):
        decision = vals.get("status") in ("approved", "rejected")
        if decision and not self.env.su:
            for review in self.filtered(lambda r: r.model == ADJUSTMENT_MODEL):
                if self.env.user not in review.reviewer_ids:
                    raise AccessError(
                        self.env._(
                            "You are not a reviewer of “%(review)s”: only its "
                            "reviewers can approve or reject it.",
                            review=review.name,
                        )
                    )
                self.env[ADJUSTMENT_MODEL].browse(review.res_id)._check_user_may_review(
                    self.env.user, review
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_adjustment_reviews(self):
        if self.env.su or self.env.user.has_group(
            "cycle_count_planning.group_cycle_count_manager"
        ):
            return
        if any(review.model == ADJUSTMENT_MODEL for review in self):
            raise AccessError(
                self.env._(
                    "Only a cycle count manager can restart the approval of a "
                    "variance report."
                )
            )
