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
