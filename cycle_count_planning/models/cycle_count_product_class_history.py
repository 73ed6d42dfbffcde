from odoo import fields, models


class CycleCountProductClassHistory(models.Model):
    """Every class change (and the first classification) of a product."""

    _name = "cycle.count.product.class.history"
    _description = "Product ABC Class Change"
    _order = "date desc, id desc"
    _rec_name = "product_id"

    profile_id = fields.Many2one(
        "cycle.count.abc.profile", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    warehouse_id = fields.Many2one("stock.warehouse")
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", index=True
    )
    old_class_id = fields.Many2one(
        "cycle.count.abc.class", string="From", ondelete="restrict"
    )
    new_class_id = fields.Many2one(
        "cycle.count.abc.class", string="To", required=True, ondelete="restrict"
    )
    basis_value = fields.Float(string="Value", digits="Product Price")
    date = fields.Date(required=True)
