import math

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero, format_date, formatLang

from .cycle_count_rule import PRIORITIES

# What a counter may write on a line of their own task.
COUNTER_WRITABLE_LINE_FIELDS = {"counted_qty", "reason_id", "note", "attachment_ids"}
# Fields recorded or computed by the count itself, never typed in: the variance
# report copies them, and what is approved is what gets posted.
COUNT_SNAPSHOT_FIELDS = {
    "is_counted",
    "counted_at",
    "counter_id",
    "book_qty",
    "unit_cost",
    "difference_qty",
    "variance_value",
    "has_difference",
}
REVIEWER_GROUPS = (
    "cycle_count_planning.group_cycle_count_supervisor,"
    "cycle_count_planning.group_cycle_count_finance"
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
        string="Cost When Planned",
        digits="Product Price",
        readonly=True,
        copy=False,
        groups=REVIEWER_GROUPS,
    )
    plan_moves = fields.Json(
        readonly=True, copy=False, help="Recent moves of the item, per rule."
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
    note = fields.Char()
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
        """A count is a finite number, zero or more: anything else is refused with
        a message that says what to enter."""
        self.ensure_one()
        if qty is None or qty is False:
            raise ValidationError(
                self.env._("Enter a counted quantity, 0 when nothing is there.")
            )
        if (
            not isinstance(qty, int | float)
            or isinstance(qty, bool)
            or not math.isfinite(qty)
            or float_compare(
                qty, 0.0, precision_rounding=self.product_id.uom_id.rounding
            )
            < 0
        ):
            raise ValidationError(
                self.env._(
                    "The counted quantity of %(line)s cannot be negative "
                    "(%(qty)s). Count what is there, 0 if nothing.",
                    line=self.display_name,
                    qty=qty,
                )
            )

    def write(self, vals):
        if not self.env.su:
            self._check_counter_write(vals)
            if "counted_qty" in vals:
                return self._write_counts(vals)
        res = super().write(vals)
        if vals.get("attachment_ids"):
            self._link_attachments()
        return res

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------
    def _check_counter_write(self, vals):
        if self.env.user.has_group("cycle_count_planning.group_cycle_count_supervisor"):
            forbidden = set(vals) & COUNT_SNAPSHOT_FIELDS
            if forbidden:
                raise AccessError(
                    self.env._(
                        "%(fields)s are recorded by the count itself and cannot be "
                        "typed in.",
                        fields=", ".join(sorted(forbidden)),
                    )
                )
            return
        forbidden = set(vals) - COUNTER_WRITABLE_LINE_FIELDS
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

    def _write_counts(self, vals):
        qty = vals["counted_qty"]
        self._record_counts([(line, qty, None) for line in self])
        other = {k: v for k, v in vals.items() if k != "counted_qty"}
        if other:
            super().write(other)
            if other.get("attachment_ids"):
                self._link_attachments()
        return True

    def _record_counts(self, counts):
        """Record counts: ``counts`` is a list of ``(line, quantity, counted_at)``;
        ``counted_at`` None means now. The book quantity is taken at the moment of
        each count, so stock moved since then never shows as a variance."""
        lines = self.browse([line.id for line, _qty, _at in counts])
        lines._check_countable()
        for line, qty, _counted_at in counts:
            line._check_count_quantity(qty)
        now = fields.Datetime.now()
        moments = {
            line.id: min(counted_at or now, now) for line, _qty, counted_at in counts
        }
        book = lines._book_quantities_at(moments)
        user = self.env.user
        for line, qty, _counted_at in counts:
            # Snapshot fields are technical: the counter has no right to type them.
            line.sudo().write(
                {
                    "counted_qty": qty,
                    "is_counted": True,
                    "counted_at": moments[line.id],
                    "counter_id": user.id,
                    "book_qty": book[line.id],
                    "unit_cost": line._count_unit_cost(),
                },
            )
        lines.task_id.filtered(lambda t: t.state == "draft").sudo().write(
            {"state": "in_progress"}
        )
        return lines

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
