from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    # Written by the company-wide ABC profile (one value per company).
    cycle_count_abc_class_id = fields.Many2one(
        "cycle.count.abc.class",
        string="ABC Class",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Computed by the company's ABC classification profile.",
    )
    cycle_count_abc_date = fields.Date(
        string="ABC Class Computed On",
        company_dependent=True,
        readonly=True,
        copy=False,
    )
