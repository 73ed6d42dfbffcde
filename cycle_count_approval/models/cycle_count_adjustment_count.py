from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CycleCountAdjustmentCount(models.Model):
    """One count of a variance's item, in the order they were made: the first
    count, then each recount. Written by the system (the recount loop), never
    typed in: the history is what the approvers read before deciding."""

    _name = "cycle.count.adjustment.count"
    _description = "Variance Count History"
    _order = "line_id, sequence, id"

    line_id = fields.Many2one(
        "cycle.count.adjustment.line",
        string="Variance",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="line_id.company_id", store=True)
    count_line_id = fields.Many2one(
        "cycle.count.line", required=True, ondelete="restrict"
    )
    task_id = fields.Many2one(related="count_line_id.task_id", string="Task")
    product_id = fields.Many2one(related="line_id.product_id")
    location_id = fields.Many2one(related="line_id.location_id")
    needs_supervisor = fields.Boolean(related="line_id.needs_supervisor")
    sequence = fields.Integer(
        readonly=True, help="0: the first count; then recount 1, 2, …"
    )
    label = fields.Char(string="Count", compute="_compute_label")
    counter_id = fields.Many2one("res.users", string="Counted By", readonly=True)
    counted_at = fields.Datetime(readonly=True)
    book_qty = fields.Float(
        string="Book Quantity", digits="Product Unit of Measure", readonly=True
    )
    counted_qty = fields.Float(
        string="Counted Quantity", digits="Product Unit of Measure", readonly=True
    )
    difference_qty = fields.Float(
        string="Difference", digits="Product Unit of Measure", readonly=True
    )
    unit_cost = fields.Float(digits="Product Price", aggregator=None, readonly=True)
    currency_id = fields.Many2one(related="line_id.currency_id")
    variance_value = fields.Monetary(readonly=True)
    is_final = fields.Boolean(
        string="Final",
        readonly=True,
        help="The count whose figures the variance reports (after the tie-break).",
    )

    @api.depends("sequence", "is_final")
    def _compute_label(self):
        for count in self:
            label = (
                self.env._("Recount %(number)s", number=count.sequence)
                if count.sequence
                else self.env._("First count")
            )
            if count.is_final:
                label = self.env._("%(count)s (final)", count=label)
            count.label = label

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._("The counts of a variance are recorded by the count only.")
            )
        return super().write(vals)

    @api.model
    def _prepare_vals(self, line, count_line, sequence):
        """The history row of ``count_line`` (read as the system: its figures
        are the reviewers')."""
        count_line = count_line.sudo()
        return {
            "line_id": line.id,
            "count_line_id": count_line.id,
            "sequence": sequence,
            "counter_id": count_line.counter_id.id,
            "counted_at": count_line.counted_at,
            "book_qty": count_line.book_qty,
            "counted_qty": count_line.counted_qty,
            "difference_qty": count_line.difference_qty,
            "unit_cost": count_line.unit_cost,
            "variance_value": count_line.variance_value,
        }

    def action_use_this_count(self):
        """The supervisor decides (the tie-break, or counts that disagree): the
        variance reports this count's figures, before any decision is given."""
        self.ensure_one()
        line = self.line_id
        adjustment = line.adjustment_id
        if not self.env.user.has_group(
            "cycle_count_planning.group_cycle_count_supervisor"
        ):
            raise AccessError(
                self.env._("Only a supervisor decides which count a variance reports.")
            )
        adjustment._check_user_may_review(self.env.user)
        if not adjustment._is_before_first_decision():
            raise UserError(
                self.env._(
                    "The count of %(report)s can only be chosen before any tier "
                    "has decided on it.",
                    report=adjustment.name,
                )
            )
        line._use_count(self)
        adjustment.message_post(
            body=self.env._(
                "%(user)s chose the %(count)s of %(item)s (difference %(diff)s): "
                "the approval starts again on these figures.",
                user=self.env.user.name,
                count=self.label,
                item=line.product_id.display_name,
                diff=self.difference_qty,
            )
        )
        # The figures changed: the tiers are asked again, on the new value.
        adjustment._approval_flow()._drop_reviews()
        adjustment._submit()
        return True
