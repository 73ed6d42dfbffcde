from odoo import Command, api, fields, models

from odoo.addons.cycle_count_planning.models.cycle_count_line import REVIEWER_GROUPS


class CycleCountTask(models.Model):
    _inherit = "cycle.count.task"

    # Variance reports carry book quantities: counters never see them.
    adjustment_ids = fields.One2many(
        "cycle.count.adjustment", "task_id", readonly=True, groups=REVIEWER_GROUPS
    )
    adjustment_count = fields.Integer(
        compute="_compute_adjustment_count", groups=REVIEWER_GROUPS
    )

    @api.depends("adjustment_ids")
    def _compute_adjustment_count(self):
        for task in self:
            task.adjustment_count = len(task.adjustment_ids)

    def _on_counted(self):
        res = super()._on_counted()
        # The variance report is the system's document: the counter may not create
        # adjustments, but marking the task counted produces one.
        self.sudo()._create_adjustments()
        return res

    def _create_adjustments(self):
        vals_list = []
        for task in self:
            lines = task.line_ids.filtered("has_difference")
            if not lines:
                task._action_done()
                continue
            vals_list.append(task._prepare_adjustment_vals(lines))
        adjustments = self.env["cycle.count.adjustment"].create(vals_list)
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


class CycleCountLine(models.Model):
    _inherit = "cycle.count.line"

    def _prepare_adjustment_line_vals(self):
        self.ensure_one()
        return {
            "count_line_id": self.id,
            "location_id": self.location_id.id,
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "package_id": self.package_id.id,
            "owner_id": self.owner_id.id,
            "book_qty": self.book_qty,
            "counted_qty": self.counted_qty,
            "difference_qty": self.difference_qty,
            "unit_cost": self.unit_cost,
            "variance_value": self.variance_value,
            "counter_id": self.counter_id.id,
            "counted_at": self.counted_at,
        }
