from odoo import fields, models


class CycleCountReportLineFact(models.AbstractModel):
    """The dimensions of the reports with one row per count line (accuracy,
    plan): the line and where and what it counted."""

    _name = "cycle.count.report.line.fact"
    _inherit = "cycle.count.report.fact"
    _description = "Cycle Count Report Line Facts"
    _log_access = False

    line_id = fields.Many2one(
        "cycle.count.line",
        string="Count Line",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    zone_id = fields.Many2one(
        "stock.location",
        readonly=True,
        help="The location right under the warehouse's stock location that "
        "holds the counted location (the location itself outside of it).",
    )
    location_id = fields.Many2one("stock.location", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Category", readonly=True)
    abc_class_id = fields.Many2one(
        "cycle.count.abc.class", string="ABC Class", readonly=True
    )
