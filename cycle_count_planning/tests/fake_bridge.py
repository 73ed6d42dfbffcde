"""A bridge as another addon would write it, loaded only by test_planner_hook
(odoo_test_helper.FakeModelLoader): a stored field on the line that the planner
fills through its hook, and one it forgot."""

from odoo import api, fields, models
from odoo.tools import SQL


class CycleCountLine(models.Model):
    _inherit = "cycle.count.line"

    zone_code = fields.Char()
    forgotten_code = fields.Char()


class CycleCountPlanner(models.AbstractModel):
    _inherit = "cycle.count.planner"

    @api.model
    def _get_planned_line_columns(self):
        columns = super()._get_planned_line_columns()
        # The first part of the route: the warehouse's view location.
        columns["zone_code"] = SQL("split_part(d.route, '/', 1)")
        return columns
