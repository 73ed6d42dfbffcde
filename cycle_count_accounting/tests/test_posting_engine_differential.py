from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import SUPERUSER_ID, fields
from odoo.tests import tagged
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
        """Every row the posting writes, ids replaced by what they stand for."""
        products = tuple((report.line_ids.product_id | self.engine_products).ids)
        moves = self._rows(
            "stock_move", "t.cycle_count_adjustment_id = %s", (report.id,)
        )
        move_key = {
            m["id"]: ("move", m["cycle_count_adjustment_line_id"]) for m in moves
        }
        entries = self._rows(
            "account_move", "t.cycle_count_adjustment_id = %s", (report.id,)
        )
        entry_key = {e["id"]: ("entry", n) for n, e in enumerate(entries)}

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
            key=lambda r: (r["product_id"], r["location_id"]),
        )
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
                    self.env.flush_all()
                    savepoint.rollback()
                    self.env.invalidate_all()
        return snapshots

    def _assert_same(self, odoo, engine):
        """Every row alike, column by column (the message names each
        difference: table, row, column, Odoo's value, the engine's)."""
        differences = []
        for key in (
            "quants",
            "moves",
            "move_lines",
            "layers",
            "entries",
            "entry_lines",
            "prices",
        ):
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
