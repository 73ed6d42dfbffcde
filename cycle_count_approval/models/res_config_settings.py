from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cycle_count_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Cycle Count Currency"
    )
    cycle_count_reason_required_above = fields.Monetary(
        related="company_id.cycle_count_reason_required_above",
        currency_field="cycle_count_currency_id",
        readonly=False,
    )
    cycle_count_max_recounts = fields.Integer(
        related="company_id.cycle_count_max_recounts", readonly=False
    )
    cycle_count_tie_break = fields.Selection(
        related="company_id.cycle_count_tie_break", readonly=False
    )
