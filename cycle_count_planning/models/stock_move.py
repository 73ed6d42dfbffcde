from odoo import models
from odoo.tools.sql import create_index


class StockMove(models.Model):
    _inherit = "stock.move"

    def init(self):
        res = super().init()
        # The planner reads the count history: a product's inventory adjustments,
        # a small part of the moves.
        create_index(
            self.env.cr,
            "stock_move_cycle_count_inventory_index",
            self._table,
            ["product_id"],
            where="is_inventory IS TRUE AND state = 'done'",
        )
        return res

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # Events may plan counts: safety stock, negative, empty, variance,
        # high value. One small query for the whole batch, none when no trigger
        # is switched on (the triggers are cached).
        self.env["cycle.count.event"]._fire_from_moves(moves)
        return moves
