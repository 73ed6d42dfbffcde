from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, formatLang
from odoo.tools.safe_eval import safe_eval

from .cycle_count_capacity import WORKING_WEEKDAYS
from .cycle_count_task import counter_domain

PRIORITIES = [
    ("0", "Normal"),
    ("1", "High"),
    ("2", "Very High"),
    ("3", "Urgent"),
]
# What a broken product filter raises while it is being typed in a form.
DOMAIN_ERRORS = (ValueError, SyntaxError, KeyError, TypeError, NameError)


class CycleCountRule(models.Model):
    """Which (product, location) items to count, and how often. The dimensions
    combine freely: product filter, ABC classes, recent movement, unit cost and
    on-hand value, warehouses and location subtrees."""

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
    currency_id = fields.Many2one(related="company_id.currency_id")

    # --- Where ----------------------------------------------------------
    warehouse_ids = fields.Many2many(
        "stock.warehouse",
        "cycle_count_rule_warehouse_rel",
        "rule_id",
        "warehouse_id",
        string="Warehouses",
        check_company=True,
        help="Count in these warehouses. Empty: every warehouse of the company.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Main Warehouse",
        compute="_compute_warehouse_id",
        inverse="_inverse_warehouse_id",
        store=True,
        check_company=True,
        help="The first of the rule's warehouses; setting it replaces them.",
    )
    location_ids = fields.Many2many(
        "stock.location",
        string="Locations",
        check_company=True,
        domain="[('usage', 'in', ('internal', 'view')), ('company_id', '=', company_id)]",
        help="Count only in these locations and their sublocations (zones, aisles). "
        "Empty: every internal location of the warehouses.",
    )

    # --- What -----------------------------------------------------------
    product_domain = fields.Char(
        string="Products",
        default="[]",
        required=True,
        help="Which products this rule counts: category, tags, supplier, tracking, "
        "any product field.",
    )
    abc_profile_id = fields.Many2one(
        "cycle.count.abc.profile",
        string="ABC Profile",
        check_company=True,
        help="Whose classes the ABC filter reads. Empty: the company-wide profile.",
    )
    abc_class_ids = fields.Many2many(
        "cycle.count.abc.class",
        "cycle_count_rule_abc_class_rel",
        "rule_id",
        "class_id",
        string="ABC Classes",
        help="Only products of these classes. Empty: any class.",
    )
    move_direction = fields.Selection(
        [
            ("out", "Outgoing"),
            ("in", "Incoming"),
            ("any", "Incoming or outgoing"),
        ],
        string="Moved",
        help="Only items with moves out of (or into) their location recently. "
        "Empty: movement does not matter. Inventory adjustments and scrap are not "
        "movements.",
    )
    move_days = fields.Integer(
        aggregator=None,
        string="Within the Last (Days)",
        default=30,
        help="The moves of this many days, today included, are counted.",
    )
    move_min_count = fields.Integer(
        aggregator=None,
        string="At Least (Moves)",
        default=1,
        help="How many such moves an item needs to be selected.",
    )
    unit_cost_min = fields.Float(
        aggregator=None,
        string="Unit Cost From",
        digits="Product Price",
        help="Only products that cost at least this much. 0: any cost.",
    )
    onhand_value_min = fields.Monetary(
        aggregator=None,
        string="On-hand Value From",
        help="Only items whose quantity × cost at the location is at least this "
        "much. 0: any value.",
    )

    # --- How often -------------------------------------------------------
    frequency_type = fields.Selection(
        [("days", "Every N days"), ("per_year", "N counts a year")],
        string="Frequency",
        required=True,
        default="days",
    )
    frequency_days = fields.Integer(
        aggregator=None,
        string="Count Every (Days)",
        default=30,
        required=True,
        help="An item is due again this many days after its last count.",
    )
    counts_per_year = fields.Integer(
        default=12, aggregator=None, help="How many times a year each item is counted."
    )
    interval_days = fields.Integer(
        aggregator=None,
        string="Interval (Days)",
        compute="_compute_interval_days",
        store=True,
        help="Days between two counts of an item: the days, or 365 ÷ counts a year.",
    )
    # --- Adaptive frequency ---------------------------------------------
    adaptive_frequency = fields.Boolean(
        help="Count an item more often after recent counts missed, less often "
        "after a run of hits, within the minimum and maximum interval.",
    )
    interval_min_days = fields.Integer(
        aggregator=None,
        string="Minimum Interval (Days)",
        compute="_compute_interval_bounds",
        store=True,
        readonly=False,
        help="Misses shorten an item's interval down to this many days.",
    )
    interval_max_days = fields.Integer(
        aggregator=None,
        string="Maximum Interval (Days)",
        compute="_compute_interval_bounds",
        store=True,
        readonly=False,
        help="A run of hits relaxes an item's interval up to this many days; an "
        "item is never planned later than this after its last count.",
    )
    adaptive_window = fields.Integer(
        aggregator=None,
        string="Recent Counts Looked At",
        default=3,
        help="How many of the item's last counts decide its interval.",
    )
    priority = fields.Selection(
        PRIORITIES,
        default="0",
        required=True,
        help="When capacity is short, overdue items go first, then the higher "
        "priority, then class A before B before C.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Counter",
        domain=counter_domain,
        help="Who gets the tasks this rule plans. Empty: the warehouse's counters "
        "share them (Counting Capacity), else a supervisor assigns them.",
    )
    trigger_ids = fields.Many2many(
        "cycle.count.trigger",
        "cycle_count_rule_trigger_rel",
        "rule_id",
        "trigger_id",
        string="Event Triggers",
        check_company=True,
        domain="[('apply_to', '=', 'rules'), ('company_id', '=', company_id)]",
        help="Events that also plan a count of this rule's items (triggers that "
        "apply to selected rules).",
    )
    line_ids = fields.Many2many(
        "cycle.count.line",
        "cycle_count_line_rule_rel",
        "rule_id",
        "line_id",
        string="Planned Lines",
        readonly=True,
    )

    # --- Preview ---------------------------------------------------------
    preview_item_count = fields.Integer(
        string="Items Selected",
        compute="_compute_preview",
        help="How many (product, location) items the rule selects now.",
    )
    preview_lines_per_day = fields.Float(
        string="Lines per Working Day",
        compute="_compute_preview",
        digits=(16, 2),
        help="The work this rule makes on its own: items ÷ interval, spread over "
        "the working days of its first warehouse.",
    )
    due_item_count = fields.Integer(
        compute="_compute_preview",
        string="Due Now",
        help="Items this rule selects that are due today and not in an open task.",
    )

    @api.depends("warehouse_ids")
    def _compute_warehouse_id(self):
        for rule in self:
            rule.warehouse_id = rule.warehouse_ids[:1]

    def _inverse_warehouse_id(self):
        for rule in self:
            rule.warehouse_ids = rule.warehouse_id

    @api.depends("frequency_type", "frequency_days", "counts_per_year")
    def _compute_interval_days(self):
        for rule in self:
            if rule.frequency_type == "per_year":
                rule.interval_days = max(1, 365 // max(rule.counts_per_year, 1))
            else:
                rule.interval_days = max(rule.frequency_days, 1)

    @api.depends("interval_days", "adaptive_frequency")
    def _compute_interval_bounds(self):
        # Not adaptive, or not set yet: both bounds are the rule's interval
        # (the plan of a rule that does not adapt).
        for rule in self:
            if not rule.adaptive_frequency or not rule.interval_min_days:
                rule.interval_min_days = rule.interval_days
            if not rule.adaptive_frequency or not rule.interval_max_days:
                rule.interval_max_days = rule.interval_days

    @api.depends(
        "company_id",
        "warehouse_ids",
        "location_ids",
        "product_domain",
        "abc_profile_id",
        "abc_class_ids",
        "move_direction",
        "move_days",
        "move_min_count",
        "unit_cost_min",
        "onhand_value_min",
        "interval_days",
        "active",
    )
    def _compute_preview(self):
        planner = self.env["cycle.count.planner"]
        today = fields.Date.context_today(self)
        capacity = self.env["cycle.count.capacity"]
        for rule in self:
            rule.preview_item_count = 0
            rule.preview_lines_per_day = 0.0
            rule.due_item_count = 0
            if not rule.company_id or not rule._is_valid_for_preview():
                continue
            selected, due = planner._count_rule_items(rule, today)
            rule.preview_item_count = selected
            rule.due_item_count = due
            warehouse = rule.warehouse_ids[:1] or self.env["stock.warehouse"].search(
                [("company_id", "=", rule.company_id.id)], limit=1
            )
            weekdays = (
                capacity._get_settings(warehouse)[warehouse.id]["weekdays"]
                if warehouse
                else WORKING_WEEKDAYS["all"]
            )
            rule.preview_lines_per_day = (
                selected / max(rule.interval_days, 1) * 7 / len(weekdays)
            )

    def _is_valid_for_preview(self):
        """A filter being typed may not parse yet: the preview then shows 0 and
        the constraint explains the problem when the rule is saved."""
        try:
            self.env["product.product"]._search(self._get_product_domain())
        except DOMAIN_ERRORS:
            return False
        return self.interval_days > 0 and (
            not self.move_direction or (self.move_days > 0 and self.move_min_count > 0)
        )

    @api.constrains("frequency_type", "frequency_days", "counts_per_year")
    def _check_frequency_days(self):
        for rule in self:
            if rule.frequency_type == "days" and rule.frequency_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the frequency must be at least one day.",
                        rule=rule.display_name,
                    )
                )
            if (
                rule.frequency_type == "per_year"
                and not 1 <= rule.counts_per_year <= 365
            ):
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: count between 1 and 365 times a year.",
                        rule=rule.display_name,
                    )
                )

    @api.constrains(
        "adaptive_frequency",
        "interval_min_days",
        "interval_max_days",
        "adaptive_window",
        "interval_days",
    )
    def _check_adaptive_frequency(self):
        for rule in self.filtered("adaptive_frequency"):
            if not (
                1 <= rule.interval_min_days <= rule.interval_days
                and rule.interval_days <= rule.interval_max_days
            ):
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the minimum interval must be at least one "
                        "day and at most the interval (%(days)s days), the maximum "
                        "at least the interval.",
                        rule=rule.display_name,
                        days=rule.interval_days,
                    )
                )
            if not 1 <= rule.adaptive_window <= 50:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: look at between 1 and 50 recent counts.",
                        rule=rule.display_name,
                    )
                )

    @api.constrains(
        "move_direction",
        "move_days",
        "move_min_count",
        "unit_cost_min",
        "onhand_value_min",
    )
    def _check_thresholds(self):
        for rule in self:
            if rule.move_direction and (rule.move_days < 1 or rule.move_min_count < 1):
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the movement filter needs at least one day "
                        "and at least one move.",
                        rule=rule.display_name,
                    )
                )
            if rule.unit_cost_min < 0 or rule.onhand_value_min < 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the cost and value thresholds cannot be "
                        "negative.",
                        rule=rule.display_name,
                    )
                )

    @api.constrains("product_domain")
    def _check_product_domain(self):
        for rule in self:
            try:
                self.env["product.product"]._search(rule._get_product_domain())
            except DOMAIN_ERRORS as error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the product filter is not valid (%(error)s).",
                        rule=rule.display_name,
                        error=error,
                    )
                ) from error

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The warehouses given explicitly win over the main warehouse.
            if vals.get("warehouse_ids"):
                vals.pop("warehouse_id", None)
        rules = super().create(vals_list)
        if any("trigger_ids" in vals for vals in vals_list):
            self._triggers_changed()
        return rules

    def write(self, vals):
        if vals.get("warehouse_ids"):
            vals = {k: v for k, v in vals.items() if k != "warehouse_id"}
        res = super().write(vals)
        if "trigger_ids" in vals:
            self._triggers_changed()
        return res

    def _triggers_changed(self):
        # Event triggers cache the ids of the rules they apply to; an archived or
        # deleted rule is left out when they fire, so only links matter here.
        self.env.registry.clear_cache()

    # ------------------------------------------------------------------
    # Selection, as SQL
    # ------------------------------------------------------------------
    def _get_product_domain(self):
        self.ensure_one()
        return safe_eval(self.product_domain or "[]")

    def _get_abc_profile(self):
        self.ensure_one()
        if self.abc_profile_id:
            return self.abc_profile_id
        return self.env["cycle.count.abc.profile"].search(
            [("company_id", "=", self.company_id.id), ("warehouse_id", "=", False)],
            limit=1,
        )

    def _location_scope_sql(self, company, warehouse, path):
        """Conditions on the given columns: the rule's company, warehouses and
        location subtrees."""
        self.ensure_one()
        conditions = [SQL("%s = %s", company, self.company_id.id)]
        if self.warehouse_ids:
            conditions.append(SQL("%s IN %s", warehouse, tuple(self.warehouse_ids.ids)))
        if self.location_ids:
            paths = [f"{p}%" for p in self.location_ids.mapped("parent_path")]
            conditions.append(SQL("%s LIKE ANY(%s)", path, paths))
        return conditions

    def _scope_sql(self, company, warehouse, path, product):
        """The rule's scope as a condition on the given columns: its company,
        warehouses, location subtrees, products and ABC classes. Movement, cost and
        value thresholds are not part of the scope (see the planner)."""
        self.ensure_one()
        products = (
            self.env["product.product"]
            .with_company(self.company_id)
            ._search([*self._get_product_domain(), ("is_storable", "=", True)])
        )
        conditions = [
            *self._location_scope_sql(company, warehouse, path),
            SQL("%s IN %s", product, products.subselect()),
        ]
        if self.abc_class_ids:
            profile = self._get_abc_profile()
            conditions.append(
                SQL(
                    """EXISTS (SELECT 1 FROM cycle_count_product_class pc
                                WHERE pc.profile_id = %s AND pc.product_id = %s
                                  AND pc.abc_class_id IN %s)""",
                    profile.id or 0,
                    product,
                    tuple(self.abc_class_ids.ids),
                )
            )
        return SQL("(%s)", SQL(" AND ").join(conditions))

    def _adaptive_interval_sql(self, history):
        """SQL: the interval of an item of this adaptive rule, from its row of
        ``history`` (an alias of the planner's history CTE), with the misses and
        counts it looked at. With m misses in the last k ≤ n counts (n: the
        window), interval I, bounds [min, max]:
        no count yet: I; m > 0: max(min, round(I × (1 − m / n)));
        m = 0: min(max, I + round((max − I) × k / n))."""
        self.ensure_one()
        seen = SQL(
            "LEAST(%s, COALESCE(CARDINALITY(%s.misses_upto), 0))",
            self.adaptive_window,
            SQL.identifier(history),
        )
        misses = SQL(
            "COALESCE(%s.misses_upto[%s], 0)::int", SQL.identifier(history), seen
        )
        interval = max(self.interval_days, 1)
        window = max(self.adaptive_window, 1)
        frequency = SQL(
            """CASE WHEN %(seen)s = 0 THEN %(interval)s
                    WHEN %(misses)s > 0 THEN GREATEST(%(minimum)s,
                         ROUND(%(interval)s * (1 - %(misses)s::numeric / %(window)s)))
                    ELSE LEAST(%(maximum)s, %(interval)s
                         + ROUND((%(maximum)s - %(interval)s) * %(seen)s::numeric
                                 / %(window)s))
               END::int""",
            seen=seen,
            misses=misses,
            interval=interval,
            window=window,
            minimum=max(min(self.interval_min_days, interval), 1),
            maximum=max(self.interval_max_days, interval),
        )
        return frequency, misses, seen

    def _explain_line(self, line, sets_frequency=False):
        """One sentence: this rule, and the figures of ``line`` that it matched."""
        self.ensure_one()
        env = self.env
        quoted = line._explain_figures()
        figures = []
        if self.abc_class_ids and line.abc_class_id:
            figures.append(
                env._("class %(abc_class)s", abc_class=line.abc_class_id.name)
            )
        if self.move_direction:
            directions = dict(
                self._fields["move_direction"]._description_selection(env)
            )
            figures.append(
                env._(
                    "%(count)s move(s) %(direction)s in the last %(days)s days "
                    "(at least %(minimum)s)",
                    count=(line.plan_moves or {}).get(str(self.id), 0),
                    direction=directions[self.move_direction].lower(),
                    days=self.move_days,
                    minimum=self.move_min_count,
                )
            )
        if self.unit_cost_min:
            figures.append(
                env._(
                    "unit cost %(cost)s (from %(minimum)s)",
                    cost=quoted["cost"],
                    minimum=formatLang(
                        env, self.unit_cost_min, currency_obj=self.currency_id
                    ),
                )
            )
        if self.onhand_value_min:
            figures.append(
                env._(
                    "on-hand value %(value)s (from %(minimum)s)",
                    value=quoted["value"],
                    minimum=formatLang(
                        env, self.onhand_value_min, currency_obj=self.currency_id
                    ),
                )
            )
        if figures:
            text = env._(
                "Rule “%(rule)s”, every %(days)s days: %(figures)s.",
                rule=self.name,
                days=self.interval_days,
                figures="; ".join(figures),
            )
        else:
            text = env._(
                "Rule “%(rule)s”, every %(days)s days.",
                rule=self.name,
                days=self.interval_days,
            )
        if sets_frequency and len(line.rule_ids) > 1:
            text += " " + env._(
                "It is the most frequent of the rules that selected the item."
            )
        return text

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_plan_now(self):
        # The planner writes as superuser: only who may change the rules runs it.
        self.check_access("write")
        tasks = self.env["cycle.count.planner"]._plan(self)
        return tasks._action_open_planned()

    @api.model
    def action_plan_companies(self):
        """Plan Counts Now: the active rules and the open events of the companies
        the user works in, then check the coverage."""
        self.check_access("write")
        companies = self.env.companies
        rules = self.search([("company_id", "in", companies.ids)])
        tasks = self.env["cycle.count.planner"]._plan(rules, companies=companies)
        # Coverage rows are written by the system only (nobody has write access).
        self.env["cycle.count.coverage"].sudo()._refresh(companies)
        return tasks._action_open_planned()

    @api.model
    def _cron_plan_counts(self):
        """Plan every warehouse of every company with active rules or open
        events, one warehouse at a time. The cron runs as the superuser:
        planning is the system's decision.

        Under the cron, each call plans one warehouse and reports progress: the
        cron commits it and calls again (each warehouse its own transaction; a
        run killed midway keeps the warehouses done and plans the rest next
        time). Called directly, it plans them all in the caller's transaction.
        With a job queue installed, ``_enqueue_warehouse_plans`` hands each
        warehouse to a job instead."""
        today = fields.Date.context_today(self)
        companies = self._get_companies_to_plan()
        Warehouse = self.env["stock.warehouse"]
        if self._enqueue_warehouse_plans(companies, today):
            return
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        while self._plan_next_warehouse(companies, today):
            if in_cron:
                remaining = Warehouse.search_count(
                    [
                        ("company_id", "in", companies.ids),
                        "|",
                        ("cycle_count_plan_date", "=", False),
                        ("cycle_count_plan_date", "<", today),
                    ]
                )
                self.env["ir.cron"]._notify_progress(done=1, remaining=remaining)
                return

    @api.model
    def _get_companies_to_plan(self):
        """The companies with an active rule or an open event."""
        with_rules = {
            company.id
            for (company,) in self._read_group([("active", "=", True)], ["company_id"])
        }
        with_events = {
            company.id
            for (company,) in self.env["cycle.count.event"]._read_group(
                [("state", "=", "open")], ["company_id"]
            )
        }
        return self.env["res.company"].browse(sorted(with_rules | with_events))

    @api.model
    def _enqueue_warehouse_plans(self, companies, today):
        """Hook for a job queue: hand the daily planning of each warehouse of
        ``companies`` to a background job and return True; here, nothing to
        hand over (the cron does the work itself)."""
        return False

    @api.model
    def _plan_next_warehouse(self, companies, today, warehouses=None):
        """The daily run's unit of work: lock one warehouse of ``companies`` (of
        ``warehouses`` when given) not yet planned today, plan it with its
        company's active rules and open events, refresh its coverage; return
        it, or an empty recordset when none is left to do (or the rest is
        being planned by another transaction)."""
        Warehouse = warehouses or self.env["stock.warehouse"]
        warehouse = Warehouse._cycle_count_lock_next_to_plan(today, companies)
        if not warehouse:
            return warehouse
        company = warehouse.company_id
        rules = self.search([("company_id", "=", company.id)])
        self.env["cycle.count.planner"].with_company(company)._plan(
            rules, today=today, companies=company, warehouses=warehouse
        )
        self.env["cycle.count.coverage"].with_company(company)._refresh(
            company, today=today, warehouses=warehouse
        )
        return warehouse
