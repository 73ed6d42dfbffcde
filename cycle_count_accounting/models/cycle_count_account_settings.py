from odoo import api, fields, models


class CycleCountAccountSettings(models.TransientModel):
    """The inventory gain and loss accounts of a company, set by its finance
    manager. Odoo's settings screen is for administrators only; this small
    form is where the finance manager, who chooses the accounts, sets them."""

    _name = "cycle.count.account.settings"
    _description = "Cycle Count Gain and Loss Accounts"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    cycle_count_gain_account_id = fields.Many2one(
        "account.account",
        string="Inventory Gain Account",
        check_company=True,
        default=lambda self: self.env.company.cycle_count_gain_account_id,
        help="Credited when a cycle count finds more than the books say (盘盈).",
    )
    cycle_count_loss_account_id = fields.Many2one(
        "account.account",
        string="Inventory Loss Account",
        check_company=True,
        default=lambda self: self.env.company.cycle_count_loss_account_id,
        help="Debited when a cycle count finds less than the books say (盘亏).",
    )

    @api.model
    def action_open(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cycle_count_accounting.cycle_count_account_settings_action"
        )
        action["res_id"] = self.create({}).id
        return action

    def action_save(self):
        self.ensure_one()
        # Only administrators write res.company; the finance manager, who may
        # open this form (its access rights), sets these two accounts of the
        # company and nothing else.
        self.company_id.sudo().write(
            {
                "cycle_count_gain_account_id": self.cycle_count_gain_account_id.id,
                "cycle_count_loss_account_id": self.cycle_count_loss_account_id.id,
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Accounts saved"),
                "message": self.env._(
                    "Approved variances of %(company)s are posted on these accounts.",
                    company=self.company_id.name,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
