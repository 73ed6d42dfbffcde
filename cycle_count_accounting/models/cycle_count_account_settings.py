from collections import defaultdict

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

    cycle_count_entry_date = fields.Selection(
        lambda self: (
            self.env["res.company"]
            ._fields["cycle_count_entry_date"]
            ._description_selection(self.env)
        ),
        string="Entry Date",
        required=True,
        default=lambda self: self.env.company.cycle_count_entry_date,
        help="The date of a variance report's journal entry and of its stock "
        "moves: the day the task was marked counted, or the day of the final "
        "approval.",
    )
    cycle_count_lock_date_policy = fields.Selection(
        lambda self: (
            self.env["res.company"]
            ._fields["cycle_count_lock_date_policy"]
            ._description_selection(self.env)
        ),
        string="Entry in a Locked Period",
        required=True,
        default=lambda self: self.env.company.cycle_count_lock_date_policy,
        help="When the entry date falls inside a lock date: refuse the approval "
        "(nothing is applied), or post on the first open date with a note on "
        "the report.",
    )
    reason_line_ids = fields.One2many(
        "cycle.count.account.settings.reason",
        "settings_id",
        string="Accounts per Reason",
        default=lambda self: self._default_reason_lines(),
    )

    @api.model
    def _default_reason_lines(self):
        company = self.env.company
        reasons = (
            self.env["cycle.count.reason"]
            .with_company(company)
            .search([("company_id", "in", [company.id, False])])
        )
        return [
            fields.Command.create(
                {
                    "reason_id": reason.id,
                    "gain_account_id": reason.cycle_count_gain_account_id.id,
                    "loss_account_id": reason.cycle_count_loss_account_id.id,
                    "analytic_account_id": reason.cycle_count_analytic_account_id.id,
                }
            )
            for reason in reasons
        ]

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
                "cycle_count_entry_date": self.cycle_count_entry_date,
                "cycle_count_lock_date_policy": self.cycle_count_lock_date_policy,
            }
        )
        # Likewise the reasons' accounts of this company (company-dependent
        # fields): only managers write reasons, finance sets their accounts.
        # One write per set of values, not per reason.
        Reason = self.env["cycle.count.reason"].sudo().with_company(self.company_id)
        per_values = defaultdict(list)
        for line in self.reason_line_ids:
            key = (
                line.gain_account_id.id,
                line.loss_account_id.id,
                line.analytic_account_id.id,
            )
            per_values[key].append(line.reason_id.id)
        for (gain, loss, analytic), reason_ids in per_values.items():
            Reason.browse(reason_ids).write(
                {
                    "cycle_count_gain_account_id": gain,
                    "cycle_count_loss_account_id": loss,
                    "cycle_count_analytic_account_id": analytic,
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
