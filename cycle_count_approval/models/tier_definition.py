from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare, float_is_zero

ADJUSTMENT_MODEL = "cycle.count.adjustment"
MANAGER_GROUP = "cycle_count_planning.group_cycle_count_manager"
# The figures a value band may look at: fields of the variance report.
VALUE_BASES = [
    ("abs_variance_total", "Gains and losses (without sign)"),
    ("total_gain", "Gains"),
    ("total_loss", "Losses"),
]


class TierDefinition(models.Model):
    _inherit = "tier.definition"

    # ------------------------------------------------------------------
    # The approval policy of variance reports: the conditions of a tier, beside
    # its tier domain (definition_domain, for any other field of the report).
    # The report evaluates them with the domain (cycle.count.adjustment.
    # evaluate_tier), so a real report and the policy simulator agree.
    # ------------------------------------------------------------------
    is_cycle_count_tier = fields.Boolean(
        string="Variance Report Tier", compute="_compute_is_cycle_count_tier"
    )
    cycle_count_value_basis = fields.Selection(
        VALUE_BASES,
        string="Value Of",
        default="abs_variance_total",
        required=True,
        help="The report's figure the value band looks at: by default its gains "
        "and losses added without sign, so that a gain and a loss never cancel "
        "each other out of a tier.",
    )
    cycle_count_value_from = fields.Float(
        string="From Value",
        digits=(16, 2),
        help="The tier applies from this value on (in the report's currency).",
    )
    cycle_count_value_from_included = fields.Boolean(
        string="From Value Included",
        default=True,
        help="Whether a report of exactly the From value is in the band; "
        "unticked, the band starts above it.",
    )
    cycle_count_value_to = fields.Float(
        string="Up To Value",
        digits=(16, 2),
        help="The tier applies up to this value; 0: no upper limit.",
    )
    cycle_count_value_to_included = fields.Boolean(
        string="Up To Value Included",
        default=True,
        help="Whether a report of exactly the Up To value is in the band.",
    )
    cycle_count_direction = fields.Selection(
        [
            ("any", "Gains or losses"),
            ("gain", "Reports with gains"),
            ("loss", "Reports with losses"),
        ],
        string="Direction",
        default="any",
        required=True,
        help="Reports with gains: the tier applies when something was found in "
        "excess; with losses: when something was missing (a report may have both).",
    )
    cycle_count_warehouse_ids = fields.Many2many(
        "stock.warehouse",
        "tier_definition_cycle_count_warehouse_rel",
        "definition_id",
        "warehouse_id",
        string="Warehouses",
        help="The tier applies to the reports of these warehouses; empty: all.",
    )
    cycle_count_category_ids = fields.Many2many(
        "product.category",
        "tier_definition_cycle_count_category_rel",
        "definition_id",
        "category_id",
        string="Product Categories",
        help="The tier applies when any variance of the report is of a product in "
        "these categories or their subcategories; empty: all.",
    )
    cycle_count_condition = fields.Char(
        string="Conditions",
        compute="_compute_cycle_count_condition",
        help="The tier's conditions in words: value band, direction, warehouses, "
        "categories and whether a tier domain adds more.",
    )

    @api.depends("model")
    def _compute_is_cycle_count_tier(self):
        for definition in self:
            definition.is_cycle_count_tier = definition.model == ADJUSTMENT_MODEL

    @api.depends(
        "model",
        "cycle_count_value_basis",
        "cycle_count_value_from",
        "cycle_count_value_from_included",
        "cycle_count_value_to",
        "cycle_count_value_to_included",
        "cycle_count_direction",
        "cycle_count_warehouse_ids",
        "cycle_count_category_ids",
        "definition_domain",
    )
    def _compute_cycle_count_condition(self):
        for definition in self:
            definition.cycle_count_condition = (
                definition._get_cycle_count_condition_text()
                if definition.model == ADJUSTMENT_MODEL
                else False
            )

    def _get_cycle_count_band_text(self):
        self.ensure_one()
        basis = dict(
            self._fields["cycle_count_value_basis"]._description_selection(self.env)
        )[self.cycle_count_value_basis]
        low = self.cycle_count_value_from
        high = self.cycle_count_value_to
        if (
            float_is_zero(low, precision_digits=2)
            and self.cycle_count_value_from_included
        ):
            low_text = ""
        elif self.cycle_count_value_from_included:
            low_text = self.env._("from %(value)s", value=f"{low:,.2f}")
        else:
            low_text = self.env._("above %(value)s", value=f"{low:,.2f}")
        if float_is_zero(high, precision_digits=2):
            high_text = ""
        elif self.cycle_count_value_to_included:
            high_text = self.env._("up to %(value)s", value=f"{high:,.2f}")
        else:
            high_text = self.env._("below %(value)s", value=f"{high:,.2f}")
        band = " ".join(text for text in (low_text, high_text) if text)
        if not band:
            return self.env._("%(basis)s: any value", basis=basis)
        return self.env._("%(basis)s %(band)s", basis=basis, band=band)

    def _get_cycle_count_condition_text(self):
        self.ensure_one()
        parts = [self._get_cycle_count_band_text()]
        if self.cycle_count_direction != "any":
            parts.append(
                dict(
                    self._fields["cycle_count_direction"]._description_selection(
                        self.env
                    )
                )[self.cycle_count_direction]
            )
        if self.cycle_count_warehouse_ids:
            parts.append(
                self.env._(
                    "warehouses: %(names)s",
                    names=", ".join(self.cycle_count_warehouse_ids.mapped("name")),
                )
            )
        if self.cycle_count_category_ids:
            parts.append(
                self.env._(
                    "categories: %(names)s",
                    names=", ".join(
                        self.cycle_count_category_ids.mapped("complete_name")
                    ),
                )
            )
        if self.definition_type == "domain" and self._get_extra_domain():
            parts.append(self.env._("and the tier domain"))
        return " · ".join(parts)

    def _get_extra_domain(self):
        """The tier domain, when it says more than 'everything'."""
        self.ensure_one()
        domain = (self.definition_domain or "").strip()
        return domain if domain not in ("", "[]") else False

    def _get_cycle_count_policy_domain(self):
        """The tier's policy conditions as a domain on cycle.count.adjustment
        (empty for other models' tiers). Evaluated in memory (filtered_domain) by
        the report and by the simulator: no operator that needs a search
        (categories are expanded to their subcategories here, not child_of)."""
        self.ensure_one()
        if self.model != ADJUSTMENT_MODEL:
            return []
        basis = self.cycle_count_value_basis or "abs_variance_total"
        domain = []
        low = self.cycle_count_value_from
        if not float_is_zero(low, precision_digits=2) or not (
            self.cycle_count_value_from_included
        ):
            domain.append(
                (basis, ">=" if self.cycle_count_value_from_included else ">", low)
            )
        high = self.cycle_count_value_to
        if not float_is_zero(high, precision_digits=2):
            domain.append(
                (basis, "<=" if self.cycle_count_value_to_included else "<", high)
            )
        if self.cycle_count_direction == "gain":
            domain.append(("total_gain", ">", 0))
        elif self.cycle_count_direction == "loss":
            domain.append(("total_loss", ">", 0))
        if self.cycle_count_warehouse_ids:
            domain.append(("warehouse_id", "in", self.cycle_count_warehouse_ids.ids))
        if self.cycle_count_category_ids:
            # Every user who submits a report evaluates the policy: the category
            # tree is read as the system (product categories are public data).
            categories = (
                self.env["product.category"]
                .sudo()
                .search([("id", "child_of", self.cycle_count_category_ids.ids)])
            )
            domain.append(("line_ids.product_id.categ_id", "in", categories.ids))
        return domain

    @api.constrains(
        "cycle_count_value_from",
        "cycle_count_value_to",
        "cycle_count_value_from_included",
        "cycle_count_value_to_included",
    )
    def _check_cycle_count_value_band(self):
        for definition in self.filtered("is_cycle_count_tier"):
            low = definition.cycle_count_value_from
            high = definition.cycle_count_value_to
            if (
                float_compare(low, 0, precision_digits=2) < 0
                or float_compare(high, 0, precision_digits=2) < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Tier %(tier)s: the values of a band are not negative "
                        "(losses count without sign).",
                        tier=definition.name,
                    )
                )
            if not float_is_zero(high, precision_digits=2) and (
                float_compare(high, low, precision_digits=2) < 0
                or (
                    float_compare(high, low, precision_digits=2) == 0
                    and not (
                        definition.cycle_count_value_from_included
                        and definition.cycle_count_value_to_included
                    )
                )
            ):
                raise ValidationError(
                    self.env._(
                        "Tier %(tier)s: its value band from %(low)s up to %(high)s "
                        "holds no value.",
                        tier=definition.name,
                        low=f"{low:,.2f}",
                        high=f"{high:,.2f}",
                    )
                )

    @api.constrains("auto_validate", "model_id")
    def _check_cycle_count_no_auto_validate(self):
        # base_tier_validation_server_action's cron validates as the system (or
        # as the only reviewer, unasked): a variance report's tier is decided by
        # a person who did not count, never by the cron.
        if any(d.auto_validate for d in self.filtered("is_cycle_count_tier")):
            raise ValidationError(
                self.env._(
                    "A variance report's tier is never validated automatically: "
                    "somebody who did not count decides it. Use a tolerance or a "
                    "value band instead."
                )
            )

    @api.constrains("server_action_id", "rejected_server_action_id", "model_id")
    def _check_cycle_count_server_actions(self):
        # The tier's actions run as the system on the report: only actions made
        # for variance reports, not another model's.
        for definition in self.filtered("is_cycle_count_tier"):
            # Whoever sets the action on the tier may not read server actions
            # (the cycle count manager): their model is checked as the system.
            actions = (
                definition.server_action_id | definition.rejected_server_action_id
            ).sudo()
            if any(action.model_id.model != ADJUSTMENT_MODEL for action in actions):
                raise ValidationError(
                    self.env._(
                        "Tier %(tier)s: its actions on approval and on rejection "
                        "must be server actions of variance reports.",
                        tier=definition.name,
                    )
                )

    def _evaluate_review(self, review):
        # base_tier_validation_server_action's cron: never for a variance report
        # (refused by _check_cycle_count_no_auto_validate; this holds for a tier
        # flagged in the database behind the constraint's back).
        if review.model == ADJUSTMENT_MODEL:
            return self.env[ADJUSTMENT_MODEL]
        return super()._evaluate_review(review)

    cycle_count_deadline_hours = fields.Integer(
        string="Deadline (hours)",
        default=24,
        help="Variance reports: hours the reviewers of this tier have to decide, "
        "from the moment it is their turn. Past it, the hourly escalation gives "
        "the review to the escalation user (once). 0: no deadline.",
    )
    cycle_count_escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalation User",
        domain=[("share", "=", False)],
        help="Variance reports: who is told when a review of this tier is past "
        "its deadline. Empty: the cycle count managers of the report's company.",
    )

    @api.model
    def _get_tier_validation_model_names(self):
        res = super()._get_tier_validation_model_names()
        res.append(ADJUSTMENT_MODEL)
        return res

    @api.constrains("model", "has_forward")
    def _check_no_forward_on_adjustment(self):
        # OCA's forward hands a review to anybody its reviewer names, through a
        # wizard every internal user may run, and creates the new review as that
        # user: it would bypass the separation of duties. A reviewer who is away
        # delegates instead (cycle.count.approval.delegation), which the approval
        # flow checks at each decision.
        if any(tier.model == ADJUSTMENT_MODEL and tier.has_forward for tier in self):
            raise ValidationError(
                self.env._(
                    "Variance report tiers cannot be forwarded: a reviewer who is "
                    "away delegates their reviews instead (Variance Reports > "
                    "Approval Delegations)."
                )
            )

    @api.constrains("cycle_count_deadline_hours")
    def _check_cycle_count_deadline_hours(self):
        if any(tier.cycle_count_deadline_hours < 0 for tier in self):
            raise ValidationError(
                self.env._("The deadline of an approval tier cannot be negative.")
            )

    # The record rules give the variance report's tiers to the cycle count
    # manager alone (and refuse them to the settings administrators who configure
    # other models' tiers). A rule checks a record before a write only: these
    # guards refuse moving a tier onto the variance report, or off it, to anybody
    # else.
    def _check_adjustment_tier_manager(self, model_ids):
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        models_ = self.env["ir.model"].sudo().browse(model_ids)
        if ADJUSTMENT_MODEL in models_.mapped("model"):
            raise AccessError(
                self.env._(
                    "Only a cycle count manager configures the approval tiers of "
                    "variance reports."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_adjustment_tier_manager(
            [vals["model_id"] for vals in vals_list if vals.get("model_id")]
        )
        return super().create(vals_list)

    def write(self, vals):
        if "model_id" in vals:
            self._check_adjustment_tier_manager(
                self.model_id.ids + ([vals["model_id"]] if vals["model_id"] else [])
            )
        return super().write(vals)

    @api.model
    def _cycle_count_use_director_group(self):
        """Data hook (install and update): the shipped director tier reviews by
        the Operations Director group; one still on the cycle count manager
        group (as shipped before that group) moves to it, any other choice
        stays. Called by the data file, as the system."""
        tier = self.env.ref(
            "cycle_count_approval.tier_definition_adjustment_director",
            raise_if_not_found=False,
        )
        if tier and tier.reviewer_group_id == self.env.ref(MANAGER_GROUP):
            tier.reviewer_group_id = self.env.ref(
                "cycle_count_approval.group_cycle_count_director"
            )
