from odoo import fields, models


class CycleCountTask(models.Model):
    _inherit = "cycle.count.task"

    device_sync_date = fields.Datetime(
        string="Last Counts Received",
        readonly=True,
        copy=False,
        help="When the last batch of counts arrived from a device or an integration.",
    )
    sync_record_ids = fields.One2many(
        "cycle.count.sync.record", "task_id", string="Sync Records", readonly=True
    )
