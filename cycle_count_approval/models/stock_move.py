from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    # The inventory move that applied an approved variance to stock.
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
        string="Variance Report",
    )
