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
    cycle_count_two_step = fields.Boolean(
        related="company_id.cycle_count_two_step", readonly=False
    )
    cycle_count_suspense_account_id = fields.Many2one(
        related="company_id.cycle_count_suspense_account_id", readonly=False
    )
    cycle_count_periodic_booking = fields.Boolean(
        related="company_id.cycle_count_periodic_booking", readonly=False
    )
