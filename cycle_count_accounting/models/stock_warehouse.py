from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    # A warehouse belongs to one company: a plain field, no property.
    cycle_count_analytic_distribution = fields.Json(
        string="Cycle Count Analytic",
        help="Analytic distribution of the gain and loss lines of the journal "
        "entries of this warehouse's cycle counts.",
    )
