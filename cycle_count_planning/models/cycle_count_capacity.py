from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .cycle_count_task import counter_domain

# Monday = 0, as in date.weekday().
WORKING_WEEKDAYS = {
    "all": (0, 1, 2, 3, 4, 5, 6),
    "mon_sat": (0, 1, 2, 3, 4, 5),
    "mon_fri": (0, 1, 2, 3, 4),
}


class CycleCountCapacity(models.Model):
    """How much a warehouse can count: lines per counter per day, on which days,
    how far ahead to plan, and the counters who share the work."""

    _name = "cycle.count.capacity"
    _description = "Counting Capacity"
    _order = "company_id, warehouse_id"
    _rec_name = "warehouse_id"
    _check_company_auto = True

    # The company follows from the warehouse: no check_company here, whose domain
    # would offer only the warehouses of a company not chosen yet (none).
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        ondelete="cascade",
        domain="[('company_id', 'in', allowed_company_ids)]",
    )
    company_id = fields.Many2one(
        related="warehouse_id.company_id", store=True, index=True, precompute=True
    )
    lines_per_counter = fields.Integer(
        aggregator=None,
        string="Lines per Counter per Day",
        help="How many lines one counter counts in a day. 0: no limit.",
    )
    horizon_days = fields.Integer(
        aggregator=None,
        string="Planning Horizon (Days)",
        help="Plan the items due within this many days from today, each on its "
        "due day when capacity allows. 0: only what is due today.",
    )
    working_days = fields.Selection(
        [
            ("all", "Every day"),
            ("mon_sat", "Monday to Saturday"),
            ("mon_fri", "Monday to Friday"),
        ],
        required=True,
        default="all",
        help="Counts are planned on these days only.",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Counters",
        domain=counter_domain,
        help="Who shares the items of rules that name no counter: each gets a "
        "stretch of the walking route. Empty: those tasks go to nobody and a "
        "supervisor assigns them.",
    )
    daily_capacity = fields.Integer(
        string="Lines per Day",
        compute="_compute_daily_capacity",
        help="Lines per counter × the number of counters (at least one).",
    )

    _sql_constraints = [
        (
            "warehouse_uniq",
            "unique(warehouse_id)",
            "A warehouse has one counting capacity.",
        ),
    ]

    @api.depends("lines_per_counter", "user_ids")
    def _compute_daily_capacity(self):
        for capacity in self:
            capacity.daily_capacity = capacity.lines_per_counter * max(
                1, len(capacity.user_ids)
            )

    @api.constrains("lines_per_counter", "horizon_days")
    def _check_positive(self):
        for capacity in self:
            if capacity.lines_per_counter < 0 or capacity.horizon_days < 0:
                raise ValidationError(
                    self.env._(
                        "%(warehouse)s: the capacity and the horizon cannot be "
                        "negative (0 means no limit, or today only).",
                        warehouse=capacity.warehouse_id.display_name,
                    )
                )

    @api.model
    def _get_settings(self, warehouses):
        """{warehouse id: settings dict}, with the defaults where a warehouse has
        no capacity record."""
        records = {
            c.warehouse_id.id: c
            for c in self.search([("warehouse_id", "in", warehouses.ids)])
        }
        settings = {}
        for warehouse in warehouses:
            record = records.get(warehouse.id)
            settings[warehouse.id] = {
                "lines_per_counter": record.lines_per_counter if record else 0,
                "horizon_days": record.horizon_days if record else 0,
                "weekdays": WORKING_WEEKDAYS[record.working_days if record else "all"],
                "user_ids": sorted(record.user_ids.ids) if record else [],
            }
        return settings

    @api.model
    def _working_days(self, settings, today):
        """The working days from today to the end of the horizon; at least the
        first working day on or after today."""
        weekdays = settings["weekdays"]
        days = [
            today + timedelta(days=offset)
            for offset in range(settings["horizon_days"] + 1)
            if (today + timedelta(days=offset)).weekday() in weekdays
        ]
        if not days:
            day = today
            while day.weekday() not in weekdays:
                day += timedelta(days=1)
            days = [day]
        return days
