from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cycle_count_gain_account_id = fields.Many2one(
        related="company_id.cycle_count_gain_account_id", readonly=False
    )
    cycle_count_loss_account_id = fields.Many2one(
        related="company_id.cycle_count_loss_account_id", readonly=False
    )
    cycle_count_entry_date = fields.Selection(
        related="company_id.cycle_count_entry_date", readonly=False
    )
    cycle_count_lock_date_policy = fields.Selection(
        related="company_id.cycle_count_lock_date_policy", readonly=False
    )
