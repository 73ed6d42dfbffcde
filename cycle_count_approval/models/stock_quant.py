from odoo import fields, models

from odoo.addons.cycle_count_planning.models.cycle_count_line import REVIEWER_GROUPS

# A variance is pending while it waits for approval or, approved before 18.0.2,
# still has to be applied to stock.
PENDING_STATES = ("to_approve", "recount", "approved")


class StockQuant(models.Model):
    _inherit = "stock.quant"

    cycle_count_pending_qty = fields.Float(
        string="Pending Variance",
        digits="Product Unit of Measure",
        compute="_compute_cycle_count_pending",
        groups=REVIEWER_GROUPS,
        help="The difference a cycle count found for this item that waits for "
        "approval (or, approved, to be applied to stock).",
    )
    cycle_count_pending_value = fields.Float(
        string="Pending Variance Value",
        digits="Product Price",
        compute="_compute_cycle_count_pending",
        groups=REVIEWER_GROUPS,
    )

    def _compute_cycle_count_pending(self):
        """One read_group for the whole page."""
        groups = self.env["cycle.count.adjustment.line"]._read_group(
            [
                ("adjustment_id.state", "in", PENDING_STATES),
                ("location_id", "in", self.location_id.ids),
                ("product_id", "in", self.product_id.ids),
            ],
            ["location_id", "product_id", "lot_id", "package_id", "owner_id"],
            ["difference_qty:sum", "variance_value:sum"],
        )
        pending = {
            (loc.id, product.id, lot.id, package.id, owner.id): (qty, value)
            for loc, product, lot, package, owner, qty, value in groups
        }
        for quant in self:
            quant.cycle_count_pending_qty, quant.cycle_count_pending_value = (
                pending.get(
                    (
                        quant.location_id.id,
                        quant.product_id.id,
                        quant.lot_id.id,
                        quant.package_id.id,
                        quant.owner_id.id,
                    ),
                    (0.0, 0.0),
                )
            )
