from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import SUPERUSER_ID, Command, fields
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.cycle_count_accounting.models.cycle_count_posting_engine import (
    ENGINE_PARAM,
)

from .common import CycleCountAccountingCase

METHODS = ("standard", "average", "fifo")
# Columns that differ between two runs of the same posting by nature.
IGNORED = {"id", "create_date", "write_date"}


class PostingEngineCase(CycleCountAccountingCase):
    """Two warehouses; for each costing method two products at real-time
    valuation, stocked in both warehouses by two receipts at different costs
    (FIFO layers); one counted task and variance report per warehouse, whose
    variances each case sets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.warehouse_2 = env["stock.warehouse"].create(
            {"name": "Second DC", "code": "CC2", "company_id": cls.company.id}
        )
        cls.bin_w2 = env["stock.location"].create(
            {
                "name": "W2-01",
                "location_id": cls.warehouse_2.lot_stock_id.id,
                "usage": "internal",
            }
        )
        cls.engine_products = env["product.product"]
        for method in METHODS:
            category = cls.category.copy(
                {"name": f"Real-time {method}", "property_cost_method": method}
            )
            for index in range(2):
                product = env["product.product"].create(
                    {
                        "name": f"Engine {method} {index}",
                        "default_code": f"ENG-{method[:3].upper()}-{index}",
                        "is_storable": True,
                        "categ_id": category.id,
                        "standard_price": 10.0 + index * 2.5,
                    }
                )
                cls.engine_products |= product
                for location, first, second in (
                    (cls.bin_a, 6, 9),
                    (cls.bin_w2, 4, 5),
                ):
                    cls._receive_at(product, location, first, 10.0 + index * 2.5)
                    cls._receive_at(product, location, second, 13.37 + index)
        cls.reports = {}
        for warehouse in (cls.warehouse, cls.warehouse_2):
            rule = cls._create_rule(
                name=f"Engine {warehouse.code}", warehouse_id=warehouse.id
            )
            task = env["cycle.count.planner"]._plan(
                rule, fields.Date.context_today(rule)
            )
            task = task.filtered(lambda t, wh=warehouse: t.warehouse_id == wh)
            counted = task.with_user(task.user_id)
            for line in task.line_ids:
                line.with_user(task.user_id).counted_qty = line.book_qty + 1
            counted.action_mark_counted()
            cls.reports[warehouse.code] = task.adjustment_ids

    @classmethod
    def _receive_at(cls, product, location, qty, price):
        """A done receipt of ``qty`` at ``price`` (its FIFO layer)."""
        move = cls.env["stock.move"].create(
            {
                "name": "Engine receipt",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "price_unit": price,
                "location_id": cls.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": location.id,
                "company_id": cls.company.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.move_line_ids.quantity = qty
        move.picked = True
        move._action_done()
        return move

    # ------------------------------------------------------------------
    def _set_engine(self, enabled):
        self.env["ir.config_parameter"].sudo().set_param(
            ENGINE_PARAM, "1" if enabled else "0"
        )

    def _set_variances(self, report, variances):
        """``variances``: {product: (difference, unit cost or None)}; every
        other line of the report gets no difference."""
        self.env.flush_all()
        for line in report.line_ids:
            difference, unit = variances.get(line.product_id, (0.0, None))
            product = line.product_id.with_company(report.company_id)
            unit = product.standard_price if unit is None else unit
            self.env.cr.execute(
                SQL(
                    """UPDATE cycle_count_adjustment_line
                          SET difference_qty = %s, counted_qty = book_qty + %s,
                              unit_cost = %s, variance_value = %s
                        WHERE id = %s""",
                    difference,
                    difference,
                    unit,
                    round(difference * unit, 2),
                    line.id,
                )
            )
        self.env.invalidate_all()

    def _post(self, report):
        # As _apply_to_stock: the system's work once approved.
        report = report.with_user(SUPERUSER_ID).with_company(report.company_id)
        report._apply_lines(report._get_lines_to_apply())
        report._post_variance_entry()
        # Flushed by the system (the flushing user writes the recomputed
        # rows' write_uid, in Odoo's path).
        report.env.flush_all()
        self.env.invalidate_all()

    def _rows(self, table, where, params=()):
        self.env.cr.execute(
            SQL(
                "SELECT row_to_json(t) FROM %s t WHERE %s ORDER BY t.id",
                SQL.identifier(table),
                SQL(where, *params),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _snapshot(self, report):
        """Every row the posting of ``report`` (one report or several)
        writes, ids replaced by what they stand for."""
        products = tuple((report.line_ids.product_id | self.engine_products).ids)
        moves = self._rows(
            "stock_move", "t.cycle_count_adjustment_id = ANY(%s)", (report.ids,)
        )
        move_key = {
            m["id"]: ("move", m["cycle_count_adjustment_line_id"]) for m in moves
        }
        entries = self._rows(
            "account_move", "t.cycle_count_adjustment_id = ANY(%s)", (report.ids,)
        )
        entry_key = {
            e["id"]: ("entry", e["cycle_count_adjustment_id"], n)
            for n, e in enumerate(entries)
        }

        def clean(row, drop=()):
            out = {}
            for key, value in row.items():
                if key in IGNORED or key in drop:
                    continue
                if key in ("move_id", "stock_move_id") and value in move_key:
                    value = move_key[value]
                if key in ("move_id", "account_move_id") and value in entry_key:
                    value = entry_key[value]
                out[key] = value
            return out

        move_lines = [
            clean(r)
            for r in self._rows(
                "stock_move_line", "t.move_id = ANY(%s)", (list(move_key) or [0],)
            )
        ]
        quants = sorted(
            (
                clean(r)
                for r in self._rows("stock_quant", "t.product_id IN %s", (products,))
            ),
            key=lambda r: (
                r["product_id"],
                r["location_id"],
                r["lot_id"] or 0,
                r["package_id"] or 0,
                r["owner_id"] or 0,
            ),
        )
        # What Odoo stores from quants: a lot's single location, a
        # package's location and owner.
        lots = [
            clean(r) for r in self._rows("stock_lot", "t.product_id IN %s", (products,))
        ]
        packages = [clean(r) for r in self._rows("stock_quant_package", "TRUE")]
        layers = [
            clean(r)
            for r in self._rows(
                "stock_valuation_layer", "t.product_id IN %s", (products,)
            )
        ]
        entry_lines = sorted(
            (
                clean(r)
                for r in self._rows(
                    "account_move_line",
                    "t.move_id = ANY(%s)",
                    (list(entry_key) or [0],),
                )
            ),
            key=lambda r: (r["account_id"], r["product_id"] or 0, r["balance"]),
        )
        prices = self._rows("product_product", "t.id IN %s", (products,))
        return {
            "moves": sorted(
                (clean(m) for m in moves),
                key=lambda m: m["cycle_count_adjustment_line_id"],
            ),
            "move_lines": sorted(move_lines, key=lambda r: str(r["move_id"])),
            "quants": quants,
            "layers": layers,
            "entries": [
                clean(e, drop=("name", "sequence_number", "sequence_prefix"))
                for e in entries
            ],
            "entry_lines": [clean(r, drop=("move_name",)) for r in entry_lines],
            "prices": [(p["id"], p["standard_price"]) for p in prices],
            "lots": lots,
            "packages": packages,
        }

    def _run_both(self, report, variances, prepare=None):
        """Odoo's path and the engine from the same savepoint: both snapshots."""
        snapshots = []
        with freeze_time("2026-12-01 10:00:00"):
            for enabled in (False, True):
                with self.env.cr.savepoint() as savepoint:
                    if prepare:
                        prepare()
                    self._set_variances(report, variances)
                    self._set_engine(enabled)
                    self._post(report)
                    snapshots.append(self._snapshot(report))
                    notes = report.message_ids.filtered(
                        lambda m: "set-based posting engine" in (m.body or "")
                    )
                    snapshots[-1]["fallback"] = bool(notes)
                    snapshots[-1]["notes"] = notes.mapped("body")
                    self.env.flush_all()
                    savepoint.rollback()
                    self.env.invalidate_all()
        return snapshots

    SNAPSHOT_KEYS = (
        "quants",
        "moves",
        "move_lines",
        "layers",
        "entries",
        "entry_lines",
        "prices",
        "lots",
        "packages",
    )

    def _assert_same(self, odoo, engine, keys=SNAPSHOT_KEYS):
        """Every row alike, column by column (the message names each
        difference: table, row, column, Odoo's value, the engine's)."""
        differences = []
        for key in keys:
            if len(odoo[key]) != len(engine[key]):
                differences.append(
                    f"{key}: {len(odoo[key])} rows by Odoo, {len(engine[key])} "
                    "by the engine"
                )
                continue
            for index, (ours, theirs) in enumerate(
                zip(engine[key], odoo[key], strict=True)
            ):
                if not isinstance(ours, dict):
                    if ours != theirs:
                        differences.append(f"{key}[{index}]: {theirs} != {ours}")
                    continue
                for column in sorted(set(ours) | set(theirs)):
                    if ours.get(column) != theirs.get(column):
                        differences.append(
                            f"{key}[{index}].{column}: Odoo {theirs.get(column)!r}"
                            f", engine {ours.get(column)!r}"
                        )
        self.assertFalse(differences, "\n".join(differences))


