from odoo import api, models

from odoo.addons.queue_job.job import identity_exact


class CycleCountRule(models.Model):
    _inherit = "cycle.count.rule"

    @api.model
    def _enqueue_warehouse_plans(self, companies, today):
        """One job per warehouse still to plan today. The same job is never
        queued twice (identity: the warehouse and the day); a job run twice,
        or beside another node's, plans nothing twice (the warehouse lock)."""
        warehouses = self.env["stock.warehouse"].search(
            [
                ("company_id", "in", companies.ids),
                "|",
                ("cycle_count_plan_date", "=", False),
                ("cycle_count_plan_date", "<", today),
            ]
        )
        for warehouse in warehouses:
            self.with_delay(
                identity_key=identity_exact,
                description=self.env._(
                    "Plan the counts of %(warehouse)s", warehouse=warehouse.name
                ),
            )._job_plan_warehouse(warehouse.id, today)
        return True

    @api.model
    def _job_plan_warehouse(self, warehouse_id, today):
        warehouse = self.env["stock.warehouse"].browse(warehouse_id).exists()
        planned = self._plan_next_warehouse(
            warehouse.company_id, today, warehouses=warehouse
        )
        if planned:
            return self.env._("Planned %(warehouse)s.", warehouse=planned.name)
        return self.env._(
            "Nothing to do: already planned today, or being planned by another job."
        )
