from odoo import models


class CycleCountLine(models.Model):
    _inherit = "cycle.count.line"

    def _prepare_adjustment_line_vals(self):
        """The variance as reported: the count's figures, frozen."""
        self.ensure_one()
        return {
            "count_line_id": self.id,
            "location_id": self.location_id.id,
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "package_id": self.package_id.id,
            "owner_id": self.owner_id.id,
            "book_qty": self.book_qty,
            "counted_qty": self.counted_qty,
            "difference_qty": self.difference_qty,
            "unit_cost": self.unit_cost,
            "variance_value": self.variance_value,
            "counter_id": self.counter_id.id,
            "counted_at": self.counted_at,
        }
