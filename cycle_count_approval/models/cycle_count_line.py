from odoo import api, models
from odoo.tools import SQL


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

    @api.model
    def _is_count_miss(self, alias):
        # A difference within its tolerance (issue 9) is not a miss: the
        # dashboards' IRA and the adaptive frequency count it as a hit. Known
        # once the variance report judged the line; until then, any difference.
        return SQL(
            "(%s AND NOT EXISTS (SELECT 1 FROM cycle_count_adjustment_line tol"
            " WHERE tol.count_line_id = %s.id AND tol.within_tolerance))",
            super()._is_count_miss(alias),
            SQL.identifier(alias),
        )
