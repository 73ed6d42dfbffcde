from odoo import api, models
from odoo.tools import SQL
from odoo.tools import sql as sqltools

# The tasks whose facts are rewritten before the next read of any report, and
# at the latest before the commit (one set for the transaction).
DIRTY_KEY = "cycle_count_dashboard.dirty_tasks"
NEW_TABLES_KEY = "cycle_count_dashboard.new_tables"


class CycleCountReportFact(models.AbstractModel):
    """The common machinery of the dashboard's fact tables: real tables, every
    dimension a column of its own (no join when read), one or more rows per
    count line or task, kept up to date incrementally.

    The ORM write points of lines, tasks and the planner mark the tasks they
    touch (``_mark_dirty``); before any search or read_group of a report, and
    before the commit, the rows of those tasks are rewritten by one DELETE and
    one INSERT … SELECT per report (``_refresh``). ``_rebuild`` rewrites every
    row, after a bulk load by SQL. A model names its facts in
    ``_fact_query(scope)``: a SELECT whose columns are the model's fields, over
    the lines ``l`` of the tasks ``t`` for which ``scope`` holds.

    Percentages are ratios of sums at every level of grouping (never sums or
    averages of rows): ``_ratio_aggregates`` maps each to its numerator and
    denominator, see ``_read_group_select``."""

    _name = "cycle.count.report.fact"
    _description = "Cycle Count Report Facts"
    _log_access = False

    # {field: (numerator field, denominator field, factor, abs of numerator)}
    _ratio_aggregates = {}

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in self._ratio_aggregates:
            part, whole, factor, absolute = self._ratio_aggregates[fname]
            numerator = SQL("SUM(%s)", SQL.identifier(self._table, part))
            if absolute:
                numerator = SQL("ABS(%s)", numerator)
            return SQL(
                "%s * %s / NULLIF(SUM(%s), 0)",
                factor,
                numerator,
                SQL.identifier(self._table, whole),
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Every read (search, read_group, the web client's views) sees the
        # facts of this transaction's counts.
        self._process_dirty()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _auto_init(self):
        if self._abstract:
            return super()._auto_init()
        # Databases of 18.0.2.0.0's first builds have a view of this name: it is
        # dropped before the ORM creates the table, which init() then fills
        # from the lines already counted.
        sqltools.drop_view_if_exists(self.env.cr, self._table)
        created = not sqltools.table_exists(self.env.cr, self._table)
        res = super()._auto_init()
        if created:
            self.env.cr.precommit.data.setdefault(NEW_TABLES_KEY, set()).add(self._name)
        return res

    def init(self):
        res = super().init()
        new = self.env.cr.precommit.data.get(NEW_TABLES_KEY, set())
        if self._name in new:
            new.discard(self._name)
            self._rebuild()
        return res

    # ------------------------------------------------------------------
    # Upkeep
    # ------------------------------------------------------------------
    @api.model
    def _fact_models(self):
        return [
            self.env[name].sudo()
            for name in self.env.registry.descendants(
                ["cycle.count.report.fact"], "_inherit"
            )
            if not self.env[name]._abstract
        ]

    @api.model
    def _mark_dirty(self, tasks):
        """Rewrite the facts of ``tasks`` before the next read (and before the
        commit). Cheap: ids are collected; the rows are rewritten once."""
        if not tasks:
            return
        data = self.env.cr.precommit.data
        if DIRTY_KEY not in data:
            data[DIRTY_KEY] = set()
            # The facts are the system's: whoever counted, they are rewritten.
            self.env.cr.precommit.add(self.sudo()._process_dirty)
        data[DIRTY_KEY].update(tasks.ids)

    @api.model
    def _process_dirty(self):
        dirty = self.env.cr.precommit.data.get(DIRTY_KEY)
        if not dirty:
            return
        task_ids = list(dirty)
        dirty.clear()
        self.env.flush_all()
        for model in self._fact_models():
            model._refresh(task_ids)

    @api.model
    def _refresh(self, task_ids):
        """Rewrite the rows of the tasks ``task_ids`` (set-based)."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE task_id = ANY(%s)",
                SQL.identifier(self._table),
                task_ids,
            )
        )
        self._insert_facts(SQL("t.id = ANY(%s)", task_ids))
        self.invalidate_model()

    @api.model
    def _rebuild(self):
        """Rewrite every row of this report from the lines (after a bulk load
        by SQL, or on demand)."""
        self.env.flush_all()
        self.env.cr.execute(SQL("TRUNCATE %s", SQL.identifier(self._table)))
        self._insert_facts(SQL("TRUE"))
        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        self.invalidate_model()

    @api.model
    def _rebuild_all(self):
        """Rewrite every fact table (the demo and the benchmark call this after
        their bulk loads)."""
        self.env.cr.precommit.data.pop(DIRTY_KEY, None)
        for model in self._fact_models():
            model._rebuild()

    @api.model
    def _insert_facts(self, scope):
        query = self._fact_query(scope)
        names = self._fact_columns()
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s FROM (%s) f",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in names),
                SQL(", ").join(SQL.identifier("f", name) for name in names),
                query,
            )
        )

    @api.model
    def _fact_columns(self):
        return [
            name
            for name, field in self._fields.items()
            if field.store and field.column_type and name not in models.MAGIC_COLUMNS
        ]

    @api.model
    def _fact_query(self, scope):
        raise NotImplementedError

    # ------------------------------------------------------------------
    # SQL shared by the reports
    # ------------------------------------------------------------------
    @api.model
    def _local_date_sql(self, timestamp, partner_alias):
        """The calendar day of the counter (their time zone, not UTC's)."""
        return SQL(
            "(%s AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(%s.tz, 'UTC'))::date",
            timestamp,
            SQL.identifier(partner_alias),
        )

    @api.model
    def _zone_sql(self, location_alias, stock_alias):
        """The zone of a location: the location right under the warehouse's
        stock location that holds it (the location itself when it is the
        stock location or outside of it)."""
        loc, stock = SQL.identifier(location_alias), SQL.identifier(stock_alias)
        return SQL(
            """CASE WHEN %(stock)s.id IS NOT NULL AND %(loc)s.id <> %(stock)s.id
                         AND %(loc)s.parent_path LIKE %(stock)s.parent_path || %(any)s
                    THEN split_part(substr(%(loc)s.parent_path,
                                           length(%(stock)s.parent_path) + 1),
                                    '/', 1)::int
                    ELSE %(loc)s.id END""",
            loc=loc,
            stock=stock,
            any="%",
        )
