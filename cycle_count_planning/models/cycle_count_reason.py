from odoo import fields, models


class CycleCountReason(models.Model):
    _name = "cycle.count.reason"
    _description = "Variance Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short code used in reports and by integrations.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the reason between companies.",
    )
    is_receiving_error = fields.Boolean(
        string="Receiving Error",
        help="Variances of this reason come from receiving: when they dominate a "
        "category's variances, the dashboard proposes counting right after its "
        "receipts.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "A variance reason code must be unique per company.",
        ),
    ]
