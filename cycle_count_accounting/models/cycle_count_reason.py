from odoo import fields, models


class CycleCountReason(models.Model):
    _inherit = "cycle.count.reason"

    # Per company (a reason may be shared between companies): set by finance on
    # the Gain and Loss Accounts form; empty falls back to the company's.
    cycle_count_gain_account_id = fields.Many2one(
        "account.account",
        string="Gain Account",
        company_dependent=True,
        check_company=True,
        help="Credited when a variance of this reason is a gain; empty: the "
        "company's inventory gain account.",
    )
    cycle_count_loss_account_id = fields.Many2one(
        "account.account",
        string="Loss Account",
        company_dependent=True,
        check_company=True,
        help="Debited when a variance of this reason is a loss; empty: the "
        "company's inventory loss account.",
    )
    cycle_count_analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic Account",
        company_dependent=True,
        help="Added to the analytic distribution of the gain or loss lines of "
        "this reason's variances (with the warehouse's, on another plan).",
    )
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
