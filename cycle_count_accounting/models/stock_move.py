from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    # A cycle count gain is credited, and a loss debited, on the variance's own
    # account (cycle.count.adjustment.line._get_variance_account: the inventory
    # gain / loss account, or the suspense account in two-step posting) instead
    # of the stock interim accounts; other moves, or a company without them,
    # keep core's accounts.
    def _get_src_account(self, accounts_data):
        if self.cycle_count_adjustment_line_id:
            return (
                self.cycle_count_adjustment_line_id._get_variance_account().id
                or super()._get_src_account(accounts_data)
            )
        return super()._get_src_account(accounts_data)

    def _get_dest_account(self, accounts_data):
        if self.cycle_count_adjustment_line_id:
            return (
                self.cycle_count_adjustment_line_id._get_variance_account().id
                or super()._get_dest_account(accounts_data)
            )
        return super()._get_dest_account(accounts_data)
