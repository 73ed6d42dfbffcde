from odoo import models
from odoo.tools import SQL


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        res = super().write(vals)
        if "categ_id" in vals:
            # The reports carry the category of each line's product: a product
            # moved to another category moves its rows (one UPDATE a report).
            products = self.product_variant_ids
            for model in self.env["cycle.count.report.fact"]._fact_models():
                if "categ_id" in model._fields and "product_id" in model._fields:
                    self.env.cr.execute(
                        SQL(
                            "UPDATE %s SET categ_id = %s WHERE product_id = ANY(%s)",
                            SQL.identifier(model._table),
                            vals["categ_id"] or None,
                            products.ids,
                        )
                    )
                    model.invalidate_model(["categ_id"])
        return res
