from odoo import models


class StockValuationLayer(models.Model):
    _inherit = "stock.valuation.layer"

    def _validate_accounting_entries(self):
        """While a variance report is applied (context flag set by its
        ``_apply_lines``), its layers get no entry of their own: the report
        posts one entry for all of them once applied (``_post_variance_entry``)."""
        if self.env.context.get("cycle_count_defer_entry"):
            deferred = self.filtered(
                lambda layer: layer.stock_move_id.cycle_count_adjustment_line_id
            )
            return super(
                StockValuationLayer, self - deferred
            )._validate_accounting_entries()
        return super()._validate_accounting_entries()
