from odoo import fields, models
from odoo.tools import SQL

from .cycle_count_planner import execute_lock


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    cycle_count_plan_date = fields.Date(
        string="Counts Planned On",
        readonly=True,
        copy=False,
        help="The last day the daily planning run planned this warehouse.",
    )

    def _cycle_count_lock(self):
        """Lock these warehouses for planning; return those locked (the others
        are being planned by another transaction, which plans them the same).

        The lock is an UPDATE of each row (``FOR NO KEY UPDATE SKIP LOCKED``:
        foreign keys to the warehouse are not blocked): under Odoo's REPEATABLE
        READ, a transaction whose snapshot predates another planner's commit
        then fails with a serialization error (retried by Odoo's HTTP layer,
        the job queue and the cron's next call) instead of planning, from its
        stale snapshot, the items the other one just planned."""
        if not self:
            return self
        rows = execute_lock(
            self.env,
            SQL(
                """
                UPDATE stock_warehouse w
                   SET cycle_count_plan_date = w.cycle_count_plan_date
                 WHERE w.id IN (SELECT id FROM stock_warehouse
                                 WHERE id IN %(ids)s
                                 ORDER BY id
                                   FOR NO KEY UPDATE SKIP LOCKED)
             RETURNING w.id
                """,
                ids=tuple(self.ids),
            ),
        )
        return self.browse(sorted(row[0] for row in rows))

    def _cycle_count_lock_next_to_plan(self, today, companies):
        """Lock one warehouse of ``companies`` (of ``self`` when given) not yet
        planned on ``today`` by the daily run, mark it planned, return it (or
        an empty recordset: all planned, or being planned by others)."""
        conditions = [
            SQL("w.active"),
            SQL("w.company_id IN %s", tuple(companies.ids) or (0,)),
            SQL(
                "(w.cycle_count_plan_date IS NULL OR w.cycle_count_plan_date < %s)",
                today,
            ),
        ]
        if self:
            conditions.append(SQL("w.id IN %s", tuple(self.ids)))
        rows = execute_lock(
            self.env,
            SQL(
                """
                UPDATE stock_warehouse
                   SET cycle_count_plan_date = %(today)s
                 WHERE id = (SELECT w.id FROM stock_warehouse w
                              WHERE %(conditions)s
                              ORDER BY w.id
                              LIMIT 1
                                FOR NO KEY UPDATE SKIP LOCKED)
             RETURNING id
                """,
                today=today,
                conditions=SQL(" AND ").join(conditions),
            ),
        )
        self.invalidate_model(["cycle_count_plan_date"])
        return self.browse([row[0] for row in rows])
