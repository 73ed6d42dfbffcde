from odoo import fields, models
from odoo.exceptions import AccessError

# Only the reason of a variance may change once it is reported (it is the count
# line's reason): the figures stay what the approvers approve.
EDITABLE_VARIANCE_FIELDS = {"reason_id"}


class CycleCountAdjustmentLine(models.Model):
    """One variance as it was submitted for approval: the figures are frozen, so
    that what is approved is exactly what gets posted."""

    _name = "cycle.count.adjustment.line"
    _description = "Cycle Count Variance"
    _order = "adjustment_id, location_id, product_id, id"
    _check_company_auto = True

    adjustment_id = fields.Many2one(
        "cycle.count.adjustment", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="adjustment_id.company_id", store=True)
    count_line_id = fields.Many2one(
        "cycle.count.line", required=True, ondelete="restrict", index=True
    )
    location_id = fields.Many2one("stock.location", required=True)
    product_id = fields.Many2one("product.product", required=True)
    default_code = fields.Char(related="product_id.default_code", string="Product Code")
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number")
    package_id = fields.Many2one("stock.quant.package")
    owner_id = fields.Many2one("res.partner")
    book_qty = fields.Float(string="Book Quantity", digits="Product Unit of Measure")
    counted_qty = fields.Float(
        string="Counted Quantity", digits="Product Unit of Measure"
    )
    difference_qty = fields.Float(string="Difference", digits="Product Unit of Measure")
    unit_cost = fields.Float(digits="Product Price")
    currency_id = fields.Many2one(related="adjustment_id.currency_id")
    variance_value = fields.Monetary()
    reason_id = fields.Many2one(
        related="count_line_id.reason_id", readonly=False, string="Reason"
    )
    counter_id = fields.Many2one("res.users", string="Counted By")
    counted_at = fields.Datetime()
    attachment_ids = fields.Many2many(
        related="count_line_id.attachment_ids", string="Photos"
    )

    def write(self, vals):
        frozen = set(vals) - EDITABLE_VARIANCE_FIELDS
        if frozen and not self.env.su:
            raise AccessError(
                self.env._(
                    "A reported variance cannot be changed (%(fields)s): what is "
                    "approved is what gets posted. Reject it to have the item "
                    "recounted.",
                    fields=", ".join(sorted(frozen)),
                )
            )
        return super().write(vals)
