from odoo import api, models


class CycleCountLine(models.Model):
    _inherit = "cycle.count.line"

    # The report facts follow every change of a line (its count, reason,
    # counter, recount): the tasks are marked, their rows rewritten once, before
    # the next read of a report or the commit.
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        self.env["cycle.count.report.fact"]._mark_dirty(lines.task_id)
        return lines

    def write(self, vals):
        tasks = self.task_id
        res = super().write(vals)
        self.env["cycle.count.report.fact"]._mark_dirty(tasks | self.task_id)
        return res

    def unlink(self):
        self.env["cycle.count.report.fact"]._mark_dirty(self.task_id)
        return super().unlink()
