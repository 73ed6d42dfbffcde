from odoo import fields, models


class CycleCountProductClass(models.Model):
    """The class of a product in a profile, written by the classification."""

    _name = "cycle.count.product.class"
    _description = "Product ABC Class"
    _order = "profile_id, rank, id"
    _rec_name = "product_id"

    profile_id = fields.Many2one(
        "cycle.count.abc.profile", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    warehouse_id = fields.Many2one("stock.warehouse")
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", index=True
    )
    abc_class_id = fields.Many2one(
        "cycle.count.abc.class", string="Class", required=True, ondelete="restrict"
    )
    basis_value = fields.Float(
        string="Value", digits="Product Price", help="What the products are ranked by."
    )
    share = fields.Float(string="Share (%)", digits=(5, 2), aggregator=None)
    cumulative_share = fields.Float(
        string="Cumulative (%)", digits=(5, 2), aggregator=None
    )
    # A rank or a share of a ranking summed over a group means nothing.
    rank = fields.Integer(aggregator=None)
    date = fields.Date(string="Computed On")

    _sql_constraints = [
        (
            "profile_product_uniq",
            "unique(profile_id, product_id)",
            "A product has one class per profile.",
        ),
    ]
