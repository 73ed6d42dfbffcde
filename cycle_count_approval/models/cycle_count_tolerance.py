from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

# The limits of one side (gains or losses): quantity %, absolute quantity, value.
LIMIT_FIELDS = {
    "gain": ("gain_pct", "gain_qty", "gain_value"),
    "loss": ("loss_pct", "loss_qty", "loss_value"),
}


class CycleCountTolerance(models.Model):
    """A limit on the differences of a count, for a scope (company, warehouse,
    location subtree, product category, ABC class, product). Two kinds on one
    model, resolved apart: a *tolerance* accepts a difference within it without
    approval; a *recount threshold* sends a difference beyond it to be counted
    again by another counter before anything goes to approval. The most specific
    rule of a kind wins (see ``_specificity``)."""

    _name = "cycle.count.tolerance"
    _description = "Cycle Count Tolerance"
    _order = "kind, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    kind = fields.Selection(
        [
            ("tolerance", "Tolerance"),
            ("recount", "Recount Threshold"),
        ],
        required=True,
        default="tolerance",
        help="Tolerance: a difference within every limit set is accepted without "
        "approval. Recount threshold: a difference beyond a limit set is counted "
        "again, by another counter, before it goes to approval.",
    )
    sequence = fields.Integer(
        default=10, help="Between two rules as specific, the first one wins."
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True)
    location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="This location and every location inside it.",
    )
    categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        help="This category and its subcategories.",
    )
    abc_class_id = fields.Many2one(
        "cycle.count.abc.class",
        string="ABC Class",
        help="The products of this class (the company's ABC classification).",
    )
    product_id = fields.Many2one("product.product", check_company=True)
    gain_pct = fields.Float(
        string="Gain (%)",
        digits=(5, 2),
        help="Largest gain accepted, in percent of the book quantity. 0: not set.",
    )
    gain_qty = fields.Float(
        string="Gain (Quantity)",
        digits="Product Unit of Measure",
        help="Largest gain accepted, in the product's unit. 0: not set.",
    )
    gain_value = fields.Monetary(
        string="Gain (Value)", help="Largest gain accepted, in value. 0: not set."
    )
    loss_pct = fields.Float(
        string="Loss (%)",
        digits=(5, 2),
        help="Largest loss accepted, in percent of the book quantity. 0: not set.",
    )
    loss_qty = fields.Float(
        string="Loss (Quantity)",
        digits="Product Unit of Measure",
        help="Largest loss accepted, in the product's unit. 0: not set.",
    )
    loss_value = fields.Monetary(
        string="Loss (Value)", help="Largest loss accepted, in value. 0: not set."
    )

    @api.constrains(*LIMIT_FIELDS["gain"], *LIMIT_FIELDS["loss"])
    def _check_limits(self):
        for rule in self:
            fields_ = LIMIT_FIELDS["gain"] + LIMIT_FIELDS["loss"]
            if any(rule[name] < 0 for name in fields_):
                raise ValidationError(
                    self.env._(
                        "%(rule)s: a limit cannot be negative (0 means not set).",
                        rule=rule.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Resolution
    # ------------------------------------------------------------------
    def _specificity(self):
        """The sort key of a rule, most specific first: product, then ABC class,
        then product category (deeper first), then location (deeper first), then
        warehouse, then the company alone; then sequence."""
        self.ensure_one()
        return (
            -bool(self.product_id),
            -bool(self.abc_class_id),
            -(self.categ_id.parent_path or "").count("/"),
            -(self.location_id.parent_path or "").count("/"),
            -bool(self.warehouse_id),
            self.sequence,
            self.id,
        )

    def _matches(self, item):
        """Whether this rule's scope holds ``item`` (a dict of the item's
        product, category path, ABC class, location path, warehouse, company)."""
        self.ensure_one()
        return (
            self.company_id.id == item["company_id"]
            and (not self.product_id or self.product_id.id == item["product_id"])
            and (not self.abc_class_id or self.abc_class_id.id == item["abc_class_id"])
            and (
                not self.categ_id
                or item["categ_path"].startswith(self.categ_id.parent_path)
            )
            and (
                not self.location_id
                or item["location_path"].startswith(self.location_id.parent_path)
            )
            and (not self.warehouse_id or self.warehouse_id.id == item["warehouse_id"])
        )

    @api.model
    def _resolve(self, lines, kind):
        """{variance line id: the rule of ``kind`` that applies to it (or an empty
        recordset)}, for all of ``lines`` (cycle.count.adjustment.line) at once:
        one search of the rules of their companies, matched in memory."""
        rules = (
            self.sudo()
            .search(
                [("kind", "=", kind), ("company_id", "in", lines.company_id.ids)],
            )
            .sorted(lambda rule: rule._specificity())
        )
        result = {}
        for line in lines:
            company = line.company_id
            product = line.product_id.with_company(company)
            item = {
                "company_id": company.id,
                "product_id": product.id,
                "abc_class_id": product.cycle_count_abc_class_id.id,
                "categ_path": product.categ_id.parent_path or "",
                "location_path": line.location_id.parent_path or "",
                "warehouse_id": line.adjustment_id.warehouse_id.id,
            }
            rule = next((rule for rule in rules if rule._matches(item)), rules[:0])
            # Read as the reviewer who sees the line: the rule is shown on it.
            result[line.id] = rule.with_env(self.env)
        return result

    def _is_within(self, difference, book, value, product, currency):
        """Whether a difference is within this rule's limits of its side (gain or
        loss): every limit set holds; a side with no limit set allows nothing
        (zero). No difference is always within."""
        rounding = product.uom_id.rounding
        if not float_compare(difference, 0.0, precision_rounding=rounding):
            return True
        if not self:
            return False
        names = LIMIT_FIELDS["gain" if difference > 0 else "loss"]
        pct, qty, amount = (self[name] for name in names)
        if not (pct or qty or amount):
            return False
        size = abs(difference)
        if pct and (
            book <= 0 or float_compare(size * 100.0 / book, pct, precision_digits=4) > 0
        ):
            return False
        if qty and float_compare(size, qty, precision_rounding=rounding) > 0:
            return False
        if amount and currency.compare_amounts(abs(value), amount) > 0:
            return False
        return True
