from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .cycle_count_planner import execute_lock, unit_cost_sql

# Outgoing = stock leaving internal locations for a customer or production.
OUTGOING_USAGES = ("customer", "production")


class CycleCountAbcProfile(models.Model):
    """How products are ranked into A, B and C: one profile per company, and
    optionally one per warehouse. Computing it is one set-based pass over the
    stock moves (or the quants, for on-hand value)."""

    _name = "cycle.count.abc.profile"
    _description = "ABC Classification Profile"
    _order = "company_id, warehouse_id, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        help="Classify by the moves of this warehouse only. Empty: the whole "
        "company; the class is then also stored on the product.",
    )
    basis = fields.Selection(
        [
            ("consumption_value", "Consumption value"),
            ("outgoing_qty", "Outgoing quantity"),
            ("pick_frequency", "Pick frequency (outgoing moves)"),
            ("onhand_value", "On-hand value"),
        ],
        required=True,
        default="consumption_value",
        help="Consumption value: outgoing quantity × the product's cost. Outgoing "
        "means done moves from an internal location to a customer or to "
        "production. On-hand value: quantity in internal locations × cost, today.",
    )
    period_days = fields.Integer(
        aggregator=None,
        string="Over the Last (Days)",
        default=365,
        required=True,
        help="The moves of this many days before the computation are ranked.",
    )
    threshold_a = fields.Float(
        aggregator=None,
        string="Class A up to (%)",
        default=80.0,
        required=True,
        help="The products that make the first 80 % of the total are class A.",
    )
    threshold_b = fields.Float(
        aggregator=None,
        string="Class B up to (%)",
        default=95.0,
        required=True,
        help="The products that make the total up to 95 % are class B; the rest "
        "(and every product without any value) is class C.",
    )
    date_computed = fields.Date(string="Computed On", readonly=True, copy=False)
    class_line_ids = fields.One2many(
        "cycle.count.product.class", "profile_id", string="Product Classes"
    )
    product_count_a = fields.Integer(string="A", compute="_compute_product_counts")
    product_count_b = fields.Integer(string="B", compute="_compute_product_counts")
    product_count_c = fields.Integer(string="C", compute="_compute_product_counts")
    change_count = fields.Integer(
        string="Class Changes", compute="_compute_product_counts"
    )

    def _compute_product_counts(self):
        counts = {
            (profile.id, abc_class.code): count
            for profile, abc_class, count in self.env[
                "cycle.count.product.class"
            ]._read_group(
                [("profile_id", "in", self.ids)],
                ["profile_id", "abc_class_id"],
                ["__count"],
            )
        }
        changes = {
            profile.id: count
            for profile, count in self.env[
                "cycle.count.product.class.history"
            ]._read_group([("profile_id", "in", self.ids)], ["profile_id"], ["__count"])
        }
        for profile in self:
            key = profile._origin.id
            profile.product_count_a = counts.get((key, "A"), 0)
            profile.product_count_b = counts.get((key, "B"), 0)
            profile.product_count_c = counts.get((key, "C"), 0)
            profile.change_count = changes.get(key, 0)

    @api.constrains("threshold_a", "threshold_b", "period_days")
    def _check_thresholds(self):
        for profile in self:
            if not 0 < profile.threshold_a < profile.threshold_b <= 100:
                raise ValidationError(
                    self.env._(
                        "Profile %(profile)s: the thresholds must satisfy 0 < A < B ≤ "
                        "100 (now A %(a)s %%, B %(b)s %%).",
                        profile=profile.display_name,
                        a=profile.threshold_a,
                        b=profile.threshold_b,
                    )
                )
            if profile.period_days < 1:
                raise ValidationError(
                    self.env._(
                        "Profile %(profile)s: the period must be at least one day.",
                        profile=profile.display_name,
                    )
                )

    @api.constrains("company_id", "warehouse_id", "active")
    def _check_one_profile_per_scope(self):
        groups = self.with_context(active_test=True)._read_group(
            [
                ("company_id", "in", self.company_id.ids),
                ("active", "=", True),
            ],
            ["company_id", "warehouse_id"],
            ["__count"],
        )
        for company, warehouse, count in groups:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s already has an active ABC profile for "
                        "%(scope)s. Archive it first, or edit it.",
                        company=company.display_name,
                        scope=warehouse.display_name or self.env._("the whole company"),
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_compute(self):
        self.check_access("write")
        # The classes and their history are written by the system, not typed in.
        self.sudo()._compute_classes()
        return True

    def action_open_classes(self):
        self.ensure_one()
        # An action names the record: only for who may read it.
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cycle_count_planning.cycle_count_product_class_action"
        )
        action["domain"] = [("profile_id", "=", self.id)]
        action["context"] = {"search_default_group_class": 1}
        return action

    def action_open_history(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cycle_count_planning.cycle_count_product_class_history_action"
        )
        action["domain"] = [("profile_id", "=", self.id)]
        return action

    @api.model
    def _cron_compute_classes(self):
        """Compute every active profile not computed today, one at a time. The
        cron runs as the superuser: it reads every active profile.

        Under the cron, each call computes one profile and reports progress:
        the cron commits it and calls again (each profile its own
        transaction). Called directly, it computes them all. With a job queue
        installed, ``_enqueue_computations`` hands each profile to a job."""
        today = fields.Date.context_today(self)
        if self._enqueue_computations(today):
            return
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        while self._compute_next_profile(today):
            if in_cron:
                remaining = self.search_count(self._get_due_domain(today))
                self.env["ir.cron"]._notify_progress(done=1, remaining=remaining)
                return

    @api.model
    def _get_due_domain(self, today):
        return [
            ("active", "=", True),
            "|",
            ("date_computed", "=", False),
            ("date_computed", "<", today),
        ]

    @api.model
    def _enqueue_computations(self, today):
        """Hook for a job queue: hand each profile due ``today`` to a
        background job and return True; here, nothing to hand over."""
        return False

    def _compute_next_profile(self, today):
        """The nightly run's unit of work: one active profile (of ``self`` when
        given) not computed on ``today``, locked and computed; return it, or
        an empty recordset when none is left (or the rest is being computed
        by another transaction)."""
        conditions = [
            SQL("p.active"),
            SQL("(p.date_computed IS NULL OR p.date_computed < %s)", today),
        ]
        if self:
            conditions.append(SQL("p.id IN %s", tuple(self.ids)))
        self.env.flush_all()
        rows = execute_lock(
            self.env,
            SQL(
                """
                UPDATE cycle_count_abc_profile
                   SET date_computed = date_computed
                 WHERE id = (SELECT p.id FROM cycle_count_abc_profile p
                              WHERE %s
                              ORDER BY p.id
                              LIMIT 1
                                FOR NO KEY UPDATE SKIP LOCKED)
             RETURNING id
                """,
                SQL(" AND ").join(conditions),
            ),
        )
        profile = self.browse([row[0] for row in rows])
        profile._compute_classes(today)
        return profile

    def _lock_for_compute(self):
        """Lock these profiles; return those locked (the others are being
        computed by another transaction). An UPDATE of each row, so that under
        REPEATABLE READ a transaction whose snapshot predates another one's
        computation fails with a serialization error (retried) rather than
        writing the same class changes into the history twice."""
        if not self:
            return self
        self.flush_recordset()
        rows = execute_lock(
            self.env,
            SQL(
                """
                UPDATE cycle_count_abc_profile p
                   SET date_computed = p.date_computed
                 WHERE p.id IN (SELECT id FROM cycle_count_abc_profile
                                 WHERE id IN %s
                                 ORDER BY id
                                   FOR NO KEY UPDATE SKIP LOCKED)
             RETURNING p.id
                """,
                tuple(self.ids),
            ),
        )
        return self.browse(sorted(row[0] for row in rows))

    # ------------------------------------------------------------------
    # Classification
    # ------------------------------------------------------------------
    def _compute_classes(self, today=None):
        """Rank every storable product of each profile's company and store its
        class, with a history row for each class that changed. A profile
        being computed by another transaction is left to it."""
        today = fields.Date.to_date(today) if today else fields.Date.context_today(self)
        self.env.flush_all()
        classes = {
            abc_class.code: abc_class.id
            for abc_class in self.env["cycle.count.abc.class"].search([])
        }
        for profile in self._lock_for_compute():
            # One statement per profile: a handful of profiles, whatever the data.
            self.env.cr.execute(profile._classification_sql(today, classes))
            if not profile.warehouse_id:
                self.env.cr.execute(profile._store_on_products_sql(today))
            profile.date_computed = today
        self.env["product.product"].invalidate_model(
            ["cycle_count_abc_class_id", "cycle_count_abc_date"]
        )
        self.env["cycle.count.product.class"].invalidate_model()
        self.env["cycle.count.product.class.history"].invalidate_model()

    def _basis_sql(self, today):
        self.ensure_one()
        cost = unit_cost_sql("pp", SQL("%s", self.company_id.id))
        warehouse = (
            SQL("AND loc.warehouse_id = %s", self.warehouse_id.id)
            if self.warehouse_id
            else SQL()
        )
        if self.basis == "onhand_value":
            return SQL(
                """
                SELECT q.product_id, SUM(q.quantity * %(cost)s) AS value
                  FROM stock_quant q
                  JOIN stock_location loc ON loc.id = q.location_id
                  JOIN product_product pp ON pp.id = q.product_id
                 WHERE q.company_id = %(company)s AND loc.usage = 'internal'
                   AND q.quantity > 0 %(warehouse)s
                 GROUP BY q.product_id
                """,
                cost=cost,
                company=self.company_id.id,
                warehouse=warehouse,
            )
        aggregate = {
            "consumption_value": SQL("SUM(m.product_qty * %s)", cost),
            "outgoing_qty": SQL("SUM(m.product_qty)"),
            "pick_frequency": SQL("COUNT(*)"),
        }[self.basis]
        return SQL(
            """
            SELECT m.product_id, %(aggregate)s AS value
              FROM stock_move m
              JOIN stock_location loc ON loc.id = m.location_id
              JOIN stock_location dest ON dest.id = m.location_dest_id
              JOIN product_product pp ON pp.id = m.product_id
             WHERE m.state = 'done' AND m.company_id = %(company)s
               AND m.date >= %(since)s AND m.date < %(until)s
               AND loc.usage = 'internal' AND dest.usage IN %(outgoing)s
               AND m.is_inventory IS NOT TRUE %(warehouse)s
             GROUP BY m.product_id
            """,
            aggregate=aggregate,
            company=self.company_id.id,
            since=today - timedelta(days=self.period_days - 1),
            until=today + timedelta(days=1),
            outgoing=OUTGOING_USAGES,
            warehouse=warehouse,
        )

    def _classification_sql(self, today, classes):
        self.ensure_one()
        return SQL(
            """
            WITH basis AS (%(basis)s),
            ranked AS (
                SELECT pp.id AS product_id, COALESCE(b.value, 0) AS value,
                       SUM(COALESCE(b.value, 0)) OVER ranking AS cumulative,
                       SUM(COALESCE(b.value, 0)) OVER () AS total,
                       ROW_NUMBER() OVER ranking AS rank
                  FROM product_product pp
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN basis b ON b.product_id = pp.id
                 WHERE pp.active AND pt.is_storable
                   AND (pt.company_id IS NULL OR pt.company_id = %(company)s)
                WINDOW ranking AS (ORDER BY COALESCE(b.value, 0) DESC, pp.id)
            ),
            classified AS (
                SELECT product_id, value, rank,
                       CASE WHEN total > 0 THEN 100.0 * value / total ELSE 0 END
                           AS share,
                       CASE WHEN total > 0 THEN 100.0 * cumulative / total ELSE 0 END
                           AS cumulative_share,
                       CASE WHEN value <= 0 OR total <= 0 THEN %(class_c)s
                            WHEN cumulative - value < total * %(a)s / 100.0
                                THEN %(class_a)s
                            WHEN cumulative - value < total * %(b)s / 100.0
                                THEN %(class_b)s
                            ELSE %(class_c)s END AS class_id
                  FROM ranked
            ),
            changes AS (
                INSERT INTO cycle_count_product_class_history
                       (profile_id, company_id, warehouse_id, product_id, old_class_id,
                        new_class_id, basis_value, date,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(profile)s, %(company)s, %(warehouse)s, c.product_id,
                       old.abc_class_id, c.class_id, c.value, %(today)s,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM classified c
                  LEFT JOIN cycle_count_product_class old
                         ON old.profile_id = %(profile)s AND old.product_id = c.product_id
                 WHERE old.abc_class_id IS DISTINCT FROM c.class_id
            ),
            gone AS (
                DELETE FROM cycle_count_product_class old
                 WHERE old.profile_id = %(profile)s
                   AND NOT EXISTS (SELECT 1 FROM classified c
                                    WHERE c.product_id = old.product_id)
            )
            INSERT INTO cycle_count_product_class
                   (profile_id, company_id, warehouse_id, product_id, abc_class_id,
                    basis_value, share, cumulative_share, rank, date,
                    create_uid, create_date, write_uid, write_date)
            SELECT %(profile)s, %(company)s, %(warehouse)s, product_id, class_id,
                   value, share, cumulative_share, rank, %(today)s,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM classified
            ON CONFLICT (profile_id, product_id) DO UPDATE
               SET abc_class_id = EXCLUDED.abc_class_id,
                   basis_value = EXCLUDED.basis_value,
                   share = EXCLUDED.share,
                   cumulative_share = EXCLUDED.cumulative_share,
                   rank = EXCLUDED.rank,
                   date = EXCLUDED.date,
                   write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
            """,
            basis=self._basis_sql(today),
            company=self.company_id.id,
            warehouse=self.warehouse_id.id or None,
            profile=self.id,
            a=self.threshold_a,
            b=self.threshold_b,
            class_a=classes["A"],
            class_b=classes["B"],
            class_c=classes["C"],
            today=today,
            uid=self.env.uid,
        )

    def _store_on_products_sql(self, today):
        """Copy the company-wide class onto the product (company-dependent fields,
        one jsonb key per company)."""
        self.ensure_one()
        company = str(self.company_id.id)
        return SQL(
            """
            UPDATE product_product pp
               SET cycle_count_abc_class_id = COALESCE(pp.cycle_count_abc_class_id,
                       '{}'::jsonb) || jsonb_build_object(%(company)s, pc.abc_class_id),
                   cycle_count_abc_date = COALESCE(pp.cycle_count_abc_date, '{}'::jsonb)
                       || jsonb_build_object(%(company)s, %(today)s)
              FROM cycle_count_product_class pc
             WHERE pc.profile_id = %(profile)s AND pc.product_id = pp.id
            """,
            company=company,
            today=fields.Date.to_string(today),
            profile=self.id,
        )

    @api.model
    def _create_company_defaults(self, companies):
        """A company-wide profile (consumption value over a year, 80 % / 95 %)."""
        # Every company gets its profile, whoever creates the company (a settings
        # administrator need not be a cycle count manager).
        Profile = self.sudo()
        existing = set(
            Profile.with_context(active_test=False)
            .search([("company_id", "in", companies.ids), ("warehouse_id", "=", False)])
            .company_id.ids
        )
        Profile.create(
            [
                {
                    "name": self.env._(
                        "%(company)s by consumption value", company=company.name
                    ),
                    "company_id": company.id,
                }
                for company in companies
                if company.id not in existing
            ]
        )

    def _get_profile_for_warehouses(self, warehouses):
        """{warehouse id: profile} — the warehouse's own profile, else its
        company's."""
        profiles = self.search(
            [("company_id", "in", warehouses.company_id.ids)], order="id"
        )
        by_scope = {(p.company_id.id, p.warehouse_id.id): p for p in profiles}
        return {
            warehouse.id: by_scope.get((warehouse.company_id.id, warehouse.id))
            or by_scope.get((warehouse.company_id.id, False))
            or self
            for warehouse in warehouses
        }