@tagged("post_install", "-at_install")
class TestPostingEngineDifferential(PostingEngineCase):
    def test_one_gain_and_one_loss_per_costing_method(self):
        report = self.reports[self.warehouse.code]
        products = self.engine_products
        variances = {}
        for index, product in enumerate(products):
            variances[product] = (3.0 if index % 2 else -4.0, None)
        odoo, engine = self._run_both(report, variances)
        self.assertFalse(engine["fallback"])
        self._assert_same(odoo, engine)

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        data=st.data(),
        warehouse=st.sampled_from(["CCT", "CC2"]),
    )
    def test_differential(self, data, warehouse):
        report = self.reports[warehouse]
        variances = {}
        for product in self.engine_products:
            difference = data.draw(st.integers(min_value=-7, max_value=5))
            if not difference:
                continue
            unit = data.draw(
                st.one_of(
                    st.none(),
                    st.floats(min_value=1, max_value=30).map(lambda f: round(f, 2)),
                )
            )
            variances[product] = (float(difference), unit)
        if not variances:
            return
        odoo, engine = self._run_both(report, variances)
        self._assert_same(odoo, engine)


class PostingEngineCoverageCase(PostingEngineCase):
    """Beside the plain items, for each costing method: a lot product (a lot
    in stock and one not), a serial product (a serial in stock, one not), a
    package and an owner's stock of the first plain product, and a negative
    quant of the second in another bin; each an extra line of the first
    warehouse's report (no difference until a case sets one)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.owner = env["res.partner"].create({"name": "Consignor"})
        report = cls.reports[cls.warehouse.code]
        count_line = report.line_ids[:1].count_line_id
        cls.items = {}
        Line = env["cycle.count.adjustment.line"].sudo()
        for method in METHODS:
            plain = cls.engine_products.filtered(
                lambda p, m=method: p.categ_id.property_cost_method == m
            )
            items = {}
            for tracking in ("lot", "serial"):
                product = env["product.product"].create(
                    {
                        "name": f"Engine {method} {tracking}",
                        "is_storable": True,
                        "tracking": tracking,
                        "categ_id": plain[0].categ_id.id,
                        "standard_price": 11.0,
                    }
                )
                cls.engine_products |= product
                stocked, new = env["stock.lot"].create(
                    [
                        {"name": f"{method}-{tracking}-{n}", "product_id": product.id}
                        for n in (1, 2)
                    ]
                )
                cls._put(product, cls.bin_a, 5 if tracking == "lot" else 1, stocked)
                items[f"{tracking}_stocked"] = (product, cls.bin_a, {"lot_id": stocked})
                items[f"{tracking}_new"] = (product, cls.bin_a, {"lot_id": new})
            package = env["stock.quant.package"].create({"name": f"PK-{method}"})
            cls._put(plain[0], cls.bin_a, 4, package=package)
            items["package"] = (plain[0], cls.bin_a, {"package_id": package})
            cls._put(plain[0], cls.bin_a, 3, owner=cls.owner)
            items["owner"] = (plain[0], cls.bin_a, {"owner_id": cls.owner})
            # A negative quant: shipped from a bin holding none.
            cls._put(
                plain[1],
                env.ref("stock.stock_location_customers"),
                2,
                source=cls.bin_b,
            )
            items["negative"] = (plain[1], cls.bin_b, {})
            for name, (product, location, item) in items.items():
                line = Line.create(
                    {
                        "adjustment_id": report.id,
                        "count_line_id": count_line.id,
                        "product_id": product.id,
                        "location_id": location.id,
                        "lot_id": item.get("lot_id", env["stock.lot"]).id,
                        "package_id": item.get(
                            "package_id", env["stock.quant.package"]
                        ).id,
                        "owner_id": item.get("owner_id", env["res.partner"]).id,
                        "unit_cost": 11.0,
                    }
                )
                cls.items[method, name] = line
        cls._setup_second_company()

    @classmethod
    def _setup_second_company(cls):
        """A second company with its own chart, stock accounts on the same
        categories (company-dependent), a warehouse stocked with the plain
        products, and a counted report of its own."""
        company = cls.setup_other_company(name="Engine Second Co")["company"]
        cls.company_2 = company
        cls.env.user.company_ids |= company
        env = cls.env(
            context=dict(
                cls.env.context,
                allowed_company_ids=[company.id, cls.company.id],
                tracking_disable=True,
            )
        )
        Account = env["account.account"].with_company(company)
        accounts = {
            code: Account.create({"name": name, "code": code, "account_type": kind})
            for code, name, kind in (
                ("CC2405", "Stock Valuation", "asset_current"),
                ("CC2406", "Stock Interim (Received)", "asset_current"),
                ("CC2407", "Stock Interim (Delivered)", "asset_current"),
                ("CC2301", "Inventory Gains", "income_other"),
                ("CC2711", "Inventory Losses", "expense"),
            )
        }
        journal = env["account.journal"].create(
            {
                "name": "Inventory Valuation",
                "code": "CC2SJ",
                "type": "general",
                "company_id": company.id,
            }
        )
        company.write(
            {
                "cycle_count_gain_account_id": accounts["CC2301"].id,
                "cycle_count_loss_account_id": accounts["CC2711"].id,
            }
        )
        plain = cls.engine_products.filtered(lambda p: p.tracking == "none")
        for category in plain.categ_id:
            category.with_company(company).write(
                {
                    "property_cost_method": category.property_cost_method,
                    "property_valuation": "real_time",
                    "property_stock_valuation_account_id": accounts["CC2405"].id,
                    "property_stock_account_input_categ_id": accounts["CC2406"].id,
                    "property_stock_account_output_categ_id": accounts["CC2407"].id,
                    "property_stock_journal": journal.id,
                }
            )
        warehouse = env["stock.warehouse"].create(
            {"name": "Second Company DC", "code": "CC3", "company_id": company.id}
        )
        cls.warehouse_3 = warehouse
        user = new_test_user(
            env,
            login="cc_counter_c2",
            name="Cora Counter",
            groups="cycle_count_planning.group_cycle_count_counter",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        suppliers = env.ref("stock.stock_location_suppliers")
        for index, product in enumerate(plain):
            product.with_company(company).standard_price = 20.0 + index
            for qty, price in ((5, 20.0 + index), (4, 23.5 + index)):
                move = (
                    env["stock.move"]
                    .with_company(company)
                    .create(
                        {
                            "name": "Engine receipt",
                            "product_id": product.id,
                            "product_uom": product.uom_id.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                            "location_id": suppliers.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                            "company_id": company.id,
                        }
                    )
                )
                move._action_confirm()
                move._action_assign()
                move.move_line_ids.quantity = qty
                move.picked = True
                move._action_done()
        rule = env["cycle.count.rule"].create(
            {
                "name": "Engine second company",
                "company_id": company.id,
                "warehouse_id": warehouse.id,
                "frequency_days": 30,
                "user_id": user.id,
            }
        )
        task = (
            env["cycle.count.planner"]
            .with_company(company)
            ._plan(rule, fields.Date.context_today(rule))
        )
        task = task.filtered(lambda t: t.warehouse_id == warehouse)
        counter_env = cls.env(
            user=user, context=dict(cls.env.context, allowed_company_ids=company.ids)
        )
        for line in task.line_ids:
            line.with_env(counter_env).counted_qty = line.book_qty + 1
        task.with_env(counter_env).action_mark_counted()
        cls.reports[warehouse.code] = task.adjustment_ids

    @classmethod
    def _put(
        cls, product, location, qty, lot=None, package=None, owner=None, source=None
    ):
        """A done move of ``qty`` from ``source`` (the vendors) into
        ``location``, of a lot, into a package, owned by a partner."""
        source = source or cls.env.ref("stock.stock_location_suppliers")
        return cls._done_move(
            product, source, location, qty, lot, package, owner, price_unit=12.5
        )

    def _set_line_variances(self, variances):
        """``variances``: {line: (difference, unit cost)}."""
        self.env.flush_all()
        for line, (difference, unit) in variances.items():
            self.env.cr.execute(
                SQL(
                    """UPDATE cycle_count_adjustment_line
                          SET difference_qty = %s, book_qty = 0,
                              counted_qty = %s, unit_cost = %s,
                              variance_value = %s
                        WHERE id = %s""",
                    difference,
                    difference,
                    unit,
                    round(difference * unit, 2),
                    line.id,
                )
            )
        self.env.invalidate_all()

    def _run_steps(self, steps):
        """Each of ``steps`` (report, {product: variance}, {line: variance})
        posted one after the other, by Odoo's path and by the engine, from
        the same savepoint: both runs' snapshots (and fallback notes)."""
        runs = []
        with freeze_time("2026-12-01 10:00:00"):
            for enabled in (False, True):
                with self.env.cr.savepoint() as savepoint:
                    run = {"fallback": []}
                    self._set_engine(enabled)
                    for report, variances, line_variances in steps:
                        self._set_variances(report, variances)
                        self._set_line_variances(line_variances)
                    for report, _variances, _lines in steps:
                        self._post(report)
                    reports = self.env["cycle.count.adjustment"]
                    for report, _variances, _lines in steps:
                        reports |= report
                        notes = report.message_ids.filtered(
                            lambda m: "set-based posting engine" in (m.body or "")
                        )
                        run["fallback"] += notes.mapped("body")
                    run.update(self._snapshot(reports))
                    self.env.flush_all()
                    savepoint.rollback()
                    self.env.invalidate_all()
                runs.append(run)
        return runs

    def _assert_same_runs(self, odoo, engine):
        self._assert_same(odoo, engine, keys=sorted(set(odoo) - {"fallback"}))


