from odoo import fields, models


class CycleCountSyncRecord(models.Model):
    """What a device or an integration sent, by the id the client generated: a
    count or a photo is applied at most once, however often it is sent (retries,
    two tabs, two devices sending the same queue). Only what was applied or
    superseded gets a record: a refused count may be sent again once fixed.
    (Named ``cycle.count.receipt`` up to 18.0.1.)"""

    _name = "cycle.count.sync.record"
    _description = "Cycle Count Sync Record"
    _order = "id desc"
    _rec_name = "client_ref"

    client_ref = fields.Char(string="Client ID", required=True, readonly=True)
    kind = fields.Selection(
        [("count", "Count"), ("photo", "Photo")],
        required=True,
        readonly=True,
        default="count",
    )
    task_id = fields.Many2one(
        "cycle.count.task", required=True, readonly=True, ondelete="cascade", index=True
    )
    line_id = fields.Many2one(
        "cycle.count.line", readonly=True, ondelete="cascade", index="btree_not_null"
    )
    company_id = fields.Many2one(
        related="task_id.company_id", store=True, index=True, precompute=True
    )
    user_id = fields.Many2one(
        "res.users", string="Sent By", required=True, readonly=True, index=True
    )
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
    counted_at = fields.Datetime(readonly=True)
    result = fields.Selection(
        [
            ("applied", "Applied"),
            ("superseded", "Superseded by a later count"),
        ],
        readonly=True,
        help="Superseded: the line already held a count made later than this one, "
        "which it keeps.",
    )
    attachment_id = fields.Many2one("ir.attachment", readonly=True, ondelete="set null")

    _sql_constraints = [
        (
            "client_ref_unique",
            "UNIQUE(client_ref)",
            "This client id was already received: a client id names one count or "
            "one photo.",
        ),
    ]
