from datetime import date

import psycopg2.errors

from odoo import fields, sql_db
from odoo.tests import TransactionCase

from .common import CycleCountCase

MONDAY = date(2026, 3, 2)


class OtherConnectionMixin:
    def _other_connection(self):
        """A second, real connection to the database (another node)."""
        cursor = sql_db.db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(cursor.close)
        self.addCleanup(cursor.rollback)
        # Never wait on this test's own transaction: fail instead of hanging.
        cursor.execute("SET lock_timeout = '5s'")
        return cursor


class TestJobs(OtherConnectionMixin, CycleCountCase):
    """The daily runs as units of work: one warehouse (one ABC profile) per
    transaction under the cron, never twice the same day, never beside another
    transaction that holds it."""

    def _cron_context(self):
        cron = self.env.ref("cycle_count_planning.ir_cron_cycle_count_plan")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        return progress, {"ir_cron_progress_id": progress.id}

    def test_cron_plans_one_warehouse_per_call(self):
        self._create_rule()
        second = self.env["stock.warehouse"].create(
            {"name": "Second", "code": "CC2", "company_id": self.company.id}
        )
        self.env["stock.quant"]._update_available_quantity(
            self.product_apple, second.lot_stock_id, 3
        )
        self.env["cycle.count.rule"].create(
            {"name": "Second", "company_id": self.company.id, "warehouse_id": second.id}
        )
        today = fields.Date.context_today(self.env.user)
        # Those left to plan today (a database may have run the cron already).
        warehouses = self.env["stock.warehouse"].search(
            [
                ("company_id", "=", self.company.id),
                "|",
                ("cycle_count_plan_date", "=", False),
                ("cycle_count_plan_date", "<", today),
            ]
        )
        Rule = self.env["cycle.count.rule"]
        for calls in range(1, len(warehouses) + 1):
            progress, context = self._cron_context()
            Rule.with_context(**context)._cron_plan_counts()
            planned = warehouses.filtered(lambda w: w.cycle_count_plan_date == today)
            self.assertEqual(len(planned), calls)
            self.assertEqual(progress.done, 1)
            self.assertEqual(progress.remaining, len(warehouses) - calls)
        lines = self.env["cycle.count.line"].search(
            [("warehouse_id", "in", (self.warehouse | second).ids)]
        )
        self.assertEqual(len(lines), 5)
        # A second run the same day finds nothing left: nothing planned twice.
        progress, context = self._cron_context()
        Rule.with_context(**context)._cron_plan_counts()
        self.assertEqual((progress.done, progress.remaining), (0, 0))
        self.assertEqual(
            self.env["cycle.count.line"].search_count(
                [("warehouse_id", "in", (self.warehouse | second).ids)]
            ),
            5,
        )

    def test_planning_again_plans_no_item_twice(self):
        rule = self._create_rule()
        first = self._plan(rule)
        self.assertEqual(len(first.line_ids), 4)
        self.assertFalse(self._plan(rule))
        self.env["cycle.count.rule"]._cron_plan_counts()
        self.assertEqual(
            self.env["cycle.count.line"].search_count(
                [("warehouse_id", "=", self.warehouse.id)]
            ),
            4,
        )

    def test_a_warehouse_another_transaction_plans_is_left_to_it(self):
        # A committed warehouse, so that another connection can lock its row.
        warehouse = self.env.ref("stock.warehouse0")
        self.env["stock.quant"]._update_available_quantity(
            self.product_bolt, warehouse.lot_stock_id, 7
        )
        rule = self.env["cycle.count.rule"].create(
            {"name": "Main", "company_id": warehouse.company_id.id}
        )
        other = self._other_connection()
        other.execute(
            "SELECT id FROM stock_warehouse WHERE id = %s FOR NO KEY UPDATE NOWAIT",
            [warehouse.id],
        )
        self.assertFalse(warehouse._cycle_count_lock())
        tasks = self.env["cycle.count.planner"]._plan(rule)
        self.assertNotIn(warehouse, tasks.warehouse_id)
        self.assertFalse(
            warehouse._cycle_count_lock_next_to_plan(MONDAY, warehouse.company_id)
        )
        other.rollback()
        self.assertEqual(warehouse._cycle_count_lock(), warehouse)
        self.assertIn(
            warehouse, self.env["cycle.count.planner"]._plan(rule).warehouse_id
        )

    def test_abc_cron_computes_one_profile_per_call(self):
        profiles = self.env["cycle.count.abc.profile"].search([("active", "=", True)])
        today = fields.Date.context_today(self.env.user)
        Profile = self.env["cycle.count.abc.profile"]
        cron = self.env.ref("cycle_count_planning.ir_cron_cycle_count_abc")
        for calls in range(1, len(profiles) + 1):
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            Profile.with_context(
                ir_cron_progress_id=progress.id
            )._cron_compute_classes()
            self.assertEqual(
                len(profiles.filtered(lambda p: p.date_computed == today)), calls
            )
            self.assertEqual(progress.remaining, len(profiles) - calls)
        self.assertFalse(Profile._compute_next_profile(today))


class TestStaleSnapshot(OtherConnectionMixin, TransactionCase):
    """Its own class: the other connection commits, after which this class's
    transaction (its snapshot older) may no longer lock that warehouse."""

    def test_a_stale_snapshot_fails_instead_of_planning_twice(self):
        """Another node planned the warehouse and committed after this
        transaction's snapshot: locking it raises a serialization failure (Odoo
        retries the transaction, which then sees the other's lines)."""
        warehouse = self.env.ref("stock.warehouse0")
        self.env.cr.execute("SELECT 1")  # this transaction's snapshot is taken
        other = self._other_connection()
        other.execute(
            "UPDATE stock_warehouse SET cycle_count_plan_date = cycle_count_plan_date"
            " WHERE id = %s",
            [warehouse.id],
        )
        other.commit()
        with self.assertRaises(psycopg2.errors.SerializationFailure):
            warehouse._cycle_count_lock()
