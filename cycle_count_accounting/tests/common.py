from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.cycle_count_planning.tests.common import CycleCountTestMixin


class CycleCountAccountingCase(CycleCountTestMixin, AccountTestInvoicingCommon):
    """A company with a chart of accounts, real-time valuation at standard cost,
    and dedicated inventory gain and loss accounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()
        Account = cls.env["account.account"]
        cls.valuation_account = Account.create(
            {
                "name": "Stock Valuation",
                "code": "CC1405",
                "account_type": "asset_current",
            }
        )
        cls.interim_in = Account.create(
            {
                "name": "Stock Interim (Received)",
                "code": "CC1406",
                "account_type": "asset_current",
            }
        )
        cls.interim_out = Account.create(
            {
                "name": "Stock Interim (Delivered)",
                "code": "CC1407",
                "account_type": "asset_current",
            }
        )
        cls.gain_account = Account.create(
            {
                "name": "Inventory Gains",
                "code": "CC6301",
                "account_type": "income_other",
            }
        )
        cls.loss_account = Account.create(
            {"name": "Inventory Losses", "code": "CC6711", "account_type": "expense"}
        )
        cls.stock_journal = cls.env["account.journal"].create(
            {"name": "Inventory Valuation", "code": "CCSTJ", "type": "general"}
        )
        cls.category = cls.env["product.category"].create(
            {
                "name": "Real-time valued",
                "property_cost_method": "standard",
                "property_valuation": "real_time",
                "property_stock_valuation_account_id": cls.valuation_account.id,
                "property_stock_account_input_categ_id": cls.interim_in.id,
                "property_stock_account_output_categ_id": cls.interim_out.id,
                "property_stock_journal": cls.stock_journal.id,
            }
        )
        products = (
            cls.product_apple | cls.product_bolt | cls.product_chip | cls.product_lot
        )
        # Re-value the opening stock through Odoo's valuation, as a receipt would.
        quants = cls.env["stock.quant"].search([("product_id", "in", products.ids)])
        opening = {(q.product_id, q.location_id, q.lot_id): q.quantity for q in quants}
        quants.sudo().unlink()
        products.categ_id = cls.category
        for (product, location, lot), qty in opening.items():
            cls._receive(product, location, qty, lot)
        cls.company.write(
            {
                "cycle_count_gain_account_id": cls.gain_account.id,
                "cycle_count_loss_account_id": cls.loss_account.id,
            }
        )

    @classmethod
    def _receive(cls, product, location, qty, lot=None):
        return cls._done_move(
            product, cls.env.ref("stock.stock_location_suppliers"), location, qty, lot
        )

    @classmethod
    def _deliver(cls, product, location, qty, lot=None):
        return cls._done_move(
            product, location, cls.env.ref("stock.stock_location_customers"), qty, lot
        )

    @classmethod
    def _done_move(
        cls,
        product,
        source,
        destination,
        qty,
        lot=None,
        package=None,
        owner=None,
        price_unit=None,
    ):
        """A done move of ``qty``, of a lot, into a package, owned by a
        partner, at ``price_unit`` (else the product's cost)."""
        values = {
            "name": "Test move",
            "product_id": product.id,
            "product_uom": product.uom_id.id,
            "product_uom_qty": qty,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "company_id": cls.company.id,
            "restrict_partner_id": owner.id if owner else False,
        }
        if price_unit is not None:
            values["price_unit"] = price_unit
        move = cls.env["stock.move"].create(values)
        move._action_confirm()
        move.move_line_ids.unlink()
        move.write(
            {
                "move_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_id": product.uom_id.id,
                            "quantity": qty,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            "lot_id": lot.id if lot else False,
                            "result_package_id": package.id if package else False,
                            "owner_id": owner.id if owner else False,
                        },
                    )
                ],
                "picked": True,
            }
        )
        move._action_done()
        return move

    def _balance(self, account):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))


def create_gain_loss_accounts(env, code_prefix):
    """A gain and a loss account for the main company (a chart loaded first if it
    has none), for the tours that set them; ``code_prefix`` keeps codes apart."""
    company = env.ref("base.main_company")
    if not env["account.account"].search_count(
        env["account.account"]._check_company_domain(company), limit=1
    ):
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
    Account = env["account.account"].with_company(company)
    gain = Account.create(
        {
            "name": "Inventory Gains",
            "code": f"{code_prefix}6301",
            "account_type": "income_other",
        }
    )
    loss = Account.create(
        {
            "name": "Inventory Losses",
            "code": f"{code_prefix}6711",
            "account_type": "expense",
        }
    )
    return company, gain, loss
