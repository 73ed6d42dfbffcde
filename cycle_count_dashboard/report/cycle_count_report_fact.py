from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools import sql as sqltools

# The tasks whose facts are rewritten before the next read of any report, and
# at the latest before the commit (one set for the transaction).
DIRTY_KEY = "cycle_count_dashboard.dirty_tasks"
NEW_TABLES_KEY = "cycle_count_dashboard.new_tables"
# Context key: the summary table a read_group of a report is routed to.
SUMMARY_KEY = "cycle_count_dashboard_summary"
# Context key: read the fact rows, never a summary (tests compare both).
FACTS_KEY = "cycle_count_dashboard_facts"


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
    # Daily summaries (see ``_summary_tables``): the date column, the summed
    # columns, and the dimension sets, one table each, smallest first.
    _summary_date = "date"
    _summary_measures = ()
    _summaries = ()
    # Searchable non-stored fields and the stored dimension their search uses.
    _summary_search_fields = {}

    company_id = fields.Many2one("res.company", readonly=True, index=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True, index=True)
    team_id = fields.Many2one("cycle.count.team", string="Counting Team", readonly=True)
    counter_id = fields.Many2one(
        "res.users", string="Counted By", readonly=True, index=True
    )
    task_id = fields.Many2one(
        "cycle.count.task", readonly=True, index=True, ondelete="cascade"
    )

    # ------------------------------------------------------------------
    # Reading: daily summaries and the groups' order
    # ------------------------------------------------------------------
    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        self._process_dirty()
        groupby, aggregates = tuple(groupby), tuple(aggregates)
        model = self
        table = self._summary_for(domain, groupby, aggregates, having, order)
        if table:
            model = self.with_context(**{SUMMARY_KEY: table})
        later = self._order_groups_later(groupby, order, offset, limit)
        rows = super(CycleCountReportFact, model)._read_group(
            domain, groupby, aggregates, having, offset, limit, None if later else order
        )
        if table:
            # The groups' records come back in this model's own environment.
            rows = [
                tuple(
                    value.with_env(self.env)
                    if isinstance(value, models.BaseModel)
                    else value
                    for value in row
                )
                for row in rows
            ]
        if later:
            rows = self._sort_groups(rows, later)
        return rows

    @api.model
    def _summary_for(self, domain, groupby, aggregates, having, order):
        """The summary table that answers this read_group exactly, or None: all
        its groupbys, domain fields (the record rules' too) and order terms are
        dimensions of the summary, and every aggregate is a count, a sum of a
        summed column or a ratio of two."""
        if not self._summaries or having or self.env.context.get(FACTS_KEY):
            return None
        measures = set(self._summary_measures)
        for spec in aggregates:
            if spec == "__count":
                continue
            fname, _, func = spec.partition(":")
            ratio = self._ratio_aggregates.get(fname)
            if ratio:
                if not {ratio[0], ratio[1]} <= measures:
                    return None
            elif fname not in measures or func != "sum":
                return None
        needed = {spec.split(":")[0] for spec in groupby}
        for term in (order or "").split(","):
            if term.strip():
                spec = term.split()[0]
                if spec not in groupby:
                    return None
        rules = self.env["ir.rule"]._compute_domain(self._name, "read")
        for leaf in list(expression.normalize_domain(domain)) + list(rules or []):
            if not expression.is_leaf(leaf) or leaf in (
                expression.TRUE_LEAF,
                expression.FALSE_LEAF,
            ):
                continue
            fname = str(leaf[0]).split(".")[0]
            needed.add(self._summary_search_fields.get(fname, fname))
        for dimensions, table in zip(
            self._summaries, self._summary_tables(), strict=True
        ):
            if needed <= {self._summary_date, *dimensions}:
                return table
        return None

    @api.model
    def _summary_tables(self):
        return [f"{self._table}_sum{i}" for i in range(len(self._summaries))]

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Every read (search, read_group, the web client's views) sees the
        # facts of this transaction's counts.
        self._process_dirty()
        query = super()._search(domain, offset=offset, limit=limit, order=order)
        table = self.env.context.get(SUMMARY_KEY)
        if table in self._summary_tables():
            # The summary has the facts' column names: the same conditions,
            # groupings and sums apply, over fewer rows.
            query._tables[self._table] = SQL.identifier(table)
        return query

    @api.model
    def _read_group_format_result(self, rows_dict, lazy_groupby):
        # Odoo names each group's record on its own (one sudo environment and
        # one display name a group: seconds for 20 000 tasks); the names are
        # computed here in one batch, which Odoo's loop then finds cached.
        for group in lazy_groupby:
            field = self._fields[group.split(":")[0].split(".")[0]]
            if field.type != "many2one":
                continue
            ids = {row[group].id for row in rows_dict if row[group]}
            # The group's label, as Odoo gives it (sudo: a name, not a record).
            records = self.env[field.comodel_name].sudo().browse(list(ids))
            if records._rec_name:
                # Only the name's column (a fetch reads every column else).
                records.fetch([records._rec_name])
            records.mapped("display_name")
            by_id = {record.id: record for record in records}
            for row in rows_dict:
                if row[group]:
                    row[group] = by_id[row[group].id]
        return super()._read_group_format_result(rows_dict, lazy_groupby)

    @api.model
    def search_count(self, domain, limit=None):
        # The list's count is a figure too: a summary has it when the domain
        # allows (a count of every fact row of 12 months under a company rule
        # is a scan of the rows).
        if self._summary_for(domain, (), ("__count",), (), None):
            total = self._read_group(domain, (), ("__count",))[0][0] or 0
            return min(total, limit) if limit else total
        return super().search_count(domain, limit=limit)

    @api.model
    def _order_groups_later(self, groupby, order, offset, limit):
        """When the groups are ordered by their groupbys and one of them is a
        many2one ordered by name (users, tasks), order by ids in SQL (no join
        of every row with the names) and sort the groups after: returns the
        directions by groupby, or None."""
        if not order or offset or limit:
            return None
        directions = {}
        for term in order.split(","):
            parts = term.split()
            if not parts or parts[0] not in groupby or len(parts) > 2:
                return None
            directions[parts[0]] = (parts[1] if len(parts) > 1 else "asc").lower()
        many2ones = [
            spec
            for spec in directions
            if self._fields.get(spec) is not None
            and self._fields[spec].type == "many2one"
            and self.env[self._fields[spec].comodel_name]._order != "id"
        ]
        if not many2ones or list(directions) != list(groupby):
            return None
        return directions

    @api.model
    def _sort_groups(self, rows, directions):
        """Sort the groups as ``ORDER BY`` the groupbys would (records by
        their model's order, empty last), from the groups' values only."""
        groupby = list(directions)
        ranks = []
        for index, spec in enumerate(groupby):
            values = {row[index] for row in rows}
            field = self._fields.get(spec)
            if field is not None and field.type == "many2one":
                comodel = self.env[field.comodel_name].with_context(active_test=False)
                ids = {value.id for value in values if value}
                ordered = list(
                    comodel._search([("id", "in", list(ids))], order=comodel._order)
                )
                ordered += sorted(ids - set(ordered))
                rank = {id_: n for n, id_ in enumerate(ordered)}
                key = {
                    value: rank[value.id] if value else len(rank) for value in values
                }
            else:
                boolean = field is not None and field.type == "boolean"
                empty = {None} if boolean else {None, False}
                present = sorted(value for value in values if value not in empty)
                rank = {value: n for n, value in enumerate(present)}
                key = {value: rank.get(value, len(rank)) for value in values}
            sign = -1 if directions[spec] == "desc" else 1
            ranks.append((key, sign))
        return sorted(
            rows,
            key=lambda row: tuple(
                sign * key[row[index]] for index, (key, sign) in enumerate(ranks)
            ),
        )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec == "__count" and self.env.context.get(SUMMARY_KEY):
            # A summary row stands for row_count fact rows.
            return SQL("SUM(%s)", SQL.identifier(self._table, "row_count"))
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
        created = self._create_summary_tables()
        new = self.env.cr.precommit.data.get(NEW_TABLES_KEY, set())
        if self._name in new:
            new.discard(self._name)
            self._rebuild()
        elif created:
            self._fill_summaries(SQL("TRUE"), created)
        return res

    @api.model
    def _summary_columns(self, dimensions):
        return [self._summary_date, *dimensions, "row_count", *self._summary_measures]

    @api.model
    def _create_summary_tables(self):
        """Create the summary tables that are missing (or whose columns no
        longer match their definition); return their names."""
        cr = self.env.cr
        created = []
        for dimensions, table in zip(
            self._summaries, self._summary_tables(), strict=True
        ):
            columns = self._summary_columns(dimensions)
            if sqltools.table_exists(cr, table):
                if set(sqltools.table_columns(cr, table)) == set(columns):
                    continue
                cr.execute(SQL("DROP TABLE %s", SQL.identifier(table)))
            types = {
                name: self._fields[name].column_type[1]
                for name in columns
                if name != "row_count"
            }
            types["row_count"] = "int4"
            cr.execute(
                SQL(
                    "CREATE TABLE %s (%s)",
                    SQL.identifier(table),
                    SQL(", ").join(
                        SQL("%s %s", SQL.identifier(name), SQL(types[name]))
                        for name in columns
                    ),
                )
            )
            # Reads filter on the day; upkeep rewrites whole days.
            cr.execute(
                SQL(
                    "CREATE INDEX %s ON %s (%s)",
                    SQL.identifier(f"{table}_date_idx"),
                    SQL.identifier(table),
                    SQL.identifier(self._summary_date),
                )
            )
            created.append(table)
        return created

    @api.model
    def _fill_summaries(self, scope, tables=None):
        """Insert the summary rows of the fact rows in ``scope`` (SQL over the
        fact table) into ``tables`` (default: all of them)."""
        for dimensions, table in zip(
            self._summaries, self._summary_tables(), strict=True
        ):
            if tables is not None and table not in tables:
                continue
            keys = [self._summary_date, *dimensions]
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) SELECT %s, COUNT(*), %s FROM %s WHERE %s GROUP BY %s",
                    SQL.identifier(table),
                    SQL(", ").join(
                        SQL.identifier(name)
                        for name in self._summary_columns(dimensions)
                    ),
                    SQL(", ").join(SQL.identifier(name) for name in keys),
                    SQL(", ").join(
                        SQL("SUM(%s)", SQL.identifier(name))
                        for name in self._summary_measures
                    ),
                    SQL.identifier(self._table),
                    scope,
                    SQL(", ").join(SQL.identifier(name) for name in keys),
                )
            )

    @api.model
    def _refresh_summaries(self, days):
        """Rewrite the summary rows of the days ``days`` (a day is the slice of
        upkeep: its rows are recomputed from its fact rows, so the sums stay
        exactly those of the facts)."""
        if not self._summaries or not days:
            return
        date = SQL.identifier(self._summary_date)
        known = [day for day in days if day is not None]
        scope = SQL("%s = ANY(%s)", date, known)
        if None in days:
            scope = SQL("(%s OR %s IS NULL)", scope, date)
        for table in self._summary_tables():
            self.env.cr.execute(
                SQL("DELETE FROM %s WHERE %s", SQL.identifier(table), scope)
            )
        self._fill_summaries(scope)

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
        """Rewrite the rows of the tasks ``task_ids`` (set-based), then the
        summaries of the days they were and are on."""
        table, date = SQL.identifier(self._table), SQL.identifier(self._summary_date)
        self.env.cr.execute(
            SQL(
                "WITH gone AS (DELETE FROM %s WHERE task_id = ANY(%s) RETURNING %s)"
                " SELECT DISTINCT %s FROM gone",
                table,
                task_ids,
                date,
                date,
            )
        )
        days = {row[0] for row in self.env.cr.fetchall()}
        self._insert_facts(SQL("t.id = ANY(%s)", task_ids))
        if self._summaries:
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT %s FROM %s WHERE task_id = ANY(%s)",
                    date,
                    table,
                    task_ids,
                )
            )
            days |= {row[0] for row in self.env.cr.fetchall()}
            self._refresh_summaries(days)
        self.invalidate_model()

    @api.model
    def _rebuild(self):
        """Rewrite every row of this report from the lines (after a bulk load
        by SQL, or on demand), then its summaries.

        The bulk insert runs without the table's foreign keys and secondary
        indexes: a foreign key checks each inserted row by one lookup per
        column (the 236 s of a 200 000-line rebuild), an index is updated row
        by row. Both are put back after: the indexes built once over the
        table, the foreign keys ``NOT VALID``, since every row was just
        selected from the rows they point to, in this transaction (PostgreSQL
        still checks every later insert and update against them)."""
        self.env.flush_all()
        cr = self.env.cr
        table = SQL.identifier(self._table)
        cr.execute(
            SQL(
                """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                    WHERE conrelid = %s::regclass AND contype = 'f'""",
                self._table,
            )
        )
        foreign_keys = cr.fetchall()
        cr.execute(
            SQL(
                """SELECT c.relname, pg_get_indexdef(i.indexrelid)
                     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                      AND NOT i.indisunique""",
                self._table,
            )
        )
        indexes = cr.fetchall()
        for name, _definition in foreign_keys:
            cr.execute(
                SQL("ALTER TABLE %s DROP CONSTRAINT %s", table, SQL.identifier(name))
            )
        for name, _definition in indexes:
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
        cr.execute(SQL("TRUNCATE %s", table))
        self._insert_facts(SQL("TRUE"))
        for _name, definition in indexes:
            cr.execute(SQL(definition))
        for name, definition in foreign_keys:
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID",
                    table,
                    SQL.identifier(name),
                    SQL(definition),
                )
            )
        for summary in self._summary_tables():
            cr.execute(SQL("TRUNCATE %s", SQL.identifier(summary)))
        self._fill_summaries(SQL("TRUE"))
        for name in [self._table, *self._summary_tables()]:
            cr.execute(SQL("ANALYZE %s", SQL.identifier(name)))
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
