from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError


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

    # Two-step posting and periodic booking (res.company has their help). The
    # accounts default to the company's, else to those of Odoo's Chinese chart.
    cycle_count_two_step = fields.Boolean(
        string="Two-Step Posting Through Suspense",
        default=lambda self: self.env.company.cycle_count_two_step,
    )
    cycle_count_suspense_account_id = fields.Many2one(
        "account.account",
        string="Suspense Account",
        check_company=True,
        default=lambda self: self._default_cycle_count_account(
            "cycle_count_suspense_account_id"
        ),
    )
    cycle_count_normal_loss_account_id = fields.Many2one(
        "account.account",
        string="Normal Loss Account",
        check_company=True,
        default=lambda self: self._default_cycle_count_account(
            "cycle_count_normal_loss_account_id"
        ),
    )
    cycle_count_liable_account_id = fields.Many2one(
        "account.account",
        string="Liable Person Account",
        check_company=True,
        default=lambda self: self._default_cycle_count_account(
            "cycle_count_liable_account_id"
        ),
    )
    cycle_count_abnormal_loss_account_id = fields.Many2one(
        "account.account",
        string="Abnormal Loss Account",
        check_company=True,
        default=lambda self: self._default_cycle_count_account(
            "cycle_count_abnormal_loss_account_id"
        ),
    )
    cycle_count_vat_out_account_id = fields.Many2one(
        "account.account",
        string="Input VAT Transferred Out Account",
        check_company=True,
        default=lambda self: self._default_cycle_count_account(
            "cycle_count_vat_out_account_id"
        ),
    )
    cycle_count_vat_out_rate = fields.Float(
        string="Input VAT Rate (%)",
        default=lambda self: self.env.company.cycle_count_vat_out_rate,
    )
    cycle_count_gain_clearing_account_id = fields.Many2one(
        "account.account",
        string="Gain Clearing Account",
        check_company=True,
        default=lambda self: self._default_cycle_count_account(
            "cycle_count_gain_clearing_account_id"
        ),
    )
    cycle_count_periodic_booking = fields.Boolean(
        string="Book Variances at Periodic Valuation",
        default=lambda self: self.env.company.cycle_count_periodic_booking,
    )
    cycle_count_stock_variation_account_id = fields.Many2one(
        "account.account",
        string="Stock Variation Account",
        check_company=True,
        default=lambda self: self._default_cycle_count_account(
            "cycle_count_stock_variation_account_id"
        ),
    )

    _CYCLE_COUNT_FIELDS = [
        "cycle_count_gain_account_id",
        "cycle_count_loss_account_id",
        "cycle_count_entry_date",
        "cycle_count_lock_date_policy",
        "cycle_count_two_step",
        "cycle_count_suspense_account_id",
        "cycle_count_normal_loss_account_id",
        "cycle_count_liable_account_id",
        "cycle_count_abnormal_loss_account_id",
        "cycle_count_vat_out_account_id",
        "cycle_count_vat_out_rate",
        "cycle_count_gain_clearing_account_id",
        "cycle_count_periodic_booking",
        "cycle_count_stock_variation_account_id",
    ]

    @api.model
    def _default_cycle_count_account(self, field):
        company = self.env.company
        return company[field] or company._cycle_count_default_accounts().get(field)

    @api.constrains("cycle_count_vat_out_rate")
    def _check_cycle_count_vat_out_rate(self):
        for settings in self:
            if not 0 <= settings.cycle_count_vat_out_rate < 100:
                raise ValidationError(
                    self.env._("The input VAT rate is a percentage from 0 to 100.")
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
        # open this form (its access rights), sets these accounts and settings
        # of the company and nothing else.
        self.company_id.sudo().write(
            {
                name: self[name].id
                if self._fields[name].type == "many2one"
                else self[name]
                for name in self._CYCLE_COUNT_FIELDS
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
