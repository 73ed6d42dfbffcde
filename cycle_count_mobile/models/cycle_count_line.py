from odoo import models


class CycleCountLine(models.Model):
    _inherit = "cycle.count.line"

    def _on_counts_recorded(self):
        # Every count, from the app, the API or the backend list, shows live.
        res = super()._on_counts_recorded()
        self.env["cycle.count.api"]._notify_count_progress(self.task_id)
        return res
