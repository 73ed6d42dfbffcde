import math
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero, format_date, formatLang
from odoo.tools.sql import create_index

from .cycle_count_planner import ITEM_FIELDS, OPEN_TASK_STATES
from .cycle_count_rule import PRIORITIES

# What a counter saw, said with the count; the supervisor still sets the variance
# reason (reason_id). One definition: the app's choices come from this field.
COUNT_HINTS = [
    ("damaged", "Damaged"),
    ("label", "Torn or unreadable label"),
    ("wrong_location", "Wrong location"),
    ("expired", "Expired"),
    ("other", "Other"),
]

REVIEWER_GROUPS = (
    "cycle_count_planning.group_cycle_count_supervisor,"
    "cycle_count_planning.group_cycle_count_finance"
)


class CountError(Exception):
    """One refused count (collected into :class:`CountRefused`)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class CountRefused(ValidationError):
    """Counts refused: nothing of them was written. ``items`` lists each refused
    count: ``{"index", "code", "message"}``."""

    def __init__(self, message, items=()):
        super().__init__(message)
        self.items = list(items)

    @classmethod
    def from_items(cls, env, items):
        items = sorted(items, key=lambda item: item["index"])
        if len(items) == 1:
            return cls(items[0]["message"], items)
        return cls(
            env._(
                "%(count)s counts are refused, nothing was written: %(first)s",
                count=len(items),
                first=items[0]["message"],
            ),
            items,
        )


class CycleCountLine(models.Model):
    _name = "cycle.count.line"
    _description = "Cycle Count Line"
    _order = "task_id, route_key, location_id, product_id, lot_id, id"
    _check_company_auto = True
    _rec_names_search = ["product_id", "location_id", "lot_id"]

    task_id = fields.Many2one(
        "cycle.count.task",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="task_id.company_id", store=True, index=True, precompute=True
    )
    warehouse_id = fields.Many2one(related="task_id.warehouse_id", store=True)
    state = fields.Selection(related="task_id.state", store=True, string="Task Status")
    location_id = fields.Many2one(
        "stock.location",
        required=True,
        index=True,
        check_company=True,
        domain="[('usage', '=', 'internal')]",
    )
    # The walking route: counters walk the locations in the order of their full
    # names (the sort key of the route, not a number).
    route_key = fields.Char(
        related="location_id.complete_name", store=True, string="Route"
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        check_company=True,
        domain="[('is_storable', '=', True)]",
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial Number",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    package_id = fields.Many2one("stock.quant.package", check_company=True)
    owner_id = fields.Many2one("res.partner")
    rule_ids = fields.Many2many(
        "cycle.count.rule",
        "cycle_count_line_rule_rel",
        "line_id",
        "rule_id",
        string="Planned By",
        readonly=True,
    )
    event_ids = fields.One2many(
        "cycle.count.event", "line_id", string="Events", readonly=True
    )
    # Why the line was planned: figures stored by the planner, read by the
    # explanation. On-hand figures are book quantities: never shown to counters.
    due_date = fields.Date(readonly=True, copy=False)
    last_count_date = fields.Date(
        string="Last Counted", readonly=True, copy=False, help="Before this task."
    )
    plan_frequency_days = fields.Integer(
        aggregator=None,
        string="Every (Days)",
        readonly=True,
        copy=False,
        help="The interval of the most frequent rule that selected the item.",
    )
    plan_priority = fields.Selection(
        PRIORITIES,
        string="Priority",
        readonly=True,
        copy=False,
    )
    abc_class_id = fields.Many2one(
        "cycle.count.abc.class", string="ABC Class", readonly=True, copy=False
    )
    plan_onhand_qty = fields.Float(
        string="On Hand When Planned",
        digits="Product Unit of Measure",
        readonly=True,
        copy=False,
        groups=REVIEWER_GROUPS,
    )
    plan_unit_cost = fields.Float(
        aggregator=None,
        string="Cost When Planned",
        digits="Product Price",
        readonly=True,
        copy=False,
        groups=REVIEWER_GROUPS,
    )
    plan_moves = fields.Json(
        readonly=True, copy=False, help="Recent moves of the item, per rule."
    )
    planned_interval = fields.Integer(
        aggregator=None,
        string="Planned Interval (Days)",
        readonly=True,
        copy=False,
        help="The days between counts the item was planned with: the rule's "
        "interval, or what an adaptive rule made of it.",
    )
    plan_misses = fields.Integer(
        aggregator=None,
        string="Recent Misses",
        readonly=True,
        copy=False,
        help="Adaptive rules: the misses among the recent counts looked at.",
    )
    plan_counts_seen = fields.Integer(
        aggregator=None,
        string="Recent Counts",
        readonly=True,
        copy=False,
        help="Adaptive rules: how many recent counts were looked at.",
    )
    interval_reason = fields.Char(
        string="Interval Explained",
        compute="_compute_interval_reason",
        help="Why the item is counted at this interval.",
    )
    plan_explain = fields.Text(
        string="Why Planned",
        compute="_compute_plan_explain",
        groups=REVIEWER_GROUPS,
    )
    counted_qty = fields.Float(
        string="Counted Quantity", digits="Product Unit of Measure", copy=False
    )
    is_counted = fields.Boolean(string="Counted", readonly=True, copy=False)
    book_qty = fields.Float(
        string="Book Quantity",
        digits="Product Unit of Measure",
        readonly=True,
        copy=False,
        groups=REVIEWER_GROUPS,
        help="On-hand quantity in the system at the moment of the count.",
    )
    difference_qty = fields.Float(
        string="Difference",
        digits="Product Unit of Measure",
        compute="_compute_difference",
        store=True,
        groups=REVIEWER_GROUPS,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    unit_cost = fields.Float(
        aggregator=None,
        digits="Product Price",
        readonly=True,
        copy=False,
        groups=REVIEWER_GROUPS,
        help="The product's cost at the moment of the count.",
    )
    variance_value = fields.Monetary(
        compute="_compute_difference",
        store=True,
        groups=REVIEWER_GROUPS,
        help="Difference × unit cost: positive for a gain, negative for a loss.",
    )
    has_difference = fields.Boolean(
        compute="_compute_difference", store=True, groups=REVIEWER_GROUPS
    )
    reason_id = fields.Many2one("cycle.count.reason")
    counter_id = fields.Many2one(
        "res.users", string="Counted By", readonly=True, copy=False
    )
    counted_at = fields.Datetime(readonly=True, copy=False)
    team_id = fields.Many2one(
        "cycle.count.team",
        string="Counting Team",
        compute="_compute_team_id",
        store=True,
        index="btree_not_null",
        help="The team of the counter when the line was counted.",
    )
    is_found = fields.Boolean(
        string="Found During Count",
        readonly=True,
        copy=False,
        help="Not listed by the plan: the counter found this item in the location.",
    )
    note = fields.Char()
    count_hint = fields.Selection(
        COUNT_HINTS,
        string="Counter's Hint",
        copy=False,
        help="What the counter saw, given with the count (the supervisor sets the "
        "variance reason).",
    )
    # A recount (the approval's recount loop) is a line of its own in a task of
    # its own: it names the count it recounts, which it supersedes. Reviewers'
    # figures: a counter never learns the earlier count through their line.
    recount_of_id = fields.Many2one(
        "cycle.count.line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=REVIEWER_GROUPS,
        help="The earlier count of the item that this line counts again.",
    )
    is_superseded = fields.Boolean(
        string="Superseded by a Recount",
        readonly=True,
        copy=False,
        help="A recount of the item was asked for: this count is no longer the "
        "open one (the recount's line is).",
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "cycle_count_line_attachment_rel",
        "line_id",
        "attachment_id",
        string="Photos",
    )

    _sql_constraints = [
        (
            "counted_qty_positive",
            "CHECK(counted_qty >= 0)",
            "A counted quantity cannot be negative.",
        ),
        # The last line of defence of "an item is never corrected twice" (two
        # transactions at once): _check_one_open_count says the same in words,
        # naming the item and the other task, before anything is written.
        (
            "one_open_count",
            "EXCLUDE USING btree (product_id WITH =, location_id WITH =, "
            "(COALESCE(lot_id, 0)) WITH =, (COALESCE(package_id, 0)) WITH =, "
            "(COALESCE(owner_id, 0)) WITH =) "
            "WHERE (state IN ('draft', 'in_progress', 'counted') "
            "AND NOT COALESCE(is_superseded, false))",
            "This item is already in another open count task: an item is counted "
            "by one open task at a time.",
        ),
    ]

    @api.depends("product_id", "location_id", "lot_id")
    def _compute_display_name(self):
        for line in self:
            parts = [line.product_id.display_name, line.location_id.display_name]
            if line.lot_id:
                parts.insert(1, line.lot_id.name)
            line.display_name = " — ".join(p for p in parts if p)

    @api.depends("is_counted", "counted_qty", "book_qty", "unit_cost")
    def _compute_difference(self):
        for line in self:
            if not line.is_counted:
                line.difference_qty = 0.0
                line.variance_value = 0.0
                line.has_difference = False
                continue
            rounding = line.product_id.uom_id.rounding
            difference = line.counted_qty - line.book_qty
            if float_is_zero(difference, precision_rounding=rounding):
                difference = 0.0
            line.difference_qty = difference
            line.variance_value = line.currency_id.round(difference * line.unit_cost)
            line.has_difference = bool(difference)

    def init(self):
        res = super().init()
        # The adaptive planner reads each item's last counts, most recent first.
        create_index(
            self.env.cr,
            "cycle_count_line_count_history_index",
            self._table,
            ["product_id", "location_id", "counted_at DESC"],
            where="is_counted",
        )
        return res

    @api.model
    def _is_count_miss(self, alias):
        """Hook: SQL, true when the counted line ``alias`` (a cycle_count_line
        alias) is a miss for the adaptive frequency: here, any difference
        between the count and the book. A bridge that knows a tolerance (the
        approval's, issue 9) narrows it with ``super()``, e.g.
        ``SQL("(%s AND NOT %s.within_tolerance)", super()._is_count_miss(alias),
        SQL.identifier(alias))``."""
        return SQL("COALESCE(%s.has_difference, FALSE)", SQL.identifier(alias))

    @api.depends_context("lang")
    @api.depends(
        "planned_interval", "plan_frequency_days", "plan_misses", "plan_counts_seen"
    )
    def _compute_interval_reason(self):
        for line in self:
            line.interval_reason = line._explain_interval()

    def _explain_interval(self):
        """One sentence on an adaptive interval, e.g. "every 7 days instead of
        15: 2 misses in the last 3 counts"; empty for a rule that does not
        adapt. It quotes no book figure: harmless for blind counting."""
        self.ensure_one()
        env = self.env
        if not self.plan_counts_seen or not self.planned_interval:
            return ""
        planned, base = self.planned_interval, self.plan_frequency_days
        if self.plan_misses:
            history = env._(
                "%(misses)s miss(es) in the last %(counts)s count(s)",
                misses=self.plan_misses,
                counts=self.plan_counts_seen,
            )
        else:
            history = env._(
                "no miss in the last %(counts)s count(s)",
                counts=self.plan_counts_seen,
            )
        if planned == base:
            return env._(
                "Every %(days)s days, the rule's interval: %(history)s.",
                days=planned,
                history=history,
            )
        return env._(
            "Every %(days)s days instead of %(base)s: %(history)s.",
            days=planned,
            base=base,
            history=history,
        )

    @api.depends("counter_id")
    def _compute_team_id(self):
        # The team at the moment of the count: a later change of teams does not
        # move the lines already counted.
        teams = self.env["cycle.count.team"]._get_team_of_users(
            self.counter_id, self.company_id
        )
        for line in self:
            line.team_id = teams.get((line.counter_id.id, line.company_id.id), False)

    @api.depends_context("lang")
    @api.depends(
        "rule_ids",
        "event_ids",
        "due_date",
        "last_count_date",
        "plan_frequency_days",
        "abc_class_id",
        "plan_onhand_qty",
        "plan_unit_cost",
        "plan_moves",
        "interval_reason",
    )
    def _compute_plan_explain(self):
        for line in self:
            line.plan_explain = line._explain()

    def _explain(self):
        """Why the planner planned this line: each rule with the figures that
        matched, each event, the last count and the due date."""
        self.ensure_one()
        env = self.env
        if not self.rule_ids and not self.event_ids:
            return env._("Not planned: added to the task by hand.")
        parts = []
        rules = self.rule_ids.sorted(lambda r: (r.interval_days, r.sequence, r.id))
        for rule in rules:
            parts.append(rule._explain_line(self, sets_frequency=rule == rules[:1]))
        for event in self.event_ids.sorted("date"):
            parts.append(
                env._(
                    "Event “%(event)s”: %(description)s Count by %(deadline)s.",
                    event=event.display_name,
                    description=event._describe(),
                    deadline=format_date(env, event.deadline),
                )
            )
        if self.interval_reason:
            parts.append(self.interval_reason)
        if self.last_count_date:
            parts.append(
                env._(
                    "Last counted on %(last)s; due on %(due)s.",
                    last=format_date(env, self.last_count_date),
                    due=format_date(env, self.due_date),
                )
            )
        else:
            parts.append(
                env._(
                    "Never counted: due on %(due)s.",
                    due=format_date(env, self.due_date),
                )
            )
        return "\n".join(parts)

    def _explain_figures(self):
        """The figures the explanation quotes, formatted for the reader."""
        self.ensure_one()
        currency = self.company_id.currency_id
        return {
            "qty": formatLang(
                self.env, self.plan_onhand_qty, dp="Product Unit of Measure"
            ),
            "cost": formatLang(self.env, self.plan_unit_cost, currency_obj=currency),
            "value": formatLang(
                self.env,
                self.plan_onhand_qty * self.plan_unit_cost,
                currency_obj=currency,
            ),
        }

    @api.constrains("counted_qty")
    def _check_counted_qty(self):
        for line in self:
            line._check_count_quantity(line.counted_qty)

    def _check_count_quantity(self, qty):
        """A count is a finite number, zero or more (a serial: 0 or 1); anything
        else is refused with a message that says what to enter."""
        self.ensure_one()
        refusal = self._count_quantity_refusal(qty, self.product_id)
        if refusal:
            raise ValidationError(refusal[1])

    @api.model
    def _count_quantity_refusal(self, qty, product):
        """The one definition of a valid counted quantity (backend, API, app and
        demo): ``None`` when ``qty`` may be recorded for ``product``, else
        ``(code, message)``; the API sends the code."""
        env = self.env
        if qty is None or qty is False:
            return (
                "not_a_number",
                env._("Enter a counted quantity, 0 when nothing is there."),
            )
        if (
            not isinstance(qty, int | float)
            or isinstance(qty, bool)
            or not math.isfinite(qty)
        ):
            return ("not_a_number", env._("The quantity must be a number."))
        rounding = product.uom_id.rounding or 0.001
        if float_compare(qty, 0.0, precision_rounding=rounding) < 0:
            return (
                "negative_quantity",
                env._(
                    "The counted quantity of %(product)s cannot be negative "
                    "(%(qty)s). Count what is there, 0 if nothing.",
                    product=product.display_name,
                    qty=qty,
                ),
            )
        if product.tracking == "serial" and qty not in (0.0, 1.0):
            return (
                "serial_quantity",
                env._(
                    "%(product)s is tracked by serial number: a serial is counted 1 "
                    "(there) or 0 (not there), not %(qty)s.",
                    product=product.display_name,
                    qty=qty,
                ),
            )
        return None

    @api.model_create_multi
    def create(self, vals_list):
        self._check_one_open_count_vals(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_counter_write(vals)
        if set(vals) & set(ITEM_FIELDS):
            self._check_one_open_count_vals(
                [
                    {**{f: line[f].id for f in ITEM_FIELDS}, **vals, "_line": line}
                    for line in self
                ]
            )
        if not self.env.su and "counted_qty" in vals:
            return self._write_counts(vals)
        res = super().write(vals)
        if vals.get("attachment_ids"):
            self._link_attachments()
        return res

    # ------------------------------------------------------------------
    # One open count of an item
    # ------------------------------------------------------------------
    @api.model
    def _open_count_key(self, vals):
        """The item of line values: (product, location, lot, package, owner),
        0 for none."""
        return tuple(
            (vals.get(f) or 0)
            if not isinstance(vals.get(f), models.BaseModel)
            else vals[f].id
            for f in ITEM_FIELDS
        )

    @api.model
    def _check_one_open_count_vals(self, vals_list):
        """Refuse lines (to be created or changed, in open tasks) whose item is
        already held by a line of another open task, or twice by these values:
        an item is never corrected twice (issue 10). Planner, events, hand-made
        tasks, found items and recounts all create lines through create(), so
        this is the one place. A recount replaces: it reuses the rejected line
        (counted again) or, made as a new line, is created after the original
        line is marked superseded (``is_superseded``) or its task closed, in
        the same transaction."""
        tasks = self.env["cycle.count.task"].browse(
            {vals["task_id"] for vals in vals_list if vals.get("task_id")}
        )
        items = {}
        for vals in vals_list:
            line = vals.get("_line")
            task = tasks.browse(vals["task_id"]) if vals.get("task_id") else None
            task = task or (line.task_id if line else None)
            if not task or (
                task.state not in OPEN_TASK_STATES and task != vals.get("_task")
            ):
                continue
            key = self._open_count_key(vals)
            if key in items:
                raise ValidationError(
                    self.env._(
                        "%(item)s is listed twice in task %(task)s: an item is "
                        "counted once.",
                        item=self._describe_item(key),
                        task=task.name,
                    )
                )
            items[key] = line.id if line else 0
        conflicts = self._open_count_conflicts(items)
        if conflicts:
            key, other = next(iter(conflicts.items()))
            raise ValidationError(
                self.env._(
                    "%(item)s is already being counted in task %(task)s: an item "
                    "has one open count at a time, so that a difference is never "
                    "corrected twice. Finish or cancel %(task)s first.",
                    item=self._describe_item(key),
                    task=other.task_id.sudo().name,
                )
            )

    @api.model
    def _open_count_conflicts(self, items):
        """``{item key: line}`` of the open lines that already hold one of
        ``items`` (``{key: id of the line that may hold it, or 0}``), in one
        query."""
        if not items:
            return {}
        self.flush_model([*ITEM_FIELDS, "state", "is_superseded"])
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s)",
                *key,
                line_id,
            )
            for key, line_id in items.items()
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT DISTINCT ON (v.p, v.l, v.lot, v.pkg, v.own)
                   v.p, v.l, v.lot, v.pkg, v.own, cl.id
              FROM (VALUES %(values)s) AS v(p, l, lot, pkg, own, line_id)
              JOIN cycle_count_line cl
                ON cl.product_id = v.p AND cl.location_id = v.l
               AND COALESCE(cl.lot_id, 0) = v.lot
               AND COALESCE(cl.package_id, 0) = v.pkg
               AND COALESCE(cl.owner_id, 0) = v.own
               AND cl.id != v.line_id
             WHERE cl.state IN %(open_states)s
               -- A line a recount replaces is no longer the item's open count.
               AND NOT COALESCE(cl.is_superseded, false)
             ORDER BY v.p, v.l, v.lot, v.pkg, v.own, cl.id
            """,
                values=values,
                open_states=OPEN_TASK_STATES,
            )
        )
        return {tuple(row[:5]): self.browse(row[5]) for row in rows}

    def _item_values(self):
        """This line's item as an open-count key."""
        self.ensure_one()
        return tuple(self[f].id or 0 for f in ITEM_FIELDS)

    @api.model
    def _describe_item(self, key):
        """The item of ``key`` in words: product, lot, package, owner, location."""
        product_id, location_id, lot_id, package_id, owner_id = key
        # sudo: only the names are read, for the message.
        env = self.sudo().env
        parts = [
            env["product.product"].browse(product_id).display_name,
            lot_id and env["stock.lot"].browse(lot_id).name,
            package_id and env["stock.quant.package"].browse(package_id).name,
            owner_id and env["res.partner"].browse(owner_id).display_name,
        ]
        return self.env._(
            "%(item)s in %(location)s",
            item=" / ".join(p for p in parts if p),
            location=env["stock.location"].browse(location_id).display_name,
        )

    # ------------------------------------------------------------------
    # Rights: what a counter may type, what only the count records
    # ------------------------------------------------------------------
    @api.model
    def _get_reviewer_groups(self):
        """The groups that read book figures and how a count ended (the xmlids
        of REVIEWER_GROUPS)."""
        return REVIEWER_GROUPS.split(",")

    @api.model
    def _get_counter_writable_fields(self):
        """What a counter may write on a line of their own task; a bridge adds
        its fields with ``super() | {...}``."""
        return {"counted_qty", "reason_id", "note", "count_hint", "attachment_ids"}

    @api.model
    def _get_count_snapshot_fields(self):
        """Fields recorded or computed by the count itself, never typed in: the
        variance report copies them, and what is approved is what gets posted."""
        return {
            "is_counted",
            "counted_at",
            "counter_id",
            "book_qty",
            "unit_cost",
            "difference_qty",
            "variance_value",
            "has_difference",
            "is_found",
        }

    def _check_counter_write(self, vals):
        if self.env.user.has_group("cycle_count_planning.group_cycle_count_supervisor"):
            forbidden = set(vals) & self._get_count_snapshot_fields()
            if forbidden:
                raise AccessError(
                    self.env._(
                        "%(fields)s are recorded by the count itself and cannot be "
                        "typed in.",
                        fields=", ".join(sorted(forbidden)),
                    )
                )
            return
        forbidden = set(vals) - self._get_counter_writable_fields()
        if forbidden:
            raise AccessError(
                self.env._(
                    "A counter can only enter the counted quantity, a reason, a note "
                    "and photos; ask a supervisor to change %(fields)s.",
                    fields=", ".join(sorted(forbidden)),
                )
            )
        # And only while the task is open for counting.
        self._check_countable()

    def _check_countable(self):
        self.task_id._check_open_for_counting()

    # ------------------------------------------------------------------
    # Counting: the one way a count is recorded
    # ------------------------------------------------------------------
    def _write_counts(self, vals):
        """A count typed in the backend: made now, so it obeys the later count
        wins like any other."""
        qty = vals["counted_qty"]
        for task in self.task_id:
            self._apply_counts(
                task,
                [
                    {"line": line, "quantity": qty}
                    for line in self.filtered(
                        lambda line, task=task: line.task_id == task
                    )
                ],
            )
        other = {k: v for k, v in vals.items() if k != "counted_qty"}
        if other:
            super().write(other)
            if other.get("attachment_ids"):
                self._link_attachments()
        return True

    def _record_counts(self, counts):
        """``counts``: a list of ``(line, quantity, counted_at)``. Kept for callers
        of 18.0.1: each task's counts go through :meth:`_apply_counts`."""
        by_task = defaultdict(list)
        for line, qty, counted_at in counts:
            by_task[line.task_id].append(
                {"line": line, "quantity": qty, "counted_at": counted_at}
            )
        lines = self.browse()
        for task, task_counts in by_task.items():
            results = self._apply_counts(task, task_counts)
            lines |= self.browse(
                [r["line"].id for r in results if r["status"] == "applied"]
            )
        return lines

    def _apply_counts(self, task, counts):
        """Record counts of ``task``: the backend list, the API, the app and the
        demo all count through here.

        ``counts`` is a list of dicts, one per count:

        - ``line`` (a line of ``task``) or ``line_id`` (its id); or, for an item the
          task does not list, ``location_id`` (a location of the task),
          ``product_id``, optionally ``lot_id`` or ``lot_name`` (a new name becomes
          a lot) and ``package_id``: such an item becomes a new line, ``is_found``;
        - ``quantity``: what is there, 0 or more (a serial: 0 or 1);
        - ``counted_at``: naive UTC datetime of the count, None for now (a moment
          in the future is taken as now);
        - ``note`` (optional): kept on the line with the count that is applied;
        - ``hint`` (optional): a value of :data:`COUNT_HINTS`, kept likewise;
        - ``index`` (optional): how refusals name the count (default: its place).

        The later count wins: of a line's counts, the latest is recorded unless the
        line already holds one made later; the others are ``superseded``. So the
        order in which devices sync does not matter.

        All or nothing: if any count is refused, nothing is written and
        :class:`CountRefused` lists every refused count. Returns, in the order of
        ``counts``, ``{"index", "line", "status": "applied" | "superseded", "at"}``.
        """
        task.ensure_one()
        task._check_can_transition()
        task._check_open_for_counting()
        items = [
            {**count, "index": count.get("index", position)}
            for position, count in enumerate(counts)
        ]
        found, lines_by_item, errors = self._resolve_count_items(task, items)
        if errors:
            raise CountRefused.from_items(self.env, errors)
        if found:
            self._create_found_lines(task, found, lines_by_item)
        return self._record_latest_counts(items)

    def _check_counts(self, task, counts):
        """The refusals :meth:`_apply_counts` would raise for ``counts``, without
        writing anything: ``[{"index", "code", "message"}]``."""
        items = [
            {**count, "index": count.get("index", position)}
            for position, count in enumerate(counts)
        ]
        return self._resolve_count_items(task, items)[2]

    def _resolve_count_items(self, task, items):
        """Set ``item["line"]`` on each count of a listed item and ``item["key"]``
        on each found item; check every quantity. Returns ``(found items, lines by
        item key, refusals)``; nothing is created here."""
        env = self.env
        task_lines = task.line_ids
        lines_by_id = {line.id: line for line in task_lines}
        lines_by_item = task_locations = known = None
        found, errors = [], []
        hints = dict(self._fields["count_hint"]._description_selection(env))
        for item in items:
            try:
                hint = item.get("hint")
                if hint is not None and hint not in hints:
                    raise CountError(
                        "invalid_hint",
                        env._(
                            "%(hint)s is not a hint: give one of %(hints)s.",
                            hint=hint,
                            hints=", ".join(hints),
                        ),
                    )
                line = item.get("line") or None
                line_id = item.get("line_id") or (line.id if line else None)
                if line_id:
                    line = lines_by_id.get(line_id)
                    if not line:
                        raise CountError(
                            "unknown_line",
                            env._(
                                "Line %(line)s is not a line of task %(task)s (it may "
                                "have been removed).",
                                line=line_id,
                                task=task.name,
                            ),
                        )
                    item["line"] = line
                    self._raise_quantity_refusal(item, line.product_id)
                    continue
                if lines_by_item is None:
                    # Only for items found where the task did not list them.
                    lines_by_item = {line._item_key(): line for line in task_lines}
                    task_locations = task_lines.location_id
                    known = self._found_item_records(task, items)
                key = self._resolve_found_item(task, item, task_locations, known)
                item["key"] = key
                line = lines_by_item.get(key)
                if line:
                    item["line"] = line
                else:
                    found.append(item)
            except CountError as error:
                errors.append(
                    {
                        "index": item["index"],
                        "code": error.code,
                        "message": error.message,
                    }
                )
        errors += self._found_items_in_open_counts(found)
        return found, lines_by_item, errors

    @api.model
    def _found_items_in_open_counts(self, found):
        """Refusals of found items another open task already counts (code
        ``item_in_open_task``, the API's 422): a found item is never counted
        twice either."""
        keys = {
            (key[1], key[0], key[2], key[3], 0): 0
            for key in (item["key"] for item in found)
            if not isinstance(key[2], str)
        }
        conflicts = self._open_count_conflicts(keys)
        errors = []
        for item in found:
            location_id, product_id, lot_key, package_id = item["key"]
            other = conflicts.get((product_id, location_id, lot_key, package_id, 0))
            if other:
                errors.append(
                    {
                        "index": item["index"],
                        "code": "item_in_open_task",
                        "message": self.env._(
                            "%(item)s is already being counted in task %(task)s: "
                            "count it there.",
                            item=self._describe_item(
                                (product_id, location_id, lot_key, package_id, 0)
                            ),
                            task=other.task_id.sudo().name,
                        ),
                    }
                )
        return errors

    @api.model
    def _raise_quantity_refusal(self, item, product):
        refusal = self._count_quantity_refusal(item.get("quantity"), product)
        if refusal:
            raise CountError(*refusal)

    def _item_key(self):
        """What a line counts: (location, product, lot or 0, package or 0)."""
        self.ensure_one()
        return (
            self.location_id.id,
            self.product_id.id,
            self.lot_id.id or 0,
            self.package_id.id or 0,
        )

    @api.model
    def _found_item_records(self, task, items):
        """What the found items name, read at once (a few queries per batch, not
        per count): the products and packages that exist and the user may read,
        the lots by id, and the lots by (name, product)."""
        env = self.env
        found = [
            item for item in items if not (item.get("line") or item.get("line_id"))
        ]

        def ids(field):
            return {
                item.get(field) for item in found if isinstance(item.get(field), int)
            }

        products = env["product.product"].browse(ids("product_id")).exists()
        products = products._filtered_access("read")
        products.fetch(["company_id", "is_storable", "tracking"])
        packages = env["stock.quant.package"].browse(ids("package_id")).exists()
        packages = packages._filtered_access("read")
        packages.fetch(["company_id"])
        # sudo: a counter may name the lot on the shelf without the right to read
        # lots; only its company, product and name are used.
        lots = env["stock.lot"].sudo().browse(ids("lot_id")).exists()
        lots.fetch(["company_id", "product_id", "name"])
        names = {item.get("lot_name") for item in found if item.get("lot_name")}
        named_lots = {}
        if names:
            # sudo: as above, a lot name is matched whatever the counter may read.
            for lot in (
                env["stock.lot"]
                .sudo()
                .search(
                    [
                        ("name", "in", list(names)),
                        ("product_id", "in", list(ids("product_id"))),
                        ("company_id", "in", [task.company_id.id, False]),
                    ],
                    order="id desc",
                )
            ):
                # The oldest lot of a name wins, as a search with limit=1 by id.
                named_lots[lot.name, lot.product_id.id] = lot.id
        return {
            "product.product": products,
            "stock.quant.package": packages,
            "stock.lot": lots,
            "named_lots": named_lots,
        }

    @api.model
    def _company_record(self, task, records, record_id):
        """The record of ``records`` (read beforehand) with this id if it is of
        the task's company or of none; else an empty recordset."""
        record = records.browse(record_id) & records
        if record.company_id not in (task.company_id, self.env["res.company"]):
            return records.browse()
        return record

    @api.model
    def _resolve_found_item(self, task, item, task_locations, known):
        """The key of an item the task does not list, checked: a location of the
        task, a storable product of its company, a lot when (and only when) the
        product is tracked, a package of its company."""
        env = self.env
        location = task_locations.filtered(
            lambda loc: loc.id == item.get("location_id")
        )
        if not location:
            raise CountError(
                "location_not_in_task",
                env._(
                    "Location %(location)s is not one of the locations of task "
                    "%(task)s.",
                    location=item.get("location_id"),
                    task=task.name,
                ),
            )
        product = self._company_record(
            task, known["product.product"], item.get("product_id")
        )
        if not product:
            raise CountError(
                "unknown_product",
                env._(
                    "Product %(product)s does not exist or belongs to another company.",
                    product=item.get("product_id"),
                ),
            )
        if not product.is_storable:
            raise CountError(
                "product_not_storable",
                env._(
                    "%(product)s is not tracked in stock; only storable products are "
                    "counted.",
                    product=product.display_name,
                ),
            )
        self._raise_quantity_refusal(item, product)
        lot_id, lot_name = item.get("lot_id"), item.get("lot_name")
        if product.tracking == "none" and (lot_id or lot_name):
            raise CountError(
                "product_not_tracked",
                env._(
                    "%(product)s has no lots or serial numbers; count it without a lot.",
                    product=product.display_name,
                ),
            )
        if product.tracking != "none" and not (lot_id or lot_name):
            raise CountError(
                "lot_required",
                env._(
                    "%(product)s is tracked by lot or serial number; give its lot.",
                    product=product.display_name,
                ),
            )
        lot_key = 0
        if lot_id:
            lot = known["stock.lot"].browse(lot_id) & known["stock.lot"]
            if not lot or lot.company_id not in (task.company_id, env["res.company"]):
                raise CountError(
                    "unknown_lot",
                    env._(
                        "Lot %(lot)s does not exist or belongs to another company.",
                        lot=lot_id,
                    ),
                )
            if lot.product_id != product:
                raise CountError(
                    "lot_of_another_product",
                    env._(
                        "Lot %(lot)s is a lot of %(other)s, not of %(product)s.",
                        lot=lot.name,
                        other=lot.product_id.display_name,
                        product=product.display_name,
                    ),
                )
            lot_key = lot.id
        elif lot_name:
            lot_key = known["named_lots"].get((lot_name, product.id), lot_name)
        package_key = 0
        if item.get("package_id"):
            package = self._company_record(
                task, known["stock.quant.package"], item["package_id"]
            )
            if not package:
                raise CountError(
                    "unknown_package",
                    env._(
                        "Package %(package)s does not exist or belongs to another "
                        "company.",
                        package=item["package_id"],
                    ),
                )
            package_key = package.id
        return (location.id, product.id, lot_key, package_key)

    @api.model
    def _create_found_lines(self, task, found, lines_by_item):
        """Lines for items found where the task did not list them (one per item);
        new lot names become lots of the task's company."""
        new_lots = {
            (key[1], key[2])
            for key in (item["key"] for item in found)
            if isinstance(key[2], str)
        }
        # sudo: a counter cannot create lots, but a lot found on the shelf must
        # exist to be counted; the counter's rights were checked on the task.
        lots = (
            self.env["stock.lot"]
            .sudo()
            .create(
                [
                    {
                        "product_id": product_id,
                        "name": name,
                        "company_id": task.company_id.id,
                    }
                    for product_id, name in sorted(new_lots)
                ]
            )
        )
        lot_ids = {(lot.product_id.id, lot.name): lot.id for lot in lots}
        keys = []
        for item in found:
            location_id, product_id, lot_key, package_id = item["key"]
            if isinstance(lot_key, str):
                lot_key = lot_ids[(product_id, lot_key)]
            item["key"] = (location_id, product_id, lot_key, package_id)
            if item["key"] not in keys:
                keys.append(item["key"])
        # sudo: counters cannot create lines; what a found line holds was checked
        # above, and the count itself is recorded with the counter's rights.
        lines = (
            self.sudo()
            .create([self._prepare_found_line_values(task, key) for key in keys])
            .sudo(False)
        )
        lines_by_item.update(zip(keys, lines, strict=True))
        for item in found:
            item["line"] = lines_by_item[item["key"]]

    @api.model
    def _prepare_found_line_values(self, task, key):
        location_id, product_id, lot_id, package_id = key
        return {
            "task_id": task.id,
            "location_id": location_id,
            "product_id": product_id,
            "lot_id": lot_id or False,
            "package_id": package_id or False,
            "is_found": True,
        }

    @api.model
    def _record_latest_counts(self, items):
        """The later count wins: per line, the latest of ``items`` is recorded
        unless the line already holds a count made later."""
        now = fields.Datetime.now()
        by_line = defaultdict(list)
        for item in items:
            item["at"] = min(item.get("counted_at") or now, now)
            by_line[item["line"]].append(item)
        to_record, notes = [], []
        hints = defaultdict(lambda: self.browse())
        for line, line_items in by_line.items():
            latest = max(line_items, key=lambda item: (item["at"], item["index"]))
            held = line.is_counted and line.counted_at
            for item in line_items:
                applied = item is latest and not (held and line.counted_at > item["at"])
                item["status"] = "applied" if applied else "superseded"
            if latest["status"] == "applied":
                to_record.append((line, latest["quantity"], latest["at"]))
                if latest.get("note") is not None:
                    notes.append((line, latest["note"]))
                if latest.get("hint") is not None:
                    hints[latest["hint"]] |= line
        if to_record:
            lines = self._write_count_snapshots(to_record)
            for line, note in notes:
                line.note = note
            for hint, hint_lines in hints.items():
                hint_lines.count_hint = hint
            lines._on_counts_recorded()
        return [
            {
                "index": item["index"],
                "line": item["line"],
                "status": item["status"],
                "at": item["at"],
            }
            for item in items
        ]

    def _write_count_snapshots(self, counts):
        """Write checked counts ``(line, quantity, moment)``. The book quantity is
        taken at the moment of each count, so stock moved since then never shows
        as a variance."""
        lines = self.browse([line.id for line, _qty, _at in counts])
        moments = {line.id: at for line, _qty, at in counts}
        book = lines._book_quantities_at(moments)
        user = self.env.user
        for line, qty, at in counts:
            # sudo: the snapshot fields are the count's own record; the counter
            # has no right to type them (see _get_count_snapshot_fields).
            line.sudo().write(
                {
                    "counted_qty": qty,
                    "is_counted": True,
                    "counted_at": at,
                    "counter_id": user.id,
                    "book_qty": book[line.id],
                    "unit_cost": line._count_unit_cost(),
                },
            )
        lines.task_id.action_start()
        return lines

    def _on_counts_recorded(self):
        """Hook run once per batch on the lines whose count was just recorded
        (the mobile addon tells the reviewers live)."""
        return True

    def _count_unit_cost(self):
        self.ensure_one()
        return self.product_id.with_company(self.company_id).standard_price

    def _book_quantities_at(self, moments):
        """The book quantity of each line's item at ``moments[line id]``, in one
        query: today's quants minus what moved in or out of the item after that
        moment."""
        if not self:
            return {}
        self.flush_recordset(
            ["location_id", "product_id", "lot_id", "package_id", "owner_id"]
        )
        self.env["stock.move.line"].flush_model()
        self.env["stock.quant"].flush_model()
        values = SQL(", ").join(
            SQL("(%s, %s::timestamp)", line_id, at) for line_id, at in moments.items()
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT l.id,
                   COALESCE((
                       SELECT SUM(q.quantity) FROM stock_quant q
                        WHERE q.product_id = l.product_id
                          AND q.location_id = l.location_id
                          AND q.lot_id IS NOT DISTINCT FROM l.lot_id
                          AND q.package_id IS NOT DISTINCT FROM l.package_id
                          AND q.owner_id IS NOT DISTINCT FROM l.owner_id), 0)
                 - COALESCE((
                       SELECT SUM(ml.quantity_product_uom) FROM stock_move_line ml
                        WHERE ml.state = 'done' AND ml.date > m.at
                          AND ml.product_id = l.product_id
                          AND ml.location_dest_id = l.location_id
                          AND ml.lot_id IS NOT DISTINCT FROM l.lot_id
                          AND ml.result_package_id IS NOT DISTINCT FROM l.package_id
                          AND ml.owner_id IS NOT DISTINCT FROM l.owner_id), 0)
                 + COALESCE((
                       SELECT SUM(ml.quantity_product_uom) FROM stock_move_line ml
                        WHERE ml.state = 'done' AND ml.date > m.at
                          AND ml.product_id = l.product_id
                          AND ml.location_id = l.location_id
                          AND ml.lot_id IS NOT DISTINCT FROM l.lot_id
                          AND ml.package_id IS NOT DISTINCT FROM l.package_id
                          AND ml.owner_id IS NOT DISTINCT FROM l.owner_id), 0)
              FROM (VALUES %(moments)s) AS m(id, at)
              JOIN cycle_count_line l ON l.id = m.id
            """,
                moments=values,
            )
        )
        book = dict(rows)
        return {line_id: book.get(line_id, 0.0) for line_id in moments}

    def _link_attachments(self):
        """Photos uploaded from the list belong to their line, so that whoever may
        read the line (the approvers) may read its photos. Only photos the user
        has just uploaded and that belong to nothing else are moved: never another
        record's file (a product's image, say)."""
        uid = self.env.uid
        for line in self:
            orphans = line.attachment_ids.filtered(
                lambda a: not a.res_id and not a.res_field and a.create_uid.id == uid
            )
            orphans.sudo().write({"res_model": self._name, "res_id": line.id})
