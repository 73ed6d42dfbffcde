from odoo import api, models


class CycleCountReadiness(models.TransientModel):
    _inherit = "cycle.count.readiness"

    @api.model
    def _get_readiness_checks(self, company):
        checks = super()._get_readiness_checks(company)
        env = self.env
        Category = env["product.category"].with_company(company)
        realtime = [("property_valuation", "=", "real_time")]
        has_realtime = bool(Category.search_count(realtime, limit=1))
        # Without the company's defaults, a variance without a reason account
        # falls back on the inventory-loss locations' own accounts.
        locations = env["stock.location"].search(
            [
                ("usage", "=", "inventory"),
                ("scrap_location", "=", False),
                ("company_id", "in", [company.id, False]),
            ]
        )
        location_fallback = bool(locations) and all(
            location.valuation_in_account_id and location.valuation_out_account_id
            for location in locations
        )
        checks += [
            {
                "code": "category_accounts",
                "sequence": 50,
                "name": env._("Real-time valuation categories without accounts"),
                "description": env._(
                    "Their stock valuation, input and output accounts must be set, "
                    "or the entries of approved variances cannot be posted."
                ),
                "model": "product.category",
                "domain": [
                    *realtime,
                    "|",
                    "|",
                    ("property_stock_valuation_account_id", "=", False),
                    ("property_stock_account_input_categ_id", "=", False),
                    ("property_stock_account_output_categ_id", "=", False),
                ],
            },
            {
                "code": "gain_loss_accounts",
                "sequence": 51,
                "name": env._("Inventory gain and loss accounts not set"),
                "description": env._(
                    "With real-time valuation, an approval is refused when a "
                    "variance finds no gain or loss account: on its reason, then "
                    "the company's, then the inventory-loss location's."
                ),
                "model": "res.company",
                "domain": [
                    (
                        "id",
                        "=",
                        company.id if has_realtime and not location_fallback else 0,
                    ),
                    "|",
                    ("cycle_count_gain_account_id", "=", False),
                    ("cycle_count_loss_account_id", "=", False),
                ],
                "action": "_action_open_gain_loss_accounts",
            },
        ]
        return checks

    def _action_open_gain_loss_accounts(self, check):
        return (
            self.env["cycle.count.account.settings"]
            .with_company(self.company_id)
            .action_open()
        )
