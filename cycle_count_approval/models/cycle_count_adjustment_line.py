from odoo import api, fields, models
from odoo.exceptions import AccessError


class CycleCountAdjustmentLine(models.Model):
    """One variance as it was submitted for approval: the figures are frozen, so
    that what is approved is exactly what is applied to stock."""

    _name = "cycle.count.adjustment.line"
    _description = "Variance"
    _order = "adjustment_id, location_id, product_id, id"
    _check_company_auto = True

    adjustment_id = fields.Many2one(
        "cycle.count.adjustment",
        string="Variance Report",
        required=True,
        ondelete="cascade",
        index=True,
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
    unit_cost = fields.Float(digits="Product Price", aggregator=None)
    currency_id = fields.Many2one(related="adjustment_id.currency_id")
    variance_value = fields.Monetary()
    reason_id = fields.Many2one(
        related="count_line_id.reason_id", readonly=False, string="Reason"
    )
    counter_id = fields.Many2one("res.users", string="Counted By")
    # What the counter saw, as they said it: read-only beside the reason.
    count_hint = fields.Selection(related="count_line_id.count_hint")
    count_note = fields.Char(related="count_line_id.note", string="Counter's Note")
    counted_at = fields.Datetime()
    attachment_ids = fields.Many2many(
        related="count_line_id.attachment_ids", string="Photos"
    )

    @api.model
    def _get_editable_fields(self):
        """Only the reason of a variance may change once it is reported (it is
        the count line's reason): the figures stay what the approvers approve.
        A bridge that adds a field to set during approval extends this."""
        return ["reason_id"]

    def write(self, vals):
        frozen = set(vals) - set(self._get_editable_fields())
        if frozen and not self.env.su:
            raise AccessError(
                self.env._(
                    "A reported variance cannot be changed (%(fields)s): what is "
                    "approved is what is applied to stock. Reject it to have the "
                    "item recounted.",
                    fields=", ".join(sorted(frozen)),
                )
            )
        return super().write(vals)

    def _get_posting_values(self):
        """``{line id: (unit cost, value)}``: what applying these variances now
        will post, rounded per line as the valuation layer is (company
        currency), so that the report's totals equal the entries to the cent.
        Here the product's cost (standard or average: what Odoo posts for
        both); accounting values FIFO losses from the layers they will consume
        and lot-valued products per lot. Read in the order the lines are
        applied (``_get_lines_to_apply``)."""
        values = {}
        for line in self:
            unit = line.product_id.with_company(line.company_id).standard_price
            values[line.id] = (unit, line.currency_id.round(line.difference_qty * unit))
        return values

    def _prepare_stock_move_vals(self):
        """The inventory move of the approved difference, between the item and
        the product's inventory-loss location, as core builds one for an
        inventory adjustment (stock.quant._get_inventory_move_values), linked
        back to this variance and valued at the cost of the count."""
        self.ensure_one()
        company = self.adjustment_id.company_id
        product = self.product_id.with_company(company)
        inventory_location = product.property_stock_inventory
        quantity = abs(self.difference_qty)
        # A quant in memory only: core's method reads the item from it.
        quant = self.env["stock.quant"].new(
            {
                "product_id": product.id,
                "location_id": self.location_id.id,
                "lot_id": self.lot_id.id,
                "package_id": self.package_id.id,
                "owner_id": self.owner_id.id,
                "company_id": company.id,
            }
        )
        name = self.env._(
            "Cycle count %(adjustment)s", adjustment=self.adjustment_id.name
        )
        quant = quant.with_context(inventory_name=name)
        if self.difference_qty > 0:
            vals = quant._get_inventory_move_values(
                quantity,
                inventory_location,
                self.location_id,
                package_dest_id=self.package_id,
            )
        else:
            vals = quant._get_inventory_move_values(
                quantity,
                self.location_id,
                inventory_location,
                package_id=self.package_id,
            )
        vals.update(
            {
                "origin": self.adjustment_id.task_id.name,
                "price_unit": self.unit_cost,
                "cycle_count_adjustment_line_id": self.id,
            }
        )
        return vals
