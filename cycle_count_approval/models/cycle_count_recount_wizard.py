from odoo import fields, models


class CycleCountRecountWizard(models.TransientModel):
    """The supervisor's "send to recount": chosen variances of a report, and the
    comment that reaches the counter of the recount."""

    _name = "cycle.count.recount.wizard"
    _description = "Send Variances to Recount"

    adjustment_id = fields.Many2one(
        "cycle.count.adjustment", string="Variance Report", required=True
    )
    line_ids = fields.Many2many(
        "cycle.count.adjustment.line",
        string="Variances",
        domain="[('adjustment_id', '=', adjustment_id)]",
        required=True,
    )
    comment = fields.Text(
        required=True,
        help="What the counter reads before counting again: what to check, "
        "never the book quantity.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.adjustment_id._send_to_recount(self.line_ids, self.comment)
        return {"type": "ir.actions.act_window_close"}
