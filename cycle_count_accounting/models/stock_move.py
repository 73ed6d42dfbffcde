from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    cycle_count_adjustment_line_id = fields.Many2one(
        "cycle.count.adjustment.line",
        string="Cycle Count Variance",
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
    cycle_count_adjustment_id = fields.Many2one(
        related="cycle_count_adjustment_line_id.adjustment_id",
        store=True,
        index="btree_not_null",
        string="Cycle Count Adjustment",
    )

    # A cycle count gain is credited, and a loss debited, on the company's
    # inventory gain / loss accounts instead of the stock interim accounts.
    def _get_src_account(self, accounts_data):
        if self.cycle_count_adjustment_line_id:
            return self.company_id.cycle_count_gain_account_id.id
        return super()._get_src_account(accounts_data)

    def _get_dest_account(self, accounts_data):
        if self.cycle_count_adjustment_line_id:
            return self.company_id.cycle_count_loss_account_id.id
        return super()._get_dest_account(accounts_data)
