from odoo import api, fields, models
from odoo.exceptions import UserError


class CycleCountAdjustmentDecision(models.TransientModel):
    """One decision over the reports of the variances selected in the workbench.

    All or nothing: every report is checked first (the user's turn, separation
    of duties, required reasons, the comment); if any is refused, the refusal
    names each refused report and why, and none is decided. Otherwise each is
    decided through its own validate_tier / reject_tier."""

    _name = "cycle.count.adjustment.decision"
    _description = "Variance Reports Decision"

    decision = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject")], required=True
    )
    adjustment_ids = fields.Many2many(
        "cycle.count.adjustment", string="Variance Reports", required=True
    )
    comment = fields.Text(
        help="Required to reject: the counters read it before counting again."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "adjustment_ids" in fields_list
            and context.get("active_model") == "cycle.count.adjustment.line"
        ):
            lines = self.env["cycle.count.adjustment.line"].browse(
                context.get("active_ids") or []
            )
            values["adjustment_ids"] = [fields.Command.set(lines.adjustment_id.ids)]
        return values

    def action_confirm(self):
        self.ensure_one()
        approve = self.decision == "approve"
        refusals = [
            (adjustment, refusal)
            for adjustment in self.adjustment_ids
            for refusal in [adjustment._get_decision_refusal(approve, self.comment)]
            if refusal
        ]
        if refusals:
            raise UserError(
                self.env._(
                    "No report was decided; %(count)s of them cannot be:\n%(why)s",
                    count=len(refusals),
                    why="\n".join(
                        f"- {adjustment.name}: {refusal}"
                        for adjustment, refusal in refusals
                    ),
                )
            )
        for adjustment in self.adjustment_ids:
            adjustment._decide(approve, self.comment)
        return {"type": "ir.actions.act_window_close"}
