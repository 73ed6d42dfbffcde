from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.tools import SQL

# A line in a task in one of these states holds its item: it is not planned again.
OPEN_TASK_STATES = ("draft", "in_progress", "counted")


class CycleCountPlanner(models.AbstractModel):
    """Decides what is due: one set-based query per planning run, whatever the
    number of quants."""

    _name = "cycle.count.planner"
    _description = "Cycle Count Planner"

    @api.model
    def _rule_items_sql(self, rule):
        """The (location, product, lot, package, owner) items a rule selects."""
        products = self.env["product.product"]._search(
            [*rule._get_product_domain(), ("is_storable", "=", True)]
        )
        scope = rule.location_ids or rule.warehouse_id.view_location_id
        return SQL(
            """
            SELECT DISTINCT %(rule_id)s AS rule_id, %(frequency)s AS frequency,
                   q.location_id, q.product_id, q.lot_id, q.package_id, q.owner_id
              FROM stock_quant q
              JOIN stock_location loc ON loc.id = q.location_id
             WHERE q.company_id = %(company_id)s
               AND loc.usage = 'internal'
               AND loc.parent_path LIKE ANY(%(paths)s)
               AND q.product_id IN %(products)s
            """,
            rule_id=rule.id,
            frequency=rule.frequency_days,
            company_id=rule.company_id.id,
            paths=[f"{path}%" for path in scope.mapped("parent_path")],
            products=products.subselect(),
        )

    @api.model
    def _due_items_sql(self, rules, today):
        """Items selected by ``rules`` that are due on ``today`` and not held by an
        open task. The most frequent rule sets the due date; all rules are kept."""
        selected = SQL(" UNION ALL ").join(self._rule_items_sql(rule) for rule in rules)
        return SQL(
            """
            WITH selected AS (%(selected)s),
            items AS (
                SELECT location_id, product_id, lot_id, package_id, owner_id,
                       MIN(frequency) AS frequency,
                       ARRAY_AGG(DISTINCT rule_id ORDER BY rule_id) AS rule_ids
                  FROM selected
                 GROUP BY location_id, product_id, lot_id, package_id, owner_id
            ),
            our_counts AS (
                SELECT l.location_id, l.product_id, COALESCE(l.lot_id, 0) AS lot_key,
                       MAX(l.counted_at) AS counted_at
                  FROM cycle_count_line l
                  JOIN cycle_count_task t ON t.id = l.task_id
                 WHERE l.is_counted AND t.state != 'cancel'
                 GROUP BY 1, 2, 3
            ),
            odoo_counts AS (
                SELECT location, product_id, lot_key, MAX(date) AS counted_at
                  FROM (
                    SELECT ml.location_id AS location, ml.product_id,
                           COALESCE(ml.lot_id, 0) AS lot_key, ml.date
                      FROM stock_move_line ml
                      JOIN stock_move m ON m.id = ml.move_id
                     WHERE m.is_inventory AND ml.state = 'done'
                    UNION ALL
                    SELECT ml.location_dest_id, ml.product_id,
                           COALESCE(ml.lot_id, 0), ml.date
                      FROM stock_move_line ml
                      JOIN stock_move m ON m.id = ml.move_id
                     WHERE m.is_inventory AND ml.state = 'done'
                  ) inventory_lines
                 GROUP BY 1, 2, 3
            ),
            open_items AS (
                SELECT DISTINCT l.location_id, l.product_id,
                       COALESCE(l.lot_id, 0) AS lot_key,
                       COALESCE(l.package_id, 0) AS package_key,
                       COALESCE(l.owner_id, 0) AS owner_key
                  FROM cycle_count_line l
                  JOIN cycle_count_task t ON t.id = l.task_id
                 WHERE t.state IN %(open_states)s
            )
            SELECT i.location_id, i.product_id, i.lot_id, i.package_id, i.owner_id,
                   i.frequency, i.rule_ids, loc.warehouse_id,
                   GREATEST(oc.counted_at, ic.counted_at) AS last_count
              FROM items i
              JOIN stock_location loc ON loc.id = i.location_id
              LEFT JOIN our_counts oc
                     ON oc.location_id = i.location_id AND oc.product_id = i.product_id
                    AND oc.lot_key = COALESCE(i.lot_id, 0)
              LEFT JOIN odoo_counts ic
                     ON ic.location = i.location_id AND ic.product_id = i.product_id
                    AND ic.lot_key = COALESCE(i.lot_id, 0)
             WHERE NOT EXISTS (
                       SELECT 1 FROM open_items o
                        WHERE o.location_id = i.location_id
                          AND o.product_id = i.product_id
                          AND o.lot_key = COALESCE(i.lot_id, 0)
                          AND o.package_key = COALESCE(i.package_id, 0)
                          AND o.owner_key = COALESCE(i.owner_id, 0))
               AND (GREATEST(oc.counted_at, ic.counted_at) IS NULL
                    OR GREATEST(oc.counted_at, ic.counted_at)::date + i.frequency
                       <= %(today)s)
             ORDER BY loc.warehouse_id, loc.complete_name, i.product_id, i.lot_id
            """,
            selected=selected,
            open_states=OPEN_TASK_STATES,
            today=today,
        )

    @api.model
    def _due_items(self, rules, today):
        rules = rules.filtered("active")
        if not rules:
            return []
        self.env.flush_all()
        return self.env.execute_query_dict(self._due_items_sql(rules, today))

    @api.model
    def _plan(self, rules, today=None):
        """Create today's tasks for what ``rules`` find due; return the tasks."""
        today = today or fields.Date.context_today(self)
        items = self._due_items(rules, today)
        if not items:
            return self.env["cycle.count.task"]
        rules_by_id = {rule.id: rule for rule in rules}
        groups = defaultdict(list)
        for item in items:
            counter = self._pick_counter([rules_by_id[r] for r in item["rule_ids"]])
            groups[(item["warehouse_id"], counter.id)].append(item)
        warehouses = self.env["stock.warehouse"].browse(
            [warehouse_id for warehouse_id, _user in groups]
        )
        company_by_warehouse = {w.id: w.company_id.id for w in warehouses}
        # Tasks are created as superuser: planning is the system's decision, and the
        # counter the task goes to may be in no group that can create tasks.
        task_model = self.env["cycle.count.task"].sudo()
        tasks = task_model.create(
            [
                {
                    "warehouse_id": warehouse_id,
                    "company_id": company_by_warehouse[warehouse_id],
                    "user_id": user_id or False,
                    "scheduled_date": today,
                }
                for warehouse_id, user_id in groups
            ]
        )
        line_vals = []
        for task, group_items in zip(tasks, groups.values(), strict=True):
            line_vals += [
                {
                    "task_id": task.id,
                    "location_id": item["location_id"],
                    "product_id": item["product_id"],
                    "lot_id": item["lot_id"],
                    "package_id": item["package_id"],
                    "owner_id": item["owner_id"],
                    "rule_ids": [Command.set(item["rule_ids"])],
                }
                for item in group_items
            ]
        self.env["cycle.count.line"].sudo().create(line_vals)
        return tasks.sudo(False)

    @api.model
    def _pick_counter(self, rules):
        """The counter of the first rule (by sequence) that names one."""
        for rule in sorted(rules, key=lambda r: (r.sequence, r.id)):
            if rule.user_id:
                return rule.user_id
        return self.env["res.users"]
