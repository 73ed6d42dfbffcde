from odoo import fields, models

from .cycle_count_adjustment import APPLY_CHUNK_DEFAULT, APPLY_CHUNK_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cycle_count_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Cycle Count Currency"
    )
    cycle_count_reason_required_above = fields.Monetary(
        related="company_id.cycle_count_reason_required_above",
        currency_field="cycle_count_currency_id",
        readonly=False,
    )
    cycle_count_max_recounts = fields.Integer(
        related="company_id.cycle_count_max_recounts", readonly=False
    )
    cycle_count_tie_break = fields.Selection(
        related="company_id.cycle_count_tie_break", readonly=False
    )
    # The system parameter it always was (scripts and older set-ups write it):
    # a report of more lines is posted in the background, this many a chunk.
    cycle_count_apply_chunk_size = fields.Integer(
        string="Post in the background above",
        config_parameter=APPLY_CHUNK_PARAM,
        default=APPLY_CHUNK_DEFAULT,
        help="A variance report of more lines than this is posted by a background "
        "job, this many lines per transaction; a smaller one is posted in the "
        "approver's click.",
    )
