from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval


class CycleCountRule(models.Model):
    _name = "cycle.count.rule"
    _description = "Cycle Count Planning Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    location_ids = fields.Many2many(
        "stock.location",
        string="Locations",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', warehouse_id)]",
        help="Count only in these locations and their sublocations. "
        "Empty: every internal location of the warehouse.",
    )
    product_domain = fields.Char(
        string="Products",
        default="[]",
        required=True,
        help="Which products this rule counts.",
    )
    frequency_days = fields.Integer(
        string="Count Every (Days)",
        default=30,
        required=True,
        help="An item is due again this many days after its last count.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Counter",
        domain=lambda self: [
            (
                "groups_id",
                "in",
                self.env.ref("cycle_count_planning.group_cycle_count_counter").id,
            )
        ],
        help="Who gets the tasks this rule plans. Empty: a supervisor assigns them.",
    )
    line_ids = fields.Many2many(
        "cycle.count.line",
        "cycle_count_line_rule_rel",
        "rule_id",
        "line_id",
        string="Planned Lines",
        readonly=True,
    )
    due_item_count = fields.Integer(
        compute="_compute_due_item_count",
        string="Due Now",
        help="Items this rule selects that are due and not already in an open task.",
    )

    @api.depends(
        "warehouse_id", "location_ids", "product_domain", "frequency_days", "active"
    )
    def _compute_due_item_count(self):
        planner = self.env["cycle.count.planner"]
        today = fields.Date.context_today(self)
        for rule in self:
            if not rule.id or not rule.warehouse_id:
                rule.due_item_count = 0
                continue
            rule.due_item_count = len(planner._due_items(rule, today))

    @api.constrains("frequency_days")
    def _check_frequency_days(self):
        for rule in self:
            if rule.frequency_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the frequency must be at least one day.",
                        rule=rule.display_name,
                    )
                )

    @api.constrains("product_domain")
    def _check_product_domain(self):
        for rule in self:
            try:
                self.env["product.product"]._search(rule._get_product_domain())
            except (ValueError, SyntaxError, KeyError, TypeError) as error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the product filter is not valid (%(error)s).",
                        rule=rule.display_name,
                        error=error,
                    )
                ) from error

    def _get_product_domain(self):
        self.ensure_one()
        return safe_eval(self.product_domain or "[]")

    def action_plan_now(self):
        tasks = self.env["cycle.count.planner"]._plan(self)
        return tasks._action_open_planned()

    @api.model
    def _cron_plan_counts(self):
        # The cron plans for every company: it reads the rules as superuser.
        for company, rules in self.sudo()._read_group(
            [("active", "=", True)], ["company_id"], ["id:recordset"]
        ):
            self.env["cycle.count.planner"].with_company(company)._plan(rules)
