from odoo import fields, models

from odoo.addons.cycle_count_planning.models.cycle_count_line import REVIEWER_GROUPS

# Task fields the report facts carry (or filter on).
FACT_FIELDS = {
    "state",
    "company_id",
    "warehouse_id",
    "user_id",
    "team_id",
    "scheduled_date",
    "is_recount",
}


class CycleCountTask(models.Model):
    _inherit = "cycle.count.task"

    accuracy = fields.Float(
        string="Accuracy (%)",
        compute="_compute_accuracy",
        digits=(5, 1),
        groups=REVIEWER_GROUPS,
        help="Share of lines counted without difference.",
    )
    value_accuracy = fields.Float(
        string="Value Accuracy (%)",
        compute="_compute_accuracy",
        digits=(5, 1),
        groups=REVIEWER_GROUPS,
        help="Share of the counted value that was counted without difference.",
    )

    def write(self, vals):
        res = super().write(vals)
        if FACT_FIELDS.intersection(vals):
            self.env["cycle.count.report.fact"]._mark_dirty(self)
        return res

    def _on_counted(self):
        res = super()._on_counted()
        # What follows a count may judge its lines (the approval's tolerances).
        self.env["cycle.count.report.fact"]._mark_dirty(self)
        return res

    def _compute_accuracy(self):
        figures = {
            task.id: (accuracy, value_accuracy)
            for task, accuracy, value_accuracy in self.env[
                "cycle.count.accuracy.report"
            ]._read_group(
                [("task_id", "in", self.ids)],
                ["task_id"],
                ["accuracy:avg", "value_accuracy:avg"],
            )
        }
        for task in self:
            task.accuracy, task.value_accuracy = figures.get(task.id, (0.0, 0.0))
