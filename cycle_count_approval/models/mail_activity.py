from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    cycle_count_review_id = fields.Many2one(
        "tier.review",
        string="Variance Report Review",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
        help="The review of a variance report this activity asks to decide (or "
        "escalates): closed by the approval when the review is decided.",
    )
    cycle_count_escalation = fields.Boolean(
        string="Escalation",
        readonly=True,
        help="Given to the escalation user because the review is past its deadline.",
    )
