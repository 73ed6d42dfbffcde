from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cycle_count_reason_required_above = fields.Monetary(
        string="Variance Reason Required Above",
        currency_field="currency_id",
        help="A variance worth more than this (gain or loss) cannot be approved "
        "without a reason. Zero: a reason is never required.",
    )