ITEM_RANGES = {
    "lot_stocked": (-5, 3),
    "lot_new": (0, 3),
    "serial_stocked": (-1, 0),
    "serial_new": (0, 1),
    "package": (-4, 2),
    "owner": (-3, 2),
    "negative": (-1, 4),
}


@tagged("post_install", "-at_install")
class TestPostingEngineCoverage(PostingEngineCoverageCase):
    def test_every_item_kind_gains_and_losses(self):
        """Each kind of item, for each costing method, in one report."""
        line_variances = {}
        for method in METHODS:
            for name, (low, high) in ITEM_RANGES.items():
                difference = high if name.endswith("new") or name == "negative" else low
                line_variances[self.items[method, name]] = (float(difference), 11.0)
        report = self.reports[self.warehouse.code]
        second = self.reports["CC3"]
        other = {
            product: (-2.0 if index % 2 else 3.0, None)
            for index, product in enumerate(second.line_ids.product_id)
        }
        odoo, engine = self._run_steps(
            [(report, {}, line_variances), (second, other, {})]
        )
        self.assertFalse(engine["fallback"], engine["fallback"])
        self._assert_same_runs(odoo, engine)

    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data(), method=st.sampled_from(METHODS))
    def test_differential_items(self, data, method):
        report = self.reports[self.warehouse.code]
        line_variances = {}
        for name, (low, high) in ITEM_RANGES.items():
            if not data.draw(st.booleans(), label=name):
                continue
            difference = data.draw(st.integers(min_value=low, max_value=high))
            if difference:
                unit = data.draw(st.sampled_from([11.0, 9.5, 14.25]))
                line_variances[self.items[method, name]] = (float(difference), unit)
        variances = {}
        for product in self.engine_products[:6]:
            difference = data.draw(st.integers(min_value=-3, max_value=3))
            if difference:
                variances[product] = (float(difference), None)
        steps = [(report, variances, line_variances)]
        if data.draw(st.booleans(), label="second warehouse"):
            other = {}
            for product in self.engine_products[:6]:
                difference = data.draw(st.integers(min_value=-3, max_value=3))
                if difference:
                    other[product] = (float(difference), None)
            steps.append((self.reports[self.warehouse_2.code], other, {}))
        if data.draw(st.booleans(), label="second company"):
            other = {}
            for product in self.reports["CC3"].line_ids.product_id:
                difference = data.draw(st.integers(min_value=-4, max_value=3))
                if difference:
                    other[product] = (float(difference), None)
            steps.append((self.reports["CC3"], other, {}))
        if not any(step[1] or step[2] for step in steps):
            return
        odoo, engine = self._run_steps(steps)
        self.assertFalse(engine["fallback"], engine["fallback"])
        self._assert_same_runs(odoo, engine)
