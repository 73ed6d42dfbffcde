from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cycle_count_max_recounts = fields.Integer(
        related="company_id.cycle_count_max_recounts", readonly=False
    )
    cycle_count_tie_break = fields.Selection(
        related="company_id.cycle_count_tie_break", readonly=False
    )
