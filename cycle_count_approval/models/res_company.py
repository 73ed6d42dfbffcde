from odoo import fields, models

TIE_BREAK_RULES = [
    ("agree", "Two agreeing counts win"),
    ("last", "The last count wins"),
    ("supervisor", "The supervisor decides"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    cycle_count_reason_required_above = fields.Monetary(
        string="Variance Reason Required Above",
        currency_field="currency_id",
        help="A variance worth more than this (gain or loss) cannot be approved "
        "without a reason. Zero: a reason is never required.",
    )
    cycle_count_max_recounts = fields.Integer(
        string="Maximum Recounts",
        default=1,
        help="How many times an item outside its recount threshold is counted "
        "again, by another counter, before its variance goes to approval. "
        "0: no recount.",
    )
    cycle_count_tie_break = fields.Selection(
        TIE_BREAK_RULES,
        string="Recount Tie-Break",
        default="agree",
        required=True,
        help="Which figure a recounted item reports. Two agreeing counts win: "
        "the difference two counts agree on (without agreement, another recount "
        "while allowed, then the last count, flagged for the supervisor). The "
        "last count wins: the latest count. The supervisor decides: the latest "
        "count is proposed, flagged, and the supervisor picks a count of the "
        "history.",
    )
