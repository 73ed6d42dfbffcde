from odoo import api, models
from odoo.exceptions import AccessError

ADJUSTMENT_MODEL = "cycle.count.adjustment"


class TierReview(models.Model):
    _inherit = "tier.review"

    def _get_reviewers(self):
        reviewers = super()._get_reviewers()
        if self.model == ADJUSTMENT_MODEL and self.res_id:
            # Who counts never approves their own count.
            adjustment = self.env[ADJUSTMENT_MODEL].sudo().browse(self.res_id)
            reviewers -= adjustment._get_counters()
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
                decided_elsewhere = self.search_count(
                    [
                        ("model", "=", ADJUSTMENT_MODEL),
                        ("res_id", "=", review.res_id),
                        ("id", "!=", review.id),
                        ("status", "=", "approved"),
                        ("done_by", "=", self.env.uid),
                    ]
                )
                if decided_elsewhere:
                    raise AccessError(
                        self.env._(
                            "You already approved another tier of this report: "
                            "each tier of “%(review)s” needs its own approver.",
                            review=review.name,
                        )
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
                    "Only a cycle count manager can restart the approval of an "
                    "adjustment."
                )
            )
