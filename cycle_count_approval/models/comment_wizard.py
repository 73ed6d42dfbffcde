from odoo import models
from odoo.exceptions import AccessError

ADJUSTMENT_MODEL = "cycle.count.adjustment"


class CommentWizard(models.TransientModel):
    _inherit = "comment.wizard"

    def add_comment(self):
        """For a variance report, the wizard only gives the decision that the
        report's own buttons would: its reviews must be the ones waiting for this
        user, then the approval flow writes them (as the system)."""
        self.ensure_one()
        if self.res_model != ADJUSTMENT_MODEL:
            return super().add_comment()
        adjustment = self.env[ADJUSTMENT_MODEL].browse(self.res_id)
        adjustment._check_can_review()
        if self.validate_reject not in ("validate", "reject") or (
            self.review_ids - adjustment._get_reviews_to_decide()
        ):
            raise AccessError(
                self.env._(
                    "These reviews do not wait for your decision on %(report)s.",
                    report=adjustment.name,
                )
            )
        # The reviews were checked above as the ones this user decides: the
        # comment is written by the approval flow, as the system.
        return super(CommentWizard, self.sudo()).add_comment()
