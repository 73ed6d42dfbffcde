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
    cycle_count_entry_date = fields.Selection(
        [("count", "Count date"), ("approval", "Approval date")],
        default="approval",
        required=True,
        help="The date of a variance report's journal entry and of its stock "
        "moves: the day the task was marked counted, or the day of the final "
        "approval.",
    )
    cycle_count_lock_date_policy = fields.Selection(
        [
            ("refuse", "Refuse the approval"),
            ("next_open", "Post on the first open date"),
        ],
        string="Cycle Count Entry in a Locked Period",
        default="refuse",
        required=True,
        help="When the entry date falls inside a lock date: refuse the approval "
        "(nothing is applied), or post the entry and its stock moves on the "
        "first open date, with a note on the report. Never re-dated silently.",
    )
