import bisect
import math
from collections import Counter, defaultdict, namedtuple
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# A line in a task in one of these states holds its item: it is not planned again.
OPEN_TASK_STATES = ("draft", "in_progress", "counted")
# What a line counts: one open count of an item at a time, whatever created it.
ITEM_FIELDS = ("product_id", "location_id", "lot_id", "package_id", "owner_id")
# Tasks whose lines use up a counter's capacity on their day.
LOADED_TASK_STATES = ("draft", "in_progress")
# Events go before any rule's priority.
EVENT_PRIORITY = 4


def unit_cost_sql(product, company):
    """SQL: the cost of ``product`` (a product_product alias) in ``company`` (SQL
    giving a company id): standard_price is a jsonb column keyed by company."""
    return SQL(
        "COALESCE((%s.standard_price ->> (%s)::text)::numeric, 0)",
        SQL.identifier(product),
        company,
    )


# A due item as the leveling pass reads it from cc_plan_due (the columns of
# the SELECT in ``_plan``, in this order).
PlanRow = namedtuple(
    "PlanRow",
    "id warehouse_id user_id due_date overdue priority class_rank route "
    "product_id lot_id",
)


def execute_lock(env, query):
    """Run ``query``, a lock taken by an UPDATE (the units of work of the
    background: a warehouse to plan, a profile, a report's chunk), and return
    its rows. A serialization failure is expected there (another transaction
    did the work after this one's snapshot) and retried by whoever runs the
    unit (HTTP layer, job queue, cron): it is raised, not logged as an error."""
    env.flush_query(query)
    env.cr.execute(query, log_exceptions=False)
    return env.cr.fetchall()


def _sql_id(record):
    """The database id of a record, 0 for a record not saved yet (a form)."""
    return record.id if isinstance(record.id, int) else (record._origin.id or 0)


