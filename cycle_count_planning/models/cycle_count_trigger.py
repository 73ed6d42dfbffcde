from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

EVENT_TYPES = [
    ("safety_stock", "Stock below the reorder minimum"),
    ("negative", "Negative quant"),
    ("empty", "Location emptied (zero confirmation)"),
    ("variance", "Variance over tolerance posted (recount)"),
    ("high_value", "High-value move"),
    ("receipt", "Receipt of products of chosen categories"),
]


class CycleCountTrigger(models.Model):
    """An event that plans a count by itself, switched on per company: for every
    item of the company, or only for the items in the scope of chosen rules."""

    _name = "cycle.count.trigger"
    _description = "Count Event Trigger"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    event_type = fields.Selection(EVENT_TYPES, required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(
        default=True, help="Switch the trigger off without losing its settings."
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    apply_to = fields.Selection(
        [
            ("company", "Every item of the company"),
            ("rules", "The items of the selected rules"),
        ],
        required=True,
        default="company",
        string="Applies To",
    )
    rule_ids = fields.Many2many(
        "cycle.count.rule",
        "cycle_count_rule_trigger_rel",
        "trigger_id",
        "rule_id",
        string="Rules",
        check_company=True,
        help="The trigger fires for the items these rules count (their "
        "warehouses, locations, products and ABC classes).",
    )
    deadline_days = fields.Integer(
        aggregator=None,
        string="Count Within (Days)",
        default=2,
        help="The count must be done this many days after it is due.",
    )
    recount_days = fields.Integer(
        aggregator=None,
        string="Recount After (Days)",
        default=7,
        help="Variance triggers: the item is recounted this many days after the "
        "variance was posted.",
    )
    tolerance_percent = fields.Float(
        aggregator=None,
        string="Tolerance (%)",
        default=5.0,
        help="Variance triggers: a posted difference larger than this share of the "
        "book quantity fires the trigger. 0: not checked.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    tolerance_value = fields.Monetary(
        aggregator=None,
        help="Variance triggers: a posted difference worth more than this fires "
        "the trigger. 0: not checked.",
    )
    value_threshold = fields.Monetary(
        aggregator=None,
        string="Move Value Threshold",
        default=10000.0,
        help="High-value move triggers: a single move worth at least this (quantity "
        "× cost) fires the trigger for the locations it leaves and reaches.",
    )
    product_category_ids = fields.Many2many(
        "product.category",
        "cycle_count_trigger_product_category_rel",
        "trigger_id",
        "category_id",
        string="Product Categories",
        help="Receipt triggers: a done receipt of a product of these categories "
        "(or their subcategories) plans a count where it was put away.",
    )
    event_count = fields.Integer(compute="_compute_event_count", string="Open Events")

    _sql_constraints = [
        (
            "type_company_uniq",
            "unique(company_id, event_type)",
            "A company has one trigger of each type.",
        ),
    ]

    @api.depends("event_type", "company_id")
    def _compute_display_name(self):
        labels = dict(self._fields["event_type"]._description_selection(self.env))
        for trigger in self:
            trigger.display_name = labels.get(trigger.event_type, "")

    def _compute_event_count(self):
        counts = {
            trigger.id: count
            for trigger, count in self.env["cycle.count.event"]._read_group(
                [("trigger_id", "in", self.ids), ("state", "in", ("open", "planned"))],
                ["trigger_id"],
                ["__count"],
            )
        }
        for trigger in self:
            trigger.event_count = counts.get(trigger._origin.id, 0)

    @api.constrains(
        "active",
        "product_category_ids",
        "deadline_days",
        "recount_days",
        "tolerance_percent",
        "tolerance_value",
        "value_threshold",
    )
    def _check_values(self):
        for trigger in self:
            if (
                min(
                    trigger.deadline_days,
                    trigger.recount_days,
                    trigger.tolerance_percent,
                    trigger.tolerance_value,
                    trigger.value_threshold,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Trigger %(trigger)s: days, tolerances and thresholds cannot "
                        "be negative.",
                        trigger=trigger.display_name,
                    )
                )
            if (
                trigger.event_type == "variance"
                and not trigger.tolerance_percent
                and not trigger.tolerance_value
            ):
                raise ValidationError(
                    self.env._(
                        "Trigger %(trigger)s: set a tolerance in percent, in value, "
                        "or both.",
                        trigger=trigger.display_name,
                    )
                )
            if (
                trigger.event_type == "receipt"
                and trigger.active
                and not trigger.product_category_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Trigger %(trigger)s: choose the product categories whose "
                        "receipts plan a count.",
                        trigger=trigger.display_name,
                    )
                )
            if trigger.event_type == "high_value" and not trigger.value_threshold:
                raise ValidationError(
                    self.env._(
                        "Trigger %(trigger)s: set the value from which a move fires it.",
                        trigger=trigger.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        triggers = super().create(vals_list)
        self.env.registry.clear_cache()
        return triggers

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    @api.model
    def _get_active_triggers(self, company_ids):
        """The active triggers of these companies, as plain values: stock move
        validation asks for them, so they are cached (no query at all while
        nothing changes)."""
        return [
            trigger
            for company_id in sorted(set(company_ids))
            for trigger in self._get_active_triggers_of_company(company_id)
        ]

    @api.model
    @tools.ormcache("company_id")
    def _get_active_triggers_of_company(self, company_id):
        # Cached for every user alike, and read when anybody's moves are done:
        # read as the system.
        triggers = (
            self.sudo()
            .with_context(active_test=True)
            .search([("company_id", "=", company_id)])
        )
        return tuple(
            {
                "id": trigger.id,
                "company_id": company_id,
                "event_type": trigger.event_type,
                "apply_to": trigger.apply_to,
                "rule_ids": tuple(trigger.rule_ids.ids),
                "deadline_days": trigger.deadline_days,
                "recount_days": trigger.recount_days,
                "tolerance_percent": trigger.tolerance_percent,
                "tolerance_value": trigger.tolerance_value,
                "value_threshold": trigger.value_threshold,
                # Receipts: the categories' paths, so that subcategories match.
                "category_paths": tuple(
                    trigger.product_category_ids.mapped("parent_path")
                ),
            }
            for trigger in triggers
        )

    @api.model
    def _create_company_defaults(self, companies):
        """One switched-off trigger of each type per company, ready to switch on."""
        # Every company gets its triggers, whoever creates the company.
        Trigger = self.sudo()
        existing = {
            (t.company_id.id, t.event_type)
            for t in Trigger.with_context(active_test=False).search(
                [("company_id", "in", companies.ids)]
            )
        }
        Trigger.create(
            [
                {
                    "company_id": company.id,
                    "event_type": event_type,
                    "sequence": sequence,
                    "active": False,
                }
                for company in companies
                for sequence, (event_type, _label) in enumerate(EVENT_TYPES)
                if (company.id, event_type) not in existing
            ]
        )
