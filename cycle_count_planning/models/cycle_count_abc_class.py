from odoo import fields, models


class CycleCountAbcClass(models.Model):
    """The three classes A, B and C (shipped as data): a small model so that rules
    pick classes with checkboxes and reports group by them."""

    _name = "cycle.count.abc.class"
    _description = "ABC Class"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="A, B or C.")
    sequence = fields.Integer(default=10)
    description = fields.Char(translate=True)
    color = fields.Integer()

    _sql_constraints = [
        ("code_uniq", "unique(code)", "An ABC class code must be unique."),
    ]
