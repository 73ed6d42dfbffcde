from odoo import api, fields, models
from odoo.tools import SQL


class CycleCountReadiness(models.TransientModel):
    """The go-live readiness check (the seed's preparation list): one row per
    check with the number of records to fix and a link that opens them. Rows
    are written each time the screen opens; the checks themselves are
    ``_get_readiness_checks``, which bridges extend with ``super()``."""

    _name = "cycle.count.readiness"
    _description = "Go-Live Readiness Check"
    _order = "sequence, id"

    sequence = fields.Integer(aggregator=None)
    code = fields.Char(required=True, readonly=True)
    name = fields.Char(string="Check", required=True, readonly=True)
    description = fields.Char(string="Why It Matters", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    record_count = fields.Integer(string="To Fix", readonly=True)
    status = fields.Selection(
        [("ok", "Ready"), ("todo", "To Fix")],
        compute="_compute_status",
    )

    @api.depends("record_count")
    def _compute_status(self):
        for row in self:
            row.status = "todo" if row.record_count else "ok"

    # ------------------------------------------------------------------
    # The checks
    # ------------------------------------------------------------------
    @api.model
    def _get_readiness_checks(self, company):
        """[{code, sequence, name, description, model, domain}] for ``company``;
        ``domain`` selects the records to fix. A check may give ``action``
        (a method name of this model, called with the company) to open
        something else than the records' list."""
        env = self.env
        company_domain = [("company_id", "in", [False, company.id])]
        storable = [("is_storable", "=", True), *company_domain]
        shared = self._shared_barcodes(company)
        return [
            {
                "code": "product_barcode",
                "sequence": 10,
                "name": env._("Storable products without a barcode"),
                "description": env._(
                    "A counter identifies a product by scanning it: without a "
                    "barcode it can only be searched by hand."
                ),
                "model": "product.product",
                "domain": [*storable, ("barcode", "=", False)],
            },
            {
                "code": "location_barcode",
                "sequence": 20,
                "name": env._("Bins without a barcode"),
                "description": env._(
                    "Counting starts by scanning the bin: every internal location "
                    "of a warehouse needs its own barcode."
                ),
                "model": "stock.location",
                "domain": [
                    ("usage", "=", "internal"),
                    ("warehouse_id", "!=", False),
                    ("barcode", "=", False),
                    ("company_id", "=", company.id),
                ],
            },
            {
                "code": "product_barcode_shared",
                "sequence": 30,
                "name": env._("Products sharing a barcode with a bin or packaging"),
                "description": env._(
                    "One scan must mean one thing: a barcode shared between a "
                    "product, a packaging and a bin is read as the wrong one."
                ),
                "model": "product.product",
                "domain": [
                    *company_domain,
                    "|",
                    ("barcode", "in", shared),
                    ("packaging_ids.barcode", "in", shared),
                ],
            },
            {
                "code": "location_barcode_shared",
                "sequence": 31,
                "name": env._("Bins sharing a barcode with a product or packaging"),
                "description": env._(
                    "One scan must mean one thing: a bin scanned as a product "
                    "records a count in the wrong place."
                ),
                "model": "stock.location",
                "domain": [("company_id", "=", company.id), ("barcode", "in", shared)],
            },
            {
                "code": "product_code_shared",
                "sequence": 35,
                "name": env._("Products sharing an internal reference"),
                "description": env._(
                    "A counter who searches by internal reference must find one "
                    "product, not several."
                ),
                "model": "product.product",
                "domain": [
                    *company_domain,
                    ("default_code", "in", self._shared_codes(company)),
                ],
            },
            {
                "code": "product_cost",
                "sequence": 40,
                "name": env._("Storable products without a cost"),
                "description": env._(
                    "A variance is valued at the product's cost: without one it is "
                    "worth nothing and every approval tier by value is skipped."
                ),
                "model": "product.product",
                "domain": [*storable, ("standard_price", "=", 0)],
            },
            {
                "code": "warehouse_capacity",
                "sequence": 60,
                "name": env._("Warehouses without counting capacity"),
                "description": env._(
                    "Without a capacity (lines per counter per day, the counters) "
                    "the planner gives all of a day's work to nobody."
                ),
                "model": "stock.warehouse",
                "domain": [
                    ("company_id", "=", company.id),
                    ("id", "not in", self._warehouses_with_counters(company)),
                ],
                "action": "_action_open_capacity",
            },
        ]

    @api.model
    def _shared_barcodes(self, company):
        """The barcodes used by more than one of: a product, a packaging, an
        internal location of ``company`` (Odoo keeps each unique on its own)."""
        self.env["product.product"].flush_model(["barcode", "active"])
        self.env["stock.location"].flush_model(["barcode", "active", "company_id"])
        self.env["product.packaging"].flush_model(["barcode", "company_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT barcode FROM (
                    SELECT barcode, 'product' AS kind FROM product_product
                     WHERE barcode IS NOT NULL AND barcode != '' AND active
                    UNION ALL
                    SELECT barcode, 'packaging' FROM product_packaging
                     WHERE barcode IS NOT NULL AND barcode != ''
                       AND (company_id IS NULL OR company_id = %(company)s)
                    UNION ALL
                    SELECT barcode, 'location' FROM stock_location
                     WHERE barcode IS NOT NULL AND barcode != '' AND active
                       AND company_id = %(company)s
                ) codes
                 GROUP BY barcode
                HAVING COUNT(DISTINCT kind) > 1
                """,
                company=company.id,
            )
        )
        return [barcode for (barcode,) in rows]

    @api.model
    def _shared_codes(self, company):
        self.env["product.product"].flush_model(["default_code", "active"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT pp.default_code FROM product_product pp
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE pp.active AND pp.default_code IS NOT NULL
                   AND pp.default_code != ''
                   AND (pt.company_id IS NULL OR pt.company_id = %(company)s)
                 GROUP BY pp.default_code
                HAVING COUNT(*) > 1
                """,
                company=company.id,
            )
        )
        return [code for (code,) in rows]

    @api.model
    def _warehouses_with_counters(self, company):
        capacities = self.env["cycle.count.capacity"].search(
            [("company_id", "=", company.id), ("user_ids", "!=", False)]
        )
        return capacities.warehouse_id.ids

    # ------------------------------------------------------------------
    # Screen
    # ------------------------------------------------------------------
    @api.model
    def action_check(self):
        """Run every check for the current company and show the rows."""
        company = self.env.company
        checks = self._get_readiness_checks(company)
        rows = self.create(
            [
                {
                    "code": check["code"],
                    "sequence": check["sequence"],
                    "name": check["name"],
                    "description": check["description"],
                    "company_id": company.id,
                    "record_count": self.env[check["model"]].search_count(
                        check["domain"]
                    ),
                }
                for check in checks
            ]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cycle_count_planning.cycle_count_readiness_action"
        )
        action["domain"] = [("id", "in", rows.ids)]
        return action

    def _get_check(self):
        self.ensure_one()
        return next(
            check
            for check in self._get_readiness_checks(self.company_id)
            if check["code"] == self.code
        )

    def action_open_records(self):
        """The records this check found, to fix them."""
        check = self._get_check()
        if check.get("action"):
            return getattr(self, check["action"])(check)
        return {
            "type": "ir.actions.act_window",
            "name": check["name"],
            "res_model": check["model"],
            "views": [(False, "list"), (False, "form")],
            "domain": check["domain"],
            "context": {"create": False},
        }

    def _action_open_capacity(self, check):
        """Capacity is set on its own screen: open it, ready to create the
        first missing warehouse's."""
        missing = self.env["stock.warehouse"].search(check["domain"])
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cycle_count_planning.cycle_count_capacity_action"
        )
        action["context"] = {"default_warehouse_id": missing[:1].id}
        if len(missing) == 1 and not self.env["cycle.count.capacity"].search_count(
            [("warehouse_id", "=", missing.id)]
        ):
            action["views"] = [(False, "form")]
        return action
