from odoo import fields, models


class CycleCountReason(models.Model):
    _inherit = "cycle.count.reason"

    # What finance decides for a loss of this reason, in a company that posts
    # through suspense (two-step): the account the suspense is cleared to.
    cycle_count_decision = fields.Selection(
        [
            ("normal", "Normal Loss"),
            ("liable", "Someone Is Liable"),
            ("abnormal", "Abnormal Loss (Input VAT Transferred Out)"),
        ],
        string="Loss Decision",
        default="normal",
        required=True,
        help="Two-step posting: a normal loss is cleared to management expense, a "
        "loss someone is liable for to other receivables (with the partner), an "
        "abnormal loss (theft, mismanagement) to non-operating expense with its "
        "input VAT transferred out.",
    )
