from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cycle_count_gain_account_id = fields.Many2one(
        "account.account",
        string="Inventory Gain Account",
        check_company=True,
        help="Credited when a cycle count finds more than the books say (盘盈).",
    )
    cycle_count_loss_account_id = fields.Many2one(
        "account.account",
        string="Inventory Loss Account",
        check_company=True,
        help="Debited when a cycle count finds less than the books say (盘亏).",
    )
