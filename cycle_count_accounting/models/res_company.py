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

    # China's two-step posting (待处理财产损溢): see README, "Two-step posting".
    cycle_count_two_step = fields.Boolean(
        string="Two-Step Posting Through Suspense",
        help="Confirmed counts (their first approval tier) correct the stock "
        "against the suspense account; the final approval clears the suspense to "
        "the account of each reason's decision; a rejection reverses both.",
    )
    cycle_count_suspense_account_id = fields.Many2one(
        "account.account",
        string="Suspense Account",
        check_company=True,
        help="Pending property gains and losses (待处理财产损溢, 1901 / 190100).",
    )
    cycle_count_normal_loss_account_id = fields.Many2one(
        "account.account",
        string="Normal Loss Account",
        check_company=True,
        help="Debited when a normal loss is cleared (管理费用, 6602).",
    )
    cycle_count_liable_account_id = fields.Many2one(
        "account.account",
        string="Liable Person Account",
        check_company=True,
        help="Debited, with the liable partner, when someone is liable for a loss "
        "(其他应收款, 1221).",
    )
    cycle_count_abnormal_loss_account_id = fields.Many2one(
        "account.account",
        string="Abnormal Loss Account",
        check_company=True,
        help="Debited with an abnormal loss and its input VAT transferred out "
        "(营业外支出, 6711).",
    )
    cycle_count_vat_out_account_id = fields.Many2one(
        "account.account",
        string="Input VAT Transferred Out Account",
        check_company=True,
        help="Credited with the input VAT of an abnormal loss "
        "(应交税费-应交增值税(进项税额转出)).",
    )
    cycle_count_vat_out_rate = fields.Float(
        string="Input VAT Rate (%)",
        default=13.0,
        help="The input VAT rate transferred out on an abnormal loss.",
    )
    cycle_count_gain_clearing_account_id = fields.Many2one(
        "account.account",
        string="Gain Clearing Account",
        check_company=True,
        help="Credited when a gain is cleared from suspense (管理费用, 6602).",
    )
    # Periodic (manual) valuation: Odoo posts nothing; the company may still book.
    cycle_count_periodic_booking = fields.Boolean(
        string="Book Variances at Periodic Valuation",
        help="For products at periodic (manual) valuation, where Odoo posts no "
        "entry, post one entry per variance report: each loss or gain against "
        "the stock variation account.",
    )
    cycle_count_stock_variation_account_id = fields.Many2one(
        "account.account",
        string="Stock Variation Account",
        check_company=True,
        help="The stock side of the entries of variances at periodic valuation "
        "(e.g. 库存商品 1405 or a stock variation account).",
    )

    # The accounts of the two-step flow on Odoo's Chinese chart, by code: the
    # large-business chart (190100, ...) or a chart of four-digit codes (1901).
    _CYCLE_COUNT_CN_CODES = {
        "cycle_count_suspense_account_id": ("190100", "1901"),
        "cycle_count_normal_loss_account_id": ("660200", "6602"),
        "cycle_count_liable_account_id": ("122100", "1221"),
        "cycle_count_abnormal_loss_account_id": ("671100", "6711"),
        "cycle_count_vat_out_account_id": ("22210105", "222100", "2221"),
        "cycle_count_gain_clearing_account_id": ("660200", "6602"),
        "cycle_count_stock_variation_account_id": ("140500", "1405"),
    }

    def _cycle_count_default_accounts(self):
        """The two-step and periodic accounts found by their Chinese chart code
        in this company, for those not set yet: {field: account}."""
        self.ensure_one()
        codes = {c for codes in self._CYCLE_COUNT_CN_CODES.values() for c in codes}
        # Account codes are per company in Odoo 18: read them as this company.
        Account = self.env["account.account"].with_company(self)
        accounts = Account.search(
            [
                *Account._check_company_domain(self),
                ("code", "in", list(codes)),
            ]
        )
        by_code = {account.code: account for account in accounts}
        defaults = {}
        for field, candidates in self._CYCLE_COUNT_CN_CODES.items():
            if self[field]:
                continue
            found = next((by_code[c] for c in candidates if c in by_code), None)
            if found:
                defaults[field] = found
        return defaults
