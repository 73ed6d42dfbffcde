from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # Events may plan counts: safety stock, negative, empty, variance,
        # high value. One statement for the whole batch, none when no trigger is
        # switched on (the triggers are cached).
        self.env["cycle.count.event"]._fire_from_moves(moves)
        return moves
