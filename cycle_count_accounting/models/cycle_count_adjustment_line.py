from odoo import models


class CycleCountAdjustmentLine(models.Model):
    _inherit = "cycle.count.adjustment.line"

    def _is_gain(self):
        self.ensure_one()
        return self.difference_qty > 0

    def _get_variance_account(self):
        """The account the difference goes to: the gain account for a gain, the
        loss account for a loss — the reason's (per company), then the
        company's, then the inventory-loss location's own valuation account,
        as Odoo's stock.move would take it; an empty recordset when none."""
        self.ensure_one()
        company = self.adjustment_id.company_id
        reason = self.reason_id.with_company(company)
        location = self.product_id.with_company(company).property_stock_inventory
        if self._is_gain():
            return (
                reason.cycle_count_gain_account_id
                or company.cycle_count_gain_account_id
                or location.valuation_out_account_id
            )
        return (
            reason.cycle_count_loss_account_id
            or company.cycle_count_loss_account_id
            or location.valuation_in_account_id
        )

    def _get_variance_analytic_distribution(self):
        """The analytic distribution of the gain / loss line: the warehouse's,
        combined with the reason's analytic account (which replaces the
        warehouse's accounts of its own plan); False when neither is set."""
        self.ensure_one()
        company = self.adjustment_id.company_id
        distribution = dict(
            self.adjustment_id.warehouse_id.cycle_count_analytic_distribution or {}
        )
        account = self.reason_id.with_company(company).cycle_count_analytic_account_id
        if not account:
            return distribution or False
        if not distribution:
            return {str(account.id): 100.0}
        Analytic = self.env["account.analytic.account"]
        root_plan = account.root_plan_id
        combined = {}
        for key, percentage in distribution.items():
            ids = [
                analytic.id
                for analytic in Analytic.browse([int(i) for i in key.split(",")])
                if analytic.root_plan_id != root_plan
            ]
            new_key = ",".join(str(i) for i in [*ids, account.id])
            combined[new_key] = combined.get(new_key, 0.0) + percentage
        return combined
