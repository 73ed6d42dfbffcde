from odoo import api, models


class CycleCountPlanner(models.AbstractModel):
    _inherit = "cycle.count.planner"

    @api.model
    def _plan(self, rules, today=None, companies=None, warehouses=None):
        # The planner writes its lines by SQL: their plan facts follow here.
        tasks = super()._plan(
            rules, today=today, companies=companies, warehouses=warehouses
        )
        self.env["cycle.count.report.fact"]._mark_dirty(tasks)
        return tasks
