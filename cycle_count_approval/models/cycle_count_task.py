from odoo import SUPERUSER_ID, Command, api, fields, models

from odoo.addons.cycle_count_planning.models.cycle_count_line import REVIEWER_GROUPS


class CycleCountTask(models.Model):
    _inherit = "cycle.count.task"

    # Variance reports carry book quantities: counters never see them.
    adjustment_ids = fields.One2many(
        "cycle.count.adjustment",
        "task_id",
        string="Variance Reports",
        readonly=True,
        groups=REVIEWER_GROUPS,
    )
    adjustment_count = fields.Integer(
        string="Variance Report Count",
        compute="_compute_adjustment_count",
        groups=REVIEWER_GROUPS,
    )

    @api.depends("adjustment_ids")
    def _compute_adjustment_count(self):
        for task in self:
            task.adjustment_count = len(task.adjustment_ids)

    def _on_counted(self):
        # The variance report is the system's document: the counter may not
        # create one, but marking the task counted produces it. Made by the
        # system user, not as the counter: a user reads the messages they
        # author, and the report's would tell a blind counter that their counts
        # differed from the book.
        system = self.with_user(SUPERUSER_ID)
        # A recount feeds the report that waits for it (it has no report of its
        # own): done, then the report goes on with the recounted figures.
        waiting = system.env["cycle.count.adjustment"].search(
            [("recount_task_id", "in", self.ids), ("state", "=", "recount")]
        )
        recounts = self.browse(waiting.recount_task_id.ids)
        reported = (system - recounts)._create_adjustments().task_id
        # A task without difference has nothing to approve: planning ends it.
        res = super(CycleCountTask, self - reported)._on_counted()
        waiting._on_recount_counted()
        return res

    def _create_adjustments(self):
        """One variance report per task with differences, sent for approval."""
        # A variance already reported (and not rejected: a report split off
        # within tolerance, applied) is never reported twice.
        reported = (
            self.env["cycle.count.adjustment.line"]
            .search(
                [
                    ("adjustment_id.task_id", "in", self.ids),
                    ("adjustment_id.state", "!=", "rejected"),
                ]
            )
            .count_line_id
        )
        vals_list = [
            task._prepare_adjustment_vals(lines)
            for task in self
            if (
                lines := task.line_ids.filtered(
                    lambda line: line.has_difference and line not in reported
                )
            )
        ]
        adjustments = self.env["cycle.count.adjustment"].create(vals_list)
        # The tiers see what will post (FIFO layers, rounding), not the count's
        # estimate at the product's cost.
        adjustments._revalue_lines()
        adjustments._submit()
        return adjustments

    def _prepare_adjustment_vals(self, lines):
        self.ensure_one()
        return {
            "task_id": self.id,
            "company_id": self.company_id.id,
            "line_ids": [
                Command.create(line._prepare_adjustment_line_vals()) for line in lines
            ],
        }

    def _reopen_for_recount(self, reason=""):
        # Back to counting when a variance is rejected: the counter may not write
        # the state, the rejection is the system's transition.
        self.sudo().write(
            {
                "state": "in_progress",
                "date_counted": False,
                "is_recount": True,
                "recount_reason": reason or False,
            }
        )

    def action_view_adjustments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cycle_count_approval.cycle_count_adjustment_action"
        )
        action["domain"] = [("task_id", "=", self.id)]
        action["context"] = {}
        if self.adjustment_count == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.adjustment_ids.id
        return action
