from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # The one entry of a variance report (all its valuation layers).
    cycle_count_adjustment_id = fields.Many2one(
        "cycle.count.adjustment",
        string="Variance Report",
        readonly=True,
        index="btree_not_null",
        copy=False,
        # Who may read variance reports; accountants see the entry's ref.
        groups="cycle_count_planning.group_cycle_count_finance,"
        "cycle_count_planning.group_cycle_count_supervisor",
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

    def action_open_cycle_count_adjustment(self):
        self.ensure_one()
        adjustment = self.cycle_count_adjustment_id
        # An action names the record: only for who may read it.
        adjustment.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "cycle.count.adjustment",
            "res_id": adjustment.id,
            "view_mode": "form",
        }
