from odoo import fields, models


class CycleCountAccountSettingsReason(models.TransientModel):
    """One variance reason's accounts on the Gain and Loss Accounts form."""

    _name = "cycle.count.account.settings.reason"
    _description = "Cycle Count Gain and Loss Accounts of a Reason"
    _check_company_auto = True

    settings_id = fields.Many2one(
        "cycle.count.account.settings", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="settings_id.company_id")
    reason_id = fields.Many2one("cycle.count.reason", required=True)
    gain_account_id = fields.Many2one("account.account", check_company=True)
    loss_account_id = fields.Many2one("account.account", check_company=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account", check_company=True
    )
