from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    cycle_count_adjustment_id = fields.Many2one(
        "cycle.count.adjustment",
        string="Variance Report",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The cycle count variance report this entry books.",
    )
    cycle_count_entry_kind = fields.Selection(
        [
            ("periodic", "Periodic Valuation Booking"),
            ("clearing", "Suspense Clearing"),
        ],
        string="Cycle Count Entry",
        readonly=True,
        copy=False,
        help="An entry the cycle count posts itself (not Odoo's valuation of a "
        "stock move): variances at periodic valuation, or the clearing of the "
        "suspense on final approval (two-step posting).",
    )
