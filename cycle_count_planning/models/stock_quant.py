from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_date

from .cycle_count_line import REVIEWER_GROUPS
from .cycle_count_planner import OPEN_TASK_STATES


class StockQuant(models.Model):
    """Odoo's Physical Inventory shows what cycle counting knows of each quant
    and asks the planner for a count of the selected ones."""

    _inherit = "stock.quant"

    cycle_count_last_date = fields.Date(
        string="Last Counted",
        compute="_compute_cycle_count_dates",
        groups=REVIEWER_GROUPS,
        help="The last count of this item at this location: a cycle count or an "
        "inventory adjustment of Odoo.",
    )
    cycle_count_next_date = fields.Date(
        string="Next Count",
        compute="_compute_cycle_count_dates",
        groups=REVIEWER_GROUPS,
        help="The day of the open count task that holds this item, or the due "
        "date of a requested or event count not planned yet. Empty: no count "
        "planned within the planning horizon.",
    )

    def _compute_cycle_count_dates(self):
        """Two queries for the whole page: the last counts and the next ones."""
        quants = self.filtered("id")
        (self - quants).cycle_count_last_date = False
        (self - quants).cycle_count_next_date = False
        if not quants:
            return
        for model in ("stock.quant", "cycle.count.line", "cycle.count.task"):
            self.env[model].flush_model()
        self.env["cycle.count.event"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT q.id,
                       GREATEST(
                           (SELECT MAX(l.counted_at) FROM cycle_count_line l
                             WHERE l.location_id = q.location_id
                               AND l.product_id = q.product_id
                               AND l.lot_id IS NOT DISTINCT FROM q.lot_id
                               AND l.is_counted AND l.state != 'cancel'),
                           (SELECT MAX(ml.date) FROM stock_move_line ml
                              JOIN stock_move m ON m.id = ml.move_id
                             WHERE m.is_inventory IS TRUE AND m.state = 'done'
                               AND ml.product_id = q.product_id
                               AND ml.lot_id IS NOT DISTINCT FROM q.lot_id
                               AND q.location_id IN (ml.location_id,
                                                     ml.location_dest_id))
                       )::date,
                       LEAST(
                           (SELECT MIN(t.scheduled_date) FROM cycle_count_line l
                              JOIN cycle_count_task t ON t.id = l.task_id
                             WHERE l.location_id = q.location_id
                               AND l.product_id = q.product_id
                               AND l.lot_id IS NOT DISTINCT FROM q.lot_id
                               AND l.state IN %(open_states)s
                               AND NOT COALESCE(l.is_counted, FALSE)),
                           (SELECT MIN(e.date_due) FROM cycle_count_event e
                             WHERE e.location_id = q.location_id
                               AND e.product_id = q.product_id
                               AND e.lot_id IS NOT DISTINCT FROM q.lot_id
                               AND e.state = 'open')
                       )
                  FROM stock_quant q
                 WHERE q.id = ANY(%(ids)s)
                """,
                ids=quants.ids,
                open_states=OPEN_TASK_STATES,
            )
        )
        dates = {quant_id: (last, nxt) for quant_id, last, nxt in rows}
        for quant in quants:
            quant.cycle_count_last_date, quant.cycle_count_next_date = dates.get(
                quant.id, (False, False)
            )

    # ------------------------------------------------------------------
    # Request Cycle Count
    # ------------------------------------------------------------------
    def action_cycle_count_request(self):
        """Ask for a count of the selected quants today, through the planner:
        each item (location, product, lot) becomes a requested event, planned
        with the day's other work within the warehouse's capacity. An item
        already in an open count or request is skipped."""
        if not self.env.user.has_group(
            "cycle_count_planning.group_cycle_count_supervisor"
        ):
            raise AccessError(
                self.env._("Only a cycle count supervisor may request cycle counts.")
            )
        result = self._cycle_count_request()
        return self._cycle_count_request_notification(result)

    def _cycle_count_request(self):
        """Create the requested events and plan them. Return a dict of what
        happened: ``events`` (created), ``busy`` (items skipped: already in an
        open count), ``outside`` (quants skipped: not in a warehouse's internal
        location)."""
        today = fields.Date.context_today(self)
        countable = self.filtered(
            lambda q: q.location_id.usage == "internal" and q.location_id.warehouse_id
        )
        items = defaultdict(float)
        for quant in countable:
            key = (quant.location_id.id, quant.product_id.id, quant.lot_id.id)
            items[key] += quant.quantity
        busy = self._cycle_count_busy_items(set(items))
        wanted = {key: qty for key, qty in items.items() if key not in busy}
        locations = {
            location.id: location
            for location in self.env["stock.location"].browse({k[0] for k in wanted})
        }
        now = fields.Datetime.now()
        # Events are the system's records (nobody creates them by hand): the
        # supervisor's request is the transition that creates them.
        events = (
            self.env["cycle.count.event"]
            .sudo()
            .create(
                [
                    {
                        "company_id": location.company_id.id,
                        "warehouse_id": location.warehouse_id.id,
                        "location_id": location_id,
                        "product_id": product_id,
                        "lot_id": lot_id or False,
                        "event_type": "request",
                        "date": now,
                        "date_due": today,
                        "deadline": today,
                        "quantity": qty,
                    }
                    for (location_id, product_id, lot_id), qty in wanted.items()
                    for location in [locations[location_id]]
                ]
            )
        )
        if events:
            self.env["cycle.count.planner"]._plan(
                self.env["cycle.count.rule"], today=today, companies=events.company_id
            )
        return {
            "events": events.with_env(self.env),
            "busy": len(busy),
            "outside": len(self - countable),
            "today": today,
        }

    def _cycle_count_busy_items(self, keys):
        """The (location, product, lot) of ``keys`` that an open count line or an
        open or planned event already holds: never counted twice."""
        if not keys:
            return set()
        domain = [
            ("location_id", "in", list({k[0] for k in keys})),
            ("product_id", "in", list({k[1] for k in keys})),
        ]
        # Which items are taken is the planner's knowledge, whoever asks: the
        # requester may not read every task's lines or every event.
        lines = (
            self.env["cycle.count.line"]
            .sudo()
            .search_fetch(
                [*domain, ("state", "in", OPEN_TASK_STATES)],
                ["location_id", "product_id", "lot_id"],
            )
        )
        events = (
            self.env["cycle.count.event"]
            .sudo()
            .search_fetch(
                [*domain, ("state", "in", ("open", "planned"))],
                ["location_id", "product_id", "lot_id"],
            )
        )
        taken = {
            (r.location_id.id, r.product_id.id, r.lot_id.id)
            for records in (lines, events)
            for r in records
        }
        return taken & keys

    def _cycle_count_request_notification(self, result):
        env = self.env
        events = result["events"].sudo()
        today = result["today"]
        planned = events.filtered(lambda e: e.state == "planned")
        on_today = planned.filtered(lambda e: e.task_id.scheduled_date <= today)
        later = planned - on_today
        unplanned = events - planned
        sentences = []
        if on_today:
            sentences.append(
                env._(
                    "%(count)s item(s) to count today in %(tasks)s.",
                    count=len(on_today),
                    tasks=", ".join(on_today.task_id.mapped("name")),
                )
            )
        if later:
            sentences.append(
                env._(
                    "%(count)s item(s) planned on a later day, from %(date)s: "
                    "today's counting capacity is full.",
                    count=len(later),
                    date=format_date(env, min(later.task_id.mapped("scheduled_date"))),
                )
            )
        if unplanned:
            sentences.append(
                env._(
                    "%(count)s item(s) not planned: no counting capacity left "
                    "within the planning horizon. They stay requested and are "
                    "planned as soon as there is room (Coverage lists them).",
                    count=len(unplanned),
                )
            )
        if result["busy"]:
            sentences.append(
                env._(
                    "%(count)s item(s) skipped: already in an open count.",
                    count=result["busy"],
                )
            )
        if result["outside"]:
            sentences.append(
                env._(
                    "%(count)s quant(s) skipped: not in an internal location of a "
                    "warehouse.",
                    count=result["outside"],
                )
            )
        if not sentences:
            sentences.append(env._("Nothing selected to count."))
        skipped = result["busy"] or result["outside"] or unplanned or later
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": env._("Cycle count requested"),
                "message": " ".join(sentences),
                "type": "warning" if skipped else "success",
                "sticky": bool(skipped),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