class CycleCountPlanner(models.AbstractModel):
    """Decides what to count and when, set-based whatever the number of quants:
    one query finds every due item with its figures (rules, events, history),
    a linear pass in Python levels the work over the working days within the
    capacity, and the lines are written with INSERT … SELECT."""

    _name = "cycle.count.planner"
    _description = "Cycle Count Planner"

    # ------------------------------------------------------------------
    # The due items, as one SQL query
    # ------------------------------------------------------------------
    @api.model
    def _base_sql(self, rules):
        """The items (quants grouped by location, product, lot, package, owner) in
        the union of the rules' scopes, with their quantity, cost and route."""
        scopes = [
            SQL(
                "(%s)",
                SQL(" AND ").join(
                    rule._location_scope_sql(
                        SQL("loc.company_id"),
                        SQL("loc.warehouse_id"),
                        SQL("loc.parent_path"),
                    )
                ),
            )
            for rule in rules
        ]
        return SQL(
            """
            SELECT q.company_id, loc.warehouse_id, q.location_id, q.product_id,
                   q.lot_id, q.package_id, q.owner_id,
                   SUM(q.quantity) AS quantity,
                   MIN(loc.parent_path) AS parent_path,
                   MIN(loc.complete_name) AS route,
                   MIN(%(unit_cost)s) AS unit_cost
              FROM stock_quant q
              JOIN stock_location loc ON loc.id = q.location_id
              JOIN product_product pp ON pp.id = q.product_id
             WHERE loc.usage = 'internal' AND loc.warehouse_id IS NOT NULL
               AND q.company_id = loc.company_id
               AND (%(scopes)s)
             GROUP BY q.company_id, loc.warehouse_id, q.location_id, q.product_id,
                      q.lot_id, q.package_id, q.owner_id
            -- An emptied quant (a serial sold, a lot used up) is nothing to count;
            -- confirming that a location is empty is the zero-confirmation event's.
            HAVING SUM(q.quantity) <> 0
            """,
            scopes=SQL(" OR ").join(scopes) if scopes else SQL("FALSE"),
            unit_cost=unit_cost_sql("pp", SQL("q.company_id")),
        )

    @api.model
    def _movement_sql(self, rules, today):
        """Per (location, product): the moves of each rule's window and direction,
        one column ``moves_<n>`` per rule with a movement filter."""
        columns = []
        since_all = None
        for index, rule in enumerate(rules):
            if not rule.move_direction:
                continue
            since = datetime.combine(today - timedelta(days=rule.move_days), time.min)
            since_all = min(since_all or since, since)
            directions = (
                ("out", "in")
                if rule.move_direction == "any"
                else (rule.move_direction,)
            )
            columns.append(
                SQL(
                    "COUNT(DISTINCT ml.move_id) FILTER (WHERE side.direction IN %s "
                    "AND m.date >= %s) AS %s",
                    directions,
                    since,
                    SQL.identifier(f"moves_{index}"),
                )
            )
        if not columns:
            return None
        return SQL(
            """
            SELECT side.location_id, ml.product_id, %(columns)s
              FROM stock_move m
              JOIN stock_move_line ml ON ml.move_id = m.id
              JOIN stock_location src ON src.id = ml.location_id
              JOIN stock_location dest ON dest.id = ml.location_dest_id
              CROSS JOIN LATERAL (VALUES (ml.location_id, 'out', dest.usage),
                                         (ml.location_dest_id, 'in', src.usage))
                    AS side(location_id, direction, other_usage)
             WHERE m.state = 'done' AND m.date >= %(since)s AND m.is_inventory IS NOT TRUE
               AND m.company_id IN %(companies)s
               AND ml.location_id != ml.location_dest_id
               AND side.other_usage != 'inventory'
               AND side.location_id IN (SELECT location_id FROM base)
             GROUP BY side.location_id, ml.product_id
            """,
            columns=SQL(", ").join(columns),
            since=since_all,
            companies=tuple(rules.company_id.ids),
        )

    @api.model
    def _rule_select_sql(self, rule, index):
        """The base items a rule selects, one row per item, with its figures."""
        conditions = [
            rule._scope_sql(
                SQL("b.company_id"),
                SQL("b.warehouse_id"),
                SQL("b.parent_path"),
                SQL("b.product_id"),
            )
        ]
        if rule.unit_cost_min:
            conditions.append(SQL("b.unit_cost >= %s", rule.unit_cost_min))
        if rule.onhand_value_min:
            conditions.append(
                SQL("b.quantity * b.unit_cost >= %s", rule.onhand_value_min)
            )
        moves = SQL("NULL::int")
        join = SQL()
        interval = max(rule.interval_days, 1)
        frequency, misses, seen = (
            SQL("%s", interval),
            SQL("NULL::int"),
            SQL("NULL::int"),
        )
        if rule.adaptive_frequency:
            frequency, misses, seen = rule._adaptive_interval_sql("h")
            join = SQL(
                "LEFT JOIN history h ON h.location_id = b.location_id "
                "AND h.product_id = b.product_id "
                "AND h.lot_key = COALESCE(b.lot_id, 0)"
            )
        if rule.move_direction:
            column = SQL.identifier(f"moves_{index}")
            moves = SQL("COALESCE(mv.%s, 0)::int", column)
            join = SQL(
                "%s LEFT JOIN movement mv ON mv.location_id = b.location_id "
                "AND mv.product_id = b.product_id",
                join,
            )
            conditions.append(
                SQL("COALESCE(mv.%s, 0) >= %s", column, rule.move_min_count)
            )
        return SQL(
            """
            SELECT %(rule_id)s AS rule_id, %(sequence)s AS rule_sequence,
                   %(frequency)s AS frequency, %(interval)s AS base_frequency,
                   %(misses)s AS misses, %(seen)s AS seen,
                   %(priority)s AS priority,
                   %(user_id)s::int AS user_id, %(moves)s AS moves,
                   NULL::int AS event_id, NULL::date AS event_due,
                   NULL::date AS event_deadline,
                   b.company_id, b.warehouse_id, b.location_id, b.product_id, b.lot_id,
                   b.package_id, b.owner_id, b.quantity, b.unit_cost, b.route
              FROM base b %(join)s
             WHERE %(conditions)s
            """,
            rule_id=_sql_id(rule),
            sequence=rule.sequence,
            interval=interval,
            frequency=frequency,
            misses=misses,
            seen=seen,
            priority=int(rule.priority or 0),
            user_id=rule.user_id.id or None,
            moves=moves,
            join=join,
            conditions=SQL(" AND ").join(conditions),
        )

    @api.model
    def _events_select_sql(self, companies):
        return SQL(
            """
            SELECT NULL::int AS rule_id, NULL::int AS rule_sequence,
                   NULL::int AS frequency, NULL::int AS base_frequency,
                   NULL::int AS misses, NULL::int AS seen, %(priority)s AS priority,
                   NULL::int AS user_id, NULL::int AS moves,
                   e.id AS event_id, e.date_due AS event_due,
                   e.deadline AS event_deadline,
                   e.company_id, loc.warehouse_id, e.location_id, e.product_id,
                   e.lot_id, q.package_id, q.owner_id,
                   NULL::numeric AS quantity,
                   %(unit_cost)s AS unit_cost,
                   loc.complete_name AS route
              FROM cycle_count_event e
              JOIN stock_location loc ON loc.id = e.location_id
              JOIN product_product pp ON pp.id = e.product_id
              -- The item as the rules see it: each package and owner the event's
              -- stock lies in (none left: the bare item), so both merge into one
              -- line, whose book quantity is then that of the right quants.
              LEFT JOIN LATERAL (
                  SELECT DISTINCT sq.package_id, sq.owner_id
                    FROM stock_quant sq
                   WHERE sq.location_id = e.location_id
                     AND sq.product_id = e.product_id
                     AND sq.lot_id IS NOT DISTINCT FROM e.lot_id
              ) q ON TRUE
             WHERE e.state = 'open' AND e.company_id IN %(companies)s
               AND loc.warehouse_id IS NOT NULL
            """,
            priority=EVENT_PRIORITY,
            companies=tuple(companies.ids),
            unit_cost=unit_cost_sql("pp", SQL("e.company_id")),
        )

    @api.model
    def _history_sql(self, rules):
        """Per item (location, product, lot) of the base: the misses among its
        last counts, cumulated from the most recent (``misses_upto[k]``: misses
        in the last k counts), as far back as the longest window of the
        adaptive ``rules``. A miss is ``cycle.count.line._is_count_miss``."""
        window = max(rules.mapped("adaptive_window") or [1])
        return SQL(
            """
            SELECT location_id, product_id, lot_key,
                   ARRAY_AGG(misses ORDER BY rn) AS misses_upto
              FROM (
                  SELECT l.location_id, l.product_id,
                         COALESCE(l.lot_id, 0) AS lot_key,
                         ROW_NUMBER() OVER w AS rn,
                         SUM(CASE WHEN %(miss)s THEN 1 ELSE 0 END)
                             OVER (w ROWS UNBOUNDED PRECEDING) AS misses
                    FROM cycle_count_line l
                   WHERE l.is_counted AND l.state != 'cancel'
                     AND l.company_id IN %(companies)s
                     AND l.product_id IN (SELECT product_id FROM base)
                     AND l.location_id IN (SELECT location_id FROM base)
                  WINDOW w AS (PARTITION BY l.location_id, l.product_id,
                                            COALESCE(l.lot_id, 0)
                               ORDER BY l.counted_at DESC, l.id DESC)
              ) counts
             WHERE rn <= %(window)s
             GROUP BY 1, 2, 3
            """,
            miss=self.env["cycle.count.line"]._is_count_miss("l"),
            companies=tuple(rules.company_id.ids),
            window=window,
        )

    @api.model
    def _warehouses_sql(self, plan_days, profiles):
        """VALUES (warehouse, first working day, horizon end, ABC profile)."""
        return SQL(
            "VALUES %s",
            SQL(", ").join(
                SQL(
                    "(%s, %s::date, %s::date, %s::int)",
                    warehouse_id,
                    days[0],
                    horizon_end,
                    profiles[warehouse_id].id or None,
                )
                for warehouse_id, (days, horizon_end) in plan_days.items()
            ),
        )

    @api.model
    def _items_sql(self, rules, today, companies, plan_days, with_events=True):
        """Every item the rules select or an open event asks for, merged, with its
        last count (our counts and Odoo's inventory moves), its due date, the open
        line holding it if any, and its ABC class. Columns: see the SELECT."""
        rules = rules.sorted(lambda r: (r.sequence, _sql_id(r)))
        warehouses = self.env["stock.warehouse"].browse(list(plan_days))
        profiles = self.env["cycle.count.abc.profile"]._get_profile_for_warehouses(
            warehouses
        )
        selects = [
            self._rule_select_sql(rule, index) for index, rule in enumerate(rules)
        ]
        if with_events:
            selects.append(self._events_select_sql(companies))
        movement = self._movement_sql(rules, today) if rules else None
        adaptive = rules.filtered("adaptive_frequency")
        company_ids = tuple(companies.ids)
        # The figures of the rule that sets an item's interval (the most
        # frequent); without adaptive rules, the interval is the rule's.
        main_rule_figures = (
            SQL(
                """(ARRAY_AGG(base_frequency ORDER BY frequency, rule_sequence, rule_id)
                        FILTER (WHERE rule_id IS NOT NULL))[1] AS base_frequency,
                   (ARRAY_AGG(misses ORDER BY frequency, rule_sequence, rule_id)
                        FILTER (WHERE rule_id IS NOT NULL))[1] AS misses,
                   (ARRAY_AGG(seen ORDER BY frequency, rule_sequence, rule_id)
                        FILTER (WHERE rule_id IS NOT NULL))[1] AS seen"""
            )
            if adaptive
            else SQL(
                "MIN(frequency) AS base_frequency, NULL::int AS misses, "
                "NULL::int AS seen"
            )
        )
        return SQL(
            """
            WITH base AS MATERIALIZED (%(base)s),
            %(movement)s
            %(history)s
            candidates AS (%(selects)s),
            items AS (
                SELECT company_id, warehouse_id, location_id, product_id, lot_id,
                       package_id, owner_id,
                       MIN(frequency) AS frequency,
                       %(main_rule_figures)s,
                       MAX(priority) AS priority,
                       (ARRAY_AGG(user_id ORDER BY rule_sequence, rule_id)
                            FILTER (WHERE user_id IS NOT NULL))[1] AS user_id,
                       COALESCE(ARRAY_AGG(rule_id ORDER BY rule_id)
                            FILTER (WHERE rule_id IS NOT NULL), '{}') AS rule_ids,
                       (ARRAY_AGG(rule_id ORDER BY frequency, rule_sequence, rule_id)
                            FILTER (WHERE rule_id IS NOT NULL))[1] AS main_rule_id,
                       JSONB_OBJECT_AGG(COALESCE(rule_id, 0), moves)
                            FILTER (WHERE moves IS NOT NULL) AS rule_moves,
                       COALESCE(ARRAY_AGG(event_id ORDER BY event_id)
                            FILTER (WHERE event_id IS NOT NULL), '{}') AS event_ids,
                       MIN(event_due) AS event_due,
                       MIN(event_deadline) AS event_deadline,
                       MAX(quantity) AS quantity, MAX(unit_cost) AS unit_cost,
                       MAX(route) AS route
                  FROM candidates
                 GROUP BY company_id, warehouse_id, location_id, product_id, lot_id,
                          package_id, owner_id
            ),
            our_counts AS (
                SELECT l.location_id, l.product_id, COALESCE(l.lot_id, 0) AS lot_key,
                       MAX(l.counted_at) AS counted_at
                  FROM cycle_count_line l
                 WHERE l.is_counted AND l.state != 'cancel'
                   AND l.company_id IN %(companies)s
                   AND l.product_id IN (SELECT product_id FROM items)
                 GROUP BY 1, 2, 3
            ),
            odoo_counts AS (
                SELECT side.location_id, ml.product_id,
                       COALESCE(ml.lot_id, 0) AS lot_key, MAX(ml.date) AS counted_at
                  FROM stock_move m
                  JOIN stock_move_line ml ON ml.move_id = m.id
                  CROSS JOIN LATERAL (VALUES (ml.location_id), (ml.location_dest_id))
                        AS side(location_id)
                 WHERE m.is_inventory IS TRUE AND m.state = 'done'
                   AND m.company_id IN %(companies)s
                   AND m.product_id IN (SELECT product_id FROM items)
                 GROUP BY 1, 2, 3
            ),
            open_lines AS (
                SELECT l.location_id, l.product_id, COALESCE(l.lot_id, 0) AS lot_key,
                       COALESCE(l.package_id, 0) AS package_key,
                       COALESCE(l.owner_id, 0) AS owner_key,
                       MIN(t.scheduled_date) FILTER (WHERE NOT COALESCE(l.is_counted, FALSE))
                           AS planned_date,
                       MIN(l.id) AS line_id
                  FROM cycle_count_line l
                  JOIN cycle_count_task t ON t.id = l.task_id
                 WHERE l.state IN %(open_states)s AND l.company_id IN %(companies)s
                 GROUP BY 1, 2, 3, 4, 5
            ),
            warehouses(warehouse_id, first_day, horizon_end, profile_id) AS (
                %(warehouses)s
            ),
            dated AS (
                SELECT i.*, w.first_day, w.horizon_end,
                       GREATEST(oc.counted_at, ic.counted_at) AS last_count,
                       CASE WHEN i.frequency IS NOT NULL THEN
                           COALESCE(GREATEST(oc.counted_at, ic.counted_at)::date
                                    + i.frequency, %(today)s)
                       END AS rule_due,
                       ol.line_id AS open_line_id, ol.planned_date,
                       pc.abc_class_id, COALESCE(ac.sequence, 1000) AS class_rank
                  FROM items i
                  JOIN warehouses w ON w.warehouse_id = i.warehouse_id
                  LEFT JOIN our_counts oc
                         ON oc.location_id = i.location_id
                        AND oc.product_id = i.product_id
                        AND oc.lot_key = COALESCE(i.lot_id, 0)
                  LEFT JOIN odoo_counts ic
                         ON ic.location_id = i.location_id
                        AND ic.product_id = i.product_id
                        AND ic.lot_key = COALESCE(i.lot_id, 0)
                  LEFT JOIN open_lines ol
                         ON ol.location_id = i.location_id
                        AND ol.product_id = i.product_id
                        AND ol.lot_key = COALESCE(i.lot_id, 0)
                        AND ol.package_key = COALESCE(i.package_id, 0)
                        AND ol.owner_key = COALESCE(i.owner_id, 0)
                  LEFT JOIN cycle_count_product_class pc
                         ON pc.profile_id = w.profile_id AND pc.product_id = i.product_id
                  LEFT JOIN cycle_count_abc_class ac ON ac.id = pc.abc_class_id
            )
            SELECT d.*,
                   LEAST(d.rule_due, d.event_due) AS due_date,
                   LEAST(d.rule_due, d.event_due) < %(today)s AS overdue,
                   GREATEST(LEAST(d.rule_due, d.event_deadline), d.first_day) AS deadline
              FROM dated d
            """,
            base=self._base_sql(rules),
            movement=SQL("movement AS MATERIALIZED (%s),", movement)
            if movement
            else SQL(),
            history=SQL("history AS MATERIALIZED (%s),", self._history_sql(adaptive))
            if adaptive
            else SQL(),
            main_rule_figures=main_rule_figures,
            selects=SQL(" UNION ALL ").join(selects),
            companies=company_ids,
            open_states=OPEN_TASK_STATES,
            warehouses=self._warehouses_sql(plan_days, profiles),
            today=today,
        )

    @api.model
    def _plan_days(self, companies, today, warehouses=None):
        """{warehouse id: (working days to plan on, horizon end)} and the
        settings of each warehouse (of ``companies``, or only ``warehouses``)."""
        domain = [("company_id", "in", companies.ids)]
        if warehouses is not None:
            domain.append(("id", "in", warehouses.ids))
        warehouses = self.env["stock.warehouse"].search(domain)
        capacity = self.env["cycle.count.capacity"]
        settings = capacity._get_settings(warehouses)
        plan_days = {
            warehouse_id: (
                capacity._working_days(setting, today),
                today + timedelta(days=setting["horizon_days"]),
            )
            for warehouse_id, setting in settings.items()
        }
        return plan_days, settings

    # ------------------------------------------------------------------
    # Counting what a rule selects (the preview)
    # ------------------------------------------------------------------
    @api.model
    def _count_rule_items(self, rule, today):
        """(items the rule selects, of which due today and in no open task)."""
        companies = rule.company_id
        plan_days, _settings = self._plan_days(companies, today)
        if not plan_days:
            return 0, 0
        self.env.flush_all()
        [(selected, due)] = self.env.execute_query(
            SQL(
                """
                SELECT COUNT(*),
                       COUNT(*) FILTER (WHERE open_line_id IS NULL
                                          AND due_date <= %(today)s)
                  FROM (%(items)s) items
                """,
                items=self._items_sql(
                    rule, today, companies, plan_days, with_events=False
                ),
                today=today,
            )
        )
        return selected, due

    @api.model
    def _due_items(self, rules, today):
        """The items ``rules`` find due on ``today`` and in no open task (dicts)."""
        rules = rules.filtered("active")
        if not rules:
            return []
        plan_days, _settings = self._plan_days(rules.company_id, today)
        if not plan_days:
            return []
        self.env.flush_all()
        return self.env.execute_query_dict(
            SQL(
                """
                SELECT * FROM (%(items)s) items
                 WHERE open_line_id IS NULL AND due_date <= %(today)s
                 ORDER BY warehouse_id, route, product_id, lot_id
                """,
                items=self._items_sql(
                    rules, today, rules.company_id, plan_days, with_events=False
                ),
                today=today,
            )
        )

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------
    @api.model
    def _plan(self, rules, today=None, companies=None, warehouses=None):
        """Plan what ``rules`` select, and the open events of their companies (and
        of ``companies``), into tasks; return the tasks that received lines.
        ``warehouses``: plan only these (the daily run plans one at a time).

        Each warehouse planned is locked first (``stock.warehouse``
        ``_cycle_count_lock``): two planners at once (two nodes, a job run
        twice, the cron beside *Plan Now*) never plan an item twice; the one
        that finds a warehouse locked leaves it to the other."""
        today = fields.Date.to_date(today) if today else fields.Date.context_today(self)
        Task = self.env["cycle.count.task"]
        rules = rules.filtered("active")
        companies = (companies or self.env["res.company"]) | rules.company_id
        if not companies:
            return Task
        # Planning is the system's decision: tasks and lines are created for
        # counters, whatever the caller (a manager, the cron) may create.
        planner = self.sudo()
        plan_days, settings = planner._plan_days(companies, today, warehouses)
        locked = (
            planner.env["stock.warehouse"].browse(list(plan_days))._cycle_count_lock()
        )
        plan_days = {key: plan_days[key] for key in locked.ids}
        if not plan_days:
            return Task
        self.env.flush_all()
        cr = self.env.cr
        # An event about an item already in an open task is counted with it.
        self.env["cycle.count.event"]._action_plan_on_open_lines(companies)
        cr.execute(SQL("DROP TABLE IF EXISTS cc_plan_due"))
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE cc_plan_due ON COMMIT DROP AS
                SELECT ROW_NUMBER() OVER () AS id, NULL::int AS task_id,
                       NULL::int AS line_id, items.*
                  FROM (%(items)s) items
                 WHERE open_line_id IS NULL AND due_date <= horizon_end
                """,
                items=planner._items_sql(rules, today, companies, plan_days),
            )
        )
        rows = [
            PlanRow(*row)
            for row in self.env.execute_query(
                SQL(
                    "SELECT %s FROM cc_plan_due",
                    SQL(", ").join(map(SQL.identifier, PlanRow._fields)),
                )
            )
        ]
        if not rows:
            return Task
        loads = planner._get_loads(plan_days)
        assignments = planner._level(rows, settings, plan_days, loads, today)
        if not assignments:
            return Task
        task_ids = planner._get_tasks(set(assignments.values()))
        row_ids = list(assignments)
        cr.execute(
            SQL(
                """
                UPDATE cc_plan_due d
                   SET task_id = v.task_id,
                       line_id = nextval('cycle_count_line_id_seq')
                  FROM unnest(%(rows)s::int[], %(tasks)s::int[]) AS v(id, task_id)
                 WHERE d.id = v.id
                """,
                rows=row_ids,
                tasks=[task_ids[assignments[row_id]] for row_id in row_ids],
            )
        )
        planner._insert_lines()
        tasks = Task.browse(sorted(set(task_ids.values())))
        self.env.invalidate_all()
        planner._recompute_tasks(planner.env["cycle.count.task"].browse(tasks.ids))
        return tasks

    @api.model
    def _get_loads(self, plan_days):
        """{(warehouse, counter or 0, day): lines already planned on that day}."""
        first = min(days[0] for days, _end in plan_days.values())
        last = max(days[-1] for days, _end in plan_days.values())
        rows = self.env.execute_query(
            SQL(
                """
                SELECT t.warehouse_id, COALESCE(t.user_id, 0), t.scheduled_date,
                       COUNT(l.id)
                  FROM cycle_count_task t
                  JOIN cycle_count_line l ON l.task_id = t.id
                 WHERE t.state IN %(states)s AND t.warehouse_id IN %(warehouses)s
                   AND t.scheduled_date BETWEEN %(first)s AND %(last)s
                 GROUP BY 1, 2, 3
                """,
                states=LOADED_TASK_STATES,
                warehouses=tuple(plan_days),
                first=first,
                last=last,
            )
        )
        return {(w, u, d): count for w, u, d, count in rows}

    @api.model
    def _level(self, rows, settings, plan_days, loads, today):
        """Give each due item a day and a counter: {row id: (warehouse, counter or
        0, day)}. Per warehouse, the items of counters named by rules first, then
        the rest shared by the warehouse's counters; an item is never planned
        before its due day, spills to the next working day when the day is full,
        and stays unplanned beyond the horizon (coverage shows it)."""
        buckets = defaultdict(lambda: defaultdict(list))
        for row in rows:
            buckets[row.warehouse_id][row.user_id or 0].append(row)
        assignments = {}
        for warehouse_id, by_counter in buckets.items():
            assignments.update(
                self._level_warehouse(
                    warehouse_id,
                    by_counter,
                    settings[warehouse_id],
                    plan_days[warehouse_id][0],
                    loads,
                    today,
                )
            )
        return assignments

    @api.model
    def _level_warehouse(self, warehouse_id, by_counter, setting, days, loads, today):
        per_counter = setting["lines_per_counter"] or math.inf
        used = Counter()
        assignments = {}

        def free(counter, index):
            return (
                per_counter
                - loads.get((warehouse_id, counter, days[index]), 0)
                - used[counter, index]
            )

        for counter in sorted(c for c in by_counter if c):
            capacities = [max(0, free(counter, i)) for i in range(len(days))]
            for row, index in self._spread(
                by_counter[counter], capacities, days, today
            ):
                used[counter, index] += 1
                assignments[row.id] = (warehouse_id, counter, days[index])
        pool = by_counter.get(0)
        if not pool:
            return assignments
        counters = setting["user_ids"] or [0]
        capacities = [
            sum(max(0, free(counter, i)) for counter in counters)
            for i in range(len(days))
        ]
        by_day = defaultdict(list)
        for row, index in self._spread(pool, capacities, days, today):
            by_day[index].append(row)
        for index, day_rows in by_day.items():
            # Contiguous stretches of the walking route, one per counter.
            day_rows.sort(key=lambda r: (r.route or "", r.product_id, r.lot_id or 0))
            if per_counter == math.inf:
                size = math.ceil(len(day_rows) / len(counters))
                shares = [size] * len(counters)
            else:
                shares = [max(0, free(counter, index)) for counter in counters]
            start = 0
            for counter, share in zip(counters, shares, strict=True):
                for row in day_rows[start : start + share]:
                    used[counter, index] += 1
                    assignments[row.id] = (warehouse_id, counter, days[index])
                start += share
        return assignments

    @api.model
    def _spread(self, rows, capacities, days, today):
        """Yield (row, day index): by due day, overdue first, then priority, then
        ABC class; never before the due day; to the next day with room."""

        def due_index(row):
            return max(0, bisect.bisect_right(days, row.due_date) - 1)

        ordered = sorted(
            rows,
            key=lambda r: (
                due_index(r),
                not r.overdue,
                -(r.priority or 0),
                r.class_rank,
                r.due_date,
                r.route or "",
                r.product_id,
                r.lot_id or 0,
            ),
        )
        remaining = list(capacities)
        pointer = 0
        for row in ordered:
            pointer = max(pointer, due_index(row))
            while pointer < len(days) and remaining[pointer] <= 0:
                pointer += 1
            if pointer >= len(days):
                return
            remaining[pointer] -= 1
            yield row, pointer

    @api.model
    def _get_tasks(self, keys):
        """{(warehouse, counter or 0, day): task id}: the planner's draft task of
        that counter on that day, or a new one."""
        Task = self.env["cycle.count.task"]
        existing = Task.search(
            [
                ("is_planned", "=", True),
                ("state", "=", "draft"),
                ("warehouse_id", "in", list({k[0] for k in keys})),
                ("scheduled_date", "in", list({k[2] for k in keys})),
            ],
            order="id",
        )
        task_ids = {}
        for task in existing:
            key = (task.warehouse_id.id, task.user_id.id or 0, task.scheduled_date)
            if key in keys:
                task_ids.setdefault(key, task.id)
        missing = sorted(keys - set(task_ids), key=lambda k: (k[2], k[0], k[1]))
        warehouses = self.env["stock.warehouse"].browse({k[0] for k in missing})
        company_of = {w.id: w.company_id.id for w in warehouses}
        # Called by ``_plan`` as the superuser: counters' tasks, whoever plans.
        created = Task.with_context(tracking_disable=True).create(
            [
                {
                    "warehouse_id": warehouse_id,
                    "company_id": company_of[warehouse_id],
                    "user_id": counter or False,
                    "scheduled_date": day,
                    "is_planned": True,
                }
                for warehouse_id, counter, day in missing
            ]
        )
        task_ids.update(zip(missing, created.ids, strict=True))
        return task_ids

    # ------------------------------------------------------------------
    # Writing the lines: the columns, a hook for bridges
    # ------------------------------------------------------------------
    @api.model
    def _get_planned_line_columns(self):
        """Hook: what the planner's INSERT … SELECT writes into cycle_count_line,
        as {column: SQL expression}. ``d`` is a row of cc_plan_due: the columns
        of ``_items_sql`` (company_id, warehouse_id, location_id, product_id,
        lot_id, package_id, owner_id, quantity, unit_cost, route, due_date,
        last_count, frequency, priority, abc_class_id, rule_moves, …) plus the
        ``line_id`` and ``task_id`` given by the leveling.

        A bridge that adds a stored field to ``cycle.count.line`` either fills it
        here, extending with ``super()``::

            def _get_planned_line_columns(self):
                columns = super()._get_planned_line_columns()
                columns["zone_id"] = SQL(
                    "(SELECT zone_id FROM stock_location WHERE id = d.location_id)"
                )
                return columns

        or declares it in ``_get_planned_line_defaulted_fields``; a test fails
        while a stored field is in neither."""
        now = SQL("NOW() AT TIME ZONE 'UTC'")
        return {
            "id": SQL("d.line_id"),
            "task_id": SQL("d.task_id"),
            "company_id": SQL("d.company_id"),
            "warehouse_id": SQL("d.warehouse_id"),
            "state": SQL("'draft'"),
            "location_id": SQL("d.location_id"),
            "route_key": SQL("d.route"),
            "product_id": SQL("d.product_id"),
            "lot_id": SQL("d.lot_id"),
            "package_id": SQL("d.package_id"),
            "owner_id": SQL("d.owner_id"),
            "is_counted": SQL("FALSE"),
            "is_found": SQL("FALSE"),  # planned, not found while counting
            "difference_qty": SQL("0"),
            "variance_value": SQL("0"),
            "has_difference": SQL("FALSE"),
            "due_date": SQL("d.due_date"),
            "last_count_date": SQL("d.last_count::date"),
            "plan_frequency_days": SQL("d.base_frequency"),
            "planned_interval": SQL("d.frequency"),
            "plan_misses": SQL("d.misses"),
            "plan_counts_seen": SQL("d.seen"),
            "plan_priority": SQL("LEAST(d.priority, 3)::text"),
            "abc_class_id": SQL("d.abc_class_id"),
            "plan_onhand_qty": SQL("d.quantity"),
            "plan_unit_cost": SQL("d.unit_cost"),
            "plan_moves": SQL("d.rule_moves"),
            # The counter's team, set when the line is counted.
            "team_id": SQL("NULL::int"),
            "create_uid": SQL("%s", self.env.uid),
            "create_date": now,
            "write_uid": SQL("%s", self.env.uid),
            "write_date": now,
        }

    @api.model
    def _get_planned_line_defaulted_fields(self):
        """Hook: stored fields of ``cycle.count.line`` the planner deliberately
        leaves out of its columns. A computed one is recomputed by the ORM once
        the lines exist; any other gets its default (``default_get``), or NULL.
        Relations written by their own statement (rules, events) are here too."""
        return {
            # Written by the count, empty until then.
            "counted_qty",
            "book_qty",
            "unit_cost",
            "reason_id",
            "counter_id",
            "counted_at",
            "note",
            "count_hint",
            "attachment_ids",
            # Relations: the rules by the next INSERT, the events by their UPDATE.
            "rule_ids",
            "event_ids",
            # The recount loop's (approval): a planned line recounts nothing and
            # is superseded by nothing yet.
            "recount_of_id",
            "is_superseded",
        }

    @api.model
    def _get_undeclared_line_fields(self):
        """Stored fields of ``cycle.count.line`` that the planner neither writes
        nor declares defaulted (a test requires none), and declared names that
        are no field (a rename missed)."""
        fields_ = self.env["cycle.count.line"]._fields
        declared = (
            set(self._get_planned_line_columns())
            | self._get_planned_line_defaulted_fields()
        )
        undeclared = {name for name, f in fields_.items() if f.store} - declared
        return undeclared, declared - set(fields_)

    @api.model
    def _insert_lines(self):
        """Write the lines of cc_plan_due that got a task: the lines, their rules
        and their events, in three statements."""
        Line = self.env["cycle.count.line"]
        columns = self._get_planned_line_columns()
        defaults, to_compute = self._other_line_fields(columns)
        columns.update(defaults)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO cycle_count_line (%(columns)s)
                SELECT %(values)s
                  FROM cc_plan_due d
                 WHERE d.task_id IS NOT NULL
                """,
                columns=SQL(", ").join(map(SQL.identifier, columns)),
                values=SQL(", ").join(columns.values()),
            )
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO cycle_count_line_rule_rel (line_id, rule_id)
                SELECT d.line_id, UNNEST(d.rule_ids)
                  FROM cc_plan_due d
                 WHERE d.task_id IS NOT NULL
                """
            )
        )
        self.env["cycle.count.event"]._action_plan_sql(
            SQL(
                "SELECT line_id, UNNEST(event_ids) AS event_id "
                "FROM cc_plan_due WHERE task_id IS NOT NULL"
            )
        )
        if to_compute:
            line_ids = [
                line_id
                for (line_id,) in self.env.execute_query(
                    SQL("SELECT line_id FROM cc_plan_due WHERE task_id IS NOT NULL")
                )
            ]
            lines = Line.browse(line_ids)
            for field in to_compute:
                self.env.add_to_compute(field, lines)

    @api.model
    def _other_line_fields(self, columns):
        """The stored line fields not in ``columns``: ({column: SQL of its
        default}, [computed fields to recompute]). Covers the declared defaulted
        fields, and keeps a field nobody declared from being left NULL."""
        Line = self.env["cycle.count.line"]
        to_compute, plain = [], []
        for name, field in Line._fields.items():
            if not field.store or not field.column_type or name in columns:
                continue
            if field.compute or field.related:
                to_compute.append(field)
            else:
                plain.append(name)
        defaults = {
            name: SQL("%s", Line._fields[name].convert_to_column_insert(value, Line))
            for name, value in (Line.default_get(plain) if plain else {}).items()
        }
        return defaults, to_compute

    @api.model
    def _recompute_tasks(self, tasks):
        """The tasks' stored fields that depend on their lines (progress, …)."""
        Task = self.env["cycle.count.task"]
        depends = self.env.registry.field_depends
        for field in Task._fields.values():
            if (
                field.store
                and field.compute
                and any(path.startswith("line_ids") for path in depends[field])
            ):
                self.env.add_to_compute(field, tasks)
        tasks.flush_recordset()
