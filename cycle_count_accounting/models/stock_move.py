from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    # A cycle count gain is credited, and a loss debited, on the variance's
    # account (reason, company, inventory-loss location: _get_variance_account)
    # instead of the stock interim accounts; other moves keep core's accounts.
    def _get_src_account(self, accounts_data):
        if self.cycle_count_adjustment_line_id:
            return self.cycle_count_adjustment_line_id._get_variance_account().id or (
                super()._get_src_account(accounts_data)
            )
        return super()._get_src_account(accounts_data)

    def _get_dest_account(self, accounts_data):
        if self.cycle_count_adjustment_line_id:
            return self.cycle_count_adjustment_line_id._get_variance_account().id or (
                super()._get_dest_account(accounts_data)
            )
        return super()._get_dest_account(accounts_data)

    def _generate_valuation_lines_data(
        self,
        partner_id,
        qty,
        debit_value,
        credit_value,
        debit_account_id,
        credit_account_id,
        svl_id,
        description,
    ):
        """The analytic distribution of the warehouse and the reason goes on the
        gain or loss line (the variance side), not on the stock valuation."""
        res = super()._generate_valuation_lines_data(
            partner_id,
            qty,
            debit_value,
            credit_value,
            debit_account_id,
            credit_account_id,
            svl_id,
            description,
        )
        line = self.cycle_count_adjustment_line_id
        if not line:
            return res
        distribution = line._get_variance_analytic_distribution()
        if distribution:
            side = "credit_line_vals" if line._is_gain() else "debit_line_vals"
            res[side]["analytic_distribution"] = distribution
        return res
