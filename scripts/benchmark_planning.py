"""Benchmark of the planning engine (cycle_count_planning) against OCA
stock_cycle_count and against PostgreSQL's own INSERT … SELECT.

Run it through scripts/benchmark_planning.sh, which finds Odoo's Python, PostgreSQL and
the OCA addons:

    scripts/benchmark_planning.sh generate [--db NAME]   build the databases (once)
    scripts/benchmark_planning.sh run [--db NAME]        measure and print the table
    scripts/benchmark_planning.sh table                  print the last run's table again

``generate`` builds NAME_base (stock, stock_account and the data: 20 000
products in A/B/C proportions, 3 warehouses, 2 000 bins, 200 000 quants with lots
and serial numbers where tracked, 1 000 000 done stock moves over 365 days), then
two copies of it: NAME with cycle_count_planning, NAME_oca with OCA
stock_cycle_count. ``run`` measures, for 10 000, 50 000 and 200 000 quants (the
first warehouse, the first two, all three): the ABC classification, the full
planning, the INSERT … SELECT floor for the same number of lines, OCA's planning
of the same warehouses, and what event triggers add to validating 1 000
pickings. Every measurement runs in a transaction that is rolled back, so runs
can be repeated.
"""

import argparse
import json
import random
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from benchlib import environment, odoo_command, odoo_setup

ROOT = Path(__file__).resolve().parent.parent

# name, code, bins: 100 quants a bin, so 10 000 / 40 000 / 150 000 quants.
WAREHOUSES = [
    ("Shanghai DC", "SH", 100),
    ("Suzhou DC", "SZ", 400),
    ("Ningbo DC", "NB", 1500),
]
QUANTS_PER_BIN = 100
BINS_PER_AISLE = 50
# Counters per warehouse for the capacity of the planning run.
COUNTERS = {"SH": 2, "SZ": 4, "NB": 15}
SCALES = [("10 000", ["SH"]), ("50 000", ["SH", "SZ"]), ("200 000", ["SH", "SZ", "NB"])]


def log(message):
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# ----------------------------------------------------------------------
# Odoo plumbing
# ----------------------------------------------------------------------
def psql(args, db, sql):
    subprocess.run(["psql", "-q", "-d", db, "-c", sql], check=True)


# ----------------------------------------------------------------------
# generate
# ----------------------------------------------------------------------
def generate(args):
    base, ours, oca = args.db + "_base", args.db, args.db + "_oca"
    for db in (oca, ours, base):
        subprocess.run(["dropdb", "--if-exists", db], check=True)
    log(f"Creating {base}: stock and stock_account, no demo data")
    odoo_command(
        args,
        "-d",
        base,
        "-i",
        "stock_account",
        "--without-demo=all",
        "--stop-after-init",
    )
    odoo = odoo_setup(args)
    with environment(odoo, base, commit=True) as env:
        Generator(env, args).run()
    odoo.modules.registry.Registry.delete_all()
    odoo.sql_db.close_all()
    psql(args, base, "VACUUM ANALYZE")
    log(f"Copying {base} to {ours} and installing cycle_count_planning")
    subprocess.run(["createdb", "-T", base, ours], check=True)
    odoo_command(args, "-d", ours, "-i", "cycle_count_planning", "--stop-after-init")
    log(f"Copying {base} to {oca} and installing OCA stock_cycle_count")
    subprocess.run(["createdb", "-T", base, oca], check=True)
    odoo_command(args, "-d", oca, "-i", "stock_cycle_count", "--stop-after-init")
    for db in (ours, oca):
        psql(args, db, "VACUUM ANALYZE")
    with environment(odoo, ours) as env:
        for label, count in summary(env).items():
            log(f"{ours}: {count:>9,} {label}")
        log(f"{ours}: {moves_by_kind(env)}")


def summary(env):
    queries = {
        "products": "SELECT COUNT(*) FROM product_product",
        "warehouses": "SELECT COUNT(*) FROM stock_warehouse WHERE code IN ('SH','SZ','NB')",
        "bins": "SELECT COUNT(*) FROM stock_location WHERE usage = 'internal' "
        "AND name LIKE '%%-%%-%%'",
        "lots and serial numbers": "SELECT COUNT(*) FROM stock_lot",
        "quants": "SELECT COUNT(*) FROM stock_quant q JOIN stock_location l "
        "ON l.id = q.location_id WHERE l.usage = 'internal'",
        "done stock moves": "SELECT COUNT(*) FROM stock_move WHERE state = 'done'",
        "done move lines": "SELECT COUNT(*) FROM stock_move_line WHERE state = 'done'",
    }
    result = {}
    for label, query in queries.items():
        env.cr.execute(query)
        result[label] = env.cr.fetchone()[0]
    return result


def moves_by_kind(env):
    env.cr.execute(
        """SELECT src.usage || ' → ' || dest.usage, COUNT(*)
             FROM stock_move m
             JOIN stock_location src ON src.id = m.location_id
             JOIN stock_location dest ON dest.id = m.location_dest_id
            WHERE m.state = 'done' GROUP BY 1 ORDER BY 2 DESC"""
    )
    return ", ".join(f"{kind}: {count:,}" for kind, count in env.cr.fetchall())


class Generator:
    """A realistic warehouse: Pareto demand (A ≈ 20 % of the products make ≈ 80 %
    of the value), lognormal costs, lot- and serial-tracked products, three
    warehouses of very different sizes, receipts, deliveries, internal transfers
    and inventory adjustments over a year."""

    def __init__(self, env, args):
        self.env = env
        self.cr = env.cr
        self.args = args
        self.rng = random.Random(args.seed)
        self.company = env.ref("base.main_company")

    def run(self):
        self.make_warehouses()
        self.make_products()
        self.make_quants()
        self.make_moves()
        self.make_orderpoints_and_counters()

    def make_warehouses(self):
        env = self.env
        self.bins = []  # (location id, warehouse code), in route order
        self.warehouses = {}
        for name, code, bins in WAREHOUSES:
            bins = max(1, bins * self.args.scale_bins // 100)
            warehouse = env["stock.warehouse"].create(
                {"name": name, "code": code, "company_id": self.company.id}
            )
            self.warehouses[code] = warehouse
            aisles = env["stock.location"].create(
                [
                    {
                        "name": f"{code}-{aisle + 1:02d}",
                        "location_id": warehouse.lot_stock_id.id,
                        "usage": "view",
                    }
                    for aisle in range((bins + BINS_PER_AISLE - 1) // BINS_PER_AISLE)
                ]
            )
            locations = env["stock.location"].create(
                [
                    {
                        "name": f"{code}-{index // BINS_PER_AISLE + 1:02d}-"
                        f"{index % BINS_PER_AISLE + 1:02d}",
                        "location_id": aisles[index // BINS_PER_AISLE].id,
                        "usage": "internal",
                    }
                    for index in range(bins)
                ]
            )
            self.bins += [(location.id, code) for location in locations]
            log(f"{name}: {len(locations)} bins in {len(aisles)} aisles")

    def make_products(self):
        env = self.env
        n = self.args.products
        categories = env["product.category"].create(
            [{"name": f"Category {c + 1:02d}"} for c in range(20)]
        )
        suppliers = env["res.partner"].create(
            [{"name": f"Supplier {s + 1:02d}", "is_company": True} for s in range(50)]
        )
        self.tracking = []
        self.costs = []
        vals = []
        for index in range(n):
            roll = self.rng.random()
            tracking = "serial" if roll < 0.05 else "lot" if roll < 0.20 else "none"
            # Lognormal cost, median ≈ 20, from cents to thousands.
            cost = round(min(5000.0, max(0.05, self.rng.lognormvariate(3.0, 1.4))), 2)
            self.tracking.append(tracking)
            self.costs.append(cost)
            vals.append(
                {
                    "name": f"Product {index + 1:05d}",
                    "default_code": f"P{index + 1:05d}",
                    "is_storable": True,
                    "tracking": tracking,
                    "categ_id": categories[index % 20].id,
                    "standard_price": cost,
                }
            )
        products = env["product.product"]
        Product = env["product.product"].with_context(
            tracking_disable=True, mail_create_nolog=True
        )
        for start in range(0, n, 2000):
            products |= Product.create(vals[start : start + 2000])
            env.flush_all()
            env.invalidate_all()
            log(f"products: {min(start + 2000, n):,}")
        self.product_ids = products.ids
        # 30 % of the products have a supplier (for rules by supplier).
        self.cr.execute(
            """
            INSERT INTO product_supplierinfo
                   (partner_id, product_tmpl_id, currency_id, delay, min_qty, price,
                    sequence, company_id, create_uid, create_date, write_uid, write_date)
            SELECT (%s::int[])[1 + pp.id %% 50], pp.product_tmpl_id, %s, 7, 1,
                   1, 1, %s, 1, NOW(), 1, NOW()
              FROM product_product pp
             WHERE pp.id = ANY(%s) AND pp.id %% 10 < 3
            """,
            [
                suppliers.ids,
                self.company.currency_id.id,
                self.company.id,
                self.product_ids,
            ],
        )

    def make_quants(self):
        """Quant q sits in bin q // 100 and holds product (q × 7919) mod N: a bin
        never holds a product twice, a product sits in about ten bins spread over
        the warehouses. Tracked quants get their own lot or serial number."""
        n = len(self.product_ids)
        quants = len(self.bins) * QUANTS_PER_BIN
        self.cr.execute("DROP TABLE IF EXISTS bench_quant")
        self.cr.execute(
            """
            CREATE UNLOGGED TABLE bench_quant AS
            SELECT q, (%(products)s::int[])[1 + (q * 7919) %% %(n)s] AS product_id,
                   (%(bins)s::int[])[1 + q / %(per_bin)s] AS location_id,
                   NULL::int AS lot_id
              FROM generate_series(0, %(last)s) AS q
            """,
            {
                "products": self.product_ids,
                "n": n,
                "bins": [b for b, _code in self.bins],
                "per_bin": QUANTS_PER_BIN,
                "last": quants - 1,
            },
        )
        self.cr.execute("CREATE INDEX ON bench_quant (q)")
        tracked = [
            pid
            for pid, t in zip(self.product_ids, self.tracking, strict=True)
            if t != "none"
        ]
        serial = [
            pid
            for pid, t in zip(self.product_ids, self.tracking, strict=True)
            if t == "serial"
        ]
        self.cr.execute(
            """
            WITH lots AS (
                INSERT INTO stock_lot (name, product_id, company_id,
                                       create_uid, create_date, write_uid, write_date)
                SELECT 'L' || LPAD(b.q::text, 7, '0'), b.product_id, %s,
                       1, NOW(), 1, NOW()
                  FROM bench_quant b WHERE b.product_id = ANY(%s)
                RETURNING id, name
            )
            UPDATE bench_quant b SET lot_id = lots.id
              FROM lots WHERE lots.name = 'L' || LPAD(b.q::text, 7, '0')
            """,
            [self.company.id, tracked],
        )
        self.cr.execute(
            """
            INSERT INTO stock_quant (product_id, company_id, location_id, lot_id,
                                     quantity, reserved_quantity, in_date,
                                     create_uid, create_date, write_uid, write_date)
            SELECT b.product_id, %s, b.location_id, b.lot_id,
                   CASE WHEN b.product_id = ANY(%s) THEN 1
                        ELSE 5 + (b.q * 37) %% 200 END,
                   0, NOW() - INTERVAL '400 days', 1, NOW(), 1, NOW()
              FROM bench_quant b
            """,
            [self.company.id, serial],
        )
        log(
            f"quants: {quants:,}, lots and serial numbers: {self.cr.rowcount:,} quants inserted"
        )

    def make_moves(self):
        """1 000 000 done moves over the last 365 days, one move line each:
        product by Pareto popularity (rank ** 5), then one of its quants;
        45 % deliveries, 40 % receipts, 12 % internal transfers, 3 % inventory
        adjustments (the count history)."""
        env = self.env
        n = len(self.product_ids)
        quants = len(self.bins) * QUANTS_PER_BIN
        inverse = pow(7919, -1, n)
        customer = env.ref("stock.stock_location_customers").id
        supplier = env.ref("stock.stock_location_suppliers").id
        loss = (
            env["product.product"]
            .browse(self.product_ids[0])
            .with_company(self.company)
            .property_stock_inventory.id
        )
        uom = env.ref("uom.product_uom_unit").id
        copies = quants // n  # quants per product
        self.cr.execute("SELECT setseed(%s)", [self.rng.random() * 2 - 1])
        self.cr.execute("DROP TABLE IF EXISTS bench_move")
        self.cr.execute(
            """
            CREATE UNLOGGED TABLE bench_move AS
            WITH draw AS (
                SELECT g, random() AS r_product, random() AS r_copy,
                       random() AS r_kind, random() AS r_date, random() AS r_qty,
                       random() AS r_bin
                  FROM generate_series(1, %(moves)s) AS g
            ),
            picked AS (
                SELECT g, r_kind, r_date, r_qty, r_bin,
                       (FLOOR(%(n)s * POWER(r_product, 5))::int * %(inverse)s) %% %(n)s
                       + %(n)s * FLOOR(r_copy * %(copies)s)::int AS q
                  FROM draw
            )
            SELECT p.g, b.product_id, b.location_id AS bin_id, b.lot_id,
                   CASE WHEN p.r_kind < 0.45 THEN 'out'
                        WHEN p.r_kind < 0.85 THEN 'in'
                        WHEN p.r_kind < 0.97 THEN 'internal'
                        ELSE 'inventory' END AS kind,
                   (NOW() AT TIME ZONE 'UTC') - (p.r_date * INTERVAL '365 days')
                       AS date,
                   CASE WHEN b.product_id = ANY(%(serial)s) THEN 1
                        ELSE 1 + FLOOR(p.r_qty * 20)::int END AS qty,
                   (%(bins)s::int[])[1 + FLOOR(p.r_bin * %(bin_count)s)::int] AS other_bin,
                   nextval('stock_move_id_seq') AS move_id
              FROM picked p
              JOIN bench_quant b ON b.q = p.q
            """,
            {
                "moves": self.args.moves,
                "n": n,
                "inverse": inverse,
                "copies": copies,
                "serial": [
                    pid
                    for pid, t in zip(self.product_ids, self.tracking, strict=True)
                    if t == "serial"
                ],
                "bins": [b for b, _code in self.bins],
                "bin_count": len(self.bins),
            },
        )
        log("moves drawn")
        common = {"customer": customer, "supplier": supplier, "loss": loss}
        source = """CASE kind WHEN 'out' THEN bin_id WHEN 'in' THEN %(supplier)s
                             WHEN 'internal' THEN bin_id
                             ELSE %(loss)s END"""
        destination = """CASE kind WHEN 'out' THEN %(customer)s WHEN 'in' THEN bin_id
                                  WHEN 'internal' THEN other_bin
                                  ELSE bin_id END"""
        self.cr.execute(
            f"""
            INSERT INTO stock_move
                   (id, name, reference, company_id, product_id, product_uom,
                    product_uom_qty, product_qty, quantity, location_id,
                    location_dest_id, location_final_id, procure_method, state,
                    picked, is_inventory, priority, date, sequence,
                    create_uid, create_date, write_uid, write_date)
            SELECT move_id, 'Benchmark history', 'BENCH/' || g, %(company)s,
                   product_id, %(uom)s, qty, qty, qty, {source}, {destination},
                   {destination}, 'make_to_stock', 'done', TRUE,
                   kind = 'inventory', '0', date, 10, 1, date, 1, date
              FROM bench_move
            """,
            {**common, "company": self.company.id, "uom": uom},
        )
        log(f"stock moves: {self.cr.rowcount:,}")
        self.cr.execute(
            f"""
            INSERT INTO stock_move_line
                   (move_id, company_id, product_id, product_uom_id, quantity,
                    quantity_product_uom, location_id, location_dest_id, lot_id,
                    date, state, picked, reference,
                    create_uid, create_date, write_uid, write_date)
            SELECT move_id, %(company)s, product_id, %(uom)s, qty, qty, {source},
                   {destination}, lot_id, date, 'done', TRUE, 'BENCH/' || g,
                   1, date, 1, date
              FROM bench_move
            """,
            {**common, "company": self.company.id, "uom": uom},
        )
        log(f"move lines: {self.cr.rowcount:,}")
        self.cr.execute("DROP TABLE bench_move")

    def make_orderpoints_and_counters(self):
        env = self.env
        # Reorder rules for 5 000 products in the biggest warehouse (safety stock).
        warehouse = self.warehouses["NB"]
        self.cr.execute(
            """
            INSERT INTO stock_warehouse_orderpoint
                   (name, warehouse_id, location_id, product_id, company_id, trigger,
                    product_min_qty, product_max_qty, qty_multiple, active,
                    create_uid, create_date, write_uid, write_date)
            SELECT 'OP/' || pp.id, %s, %s, pp.id, %s, 'manual', 20, 200, 1, TRUE,
                   1, NOW(), 1, NOW()
              FROM product_product pp
             WHERE pp.id = ANY(%s)
            """,
            [
                warehouse.id,
                warehouse.lot_stock_id.id,
                self.company.id,
                self.product_ids[: min(5000, len(self.product_ids))],
            ],
        )
        group = env.ref("stock.group_stock_user")
        env["res.users"].with_context(no_reset_password=True).create(
            [
                {
                    "name": f"Counter {code} {i + 1}",
                    "login": f"counter_{code.lower()}_{i + 1}",
                    "groups_id": [(6, 0, [group.id])],
                }
                for code, count in COUNTERS.items()
                for i in range(count)
            ]
        )
        self.cr.execute("DROP TABLE bench_quant")
        log("reorder rules and counters created")


# ----------------------------------------------------------------------
# run
# ----------------------------------------------------------------------
def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def best_of(runs, measure):
    """The fastest of ``runs`` measurements (the machine is shared)."""
    results = [measure() for _i in range(runs)]
    return min(results, key=lambda r: r[0])


def scope_quants(env, warehouses):
    env.cr.execute(
        """SELECT COUNT(*) FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
            WHERE l.usage = 'internal' AND l.warehouse_id = ANY(%s)""",
        [warehouses.ids],
    )
    return env.cr.fetchone()[0]


def measure_abc(odoo, db, codes):
    with environment(odoo, db) as env:
        warehouses = env["stock.warehouse"].search([("code", "in", codes)])
        profiles = env["cycle.count.abc.profile"].create(
            [
                {
                    "name": f"ABC {w.code}",
                    "warehouse_id": w.id,
                    "company_id": w.company_id.id,
                }
                for w in warehouses
            ]
        )
        env.flush_all()
        seconds, _ = timed(profiles._compute_classes)
        env.cr.execute(
            """SELECT c.code, COUNT(*) FROM cycle_count_product_class pc
                 JOIN cycle_count_abc_class c ON c.id = pc.abc_class_id
                WHERE pc.profile_id = ANY(%s) GROUP BY c.code ORDER BY c.code""",
            [profiles.ids],
        )
        classes = dict(env.cr.fetchall())
        return seconds, classes


def setup_planning(env, codes):
    """The rules an analyst would write for these warehouses, and their
    capacity: everything every 60 days, A-class movers every 15 days, valuable
    items every 30 days."""
    warehouses = env["stock.warehouse"].search([("code", "in", codes)])
    env["cycle.count.abc.profile"].search(
        [("company_id", "=", env.company.id), ("warehouse_id", "=", False)]
    )._compute_classes()
    Rule = env["cycle.count.rule"]
    class_a = env.ref("cycle_count_planning.abc_class_a")
    rules = Rule.create(
        [
            {
                "name": "Everything every 60 days",
                "warehouse_ids": [(6, 0, warehouses.ids)],
                "frequency_days": 60,
            },
            {
                "name": "A-class movers every 15 days",
                "warehouse_ids": [(6, 0, warehouses.ids)],
                "abc_class_ids": [(6, 0, class_a.ids)],
                "move_direction": "out",
                "move_days": 30,
                "frequency_days": 15,
                "priority": "1",
            },
            {
                "name": "Valuable items every 30 days",
                "warehouse_ids": [(6, 0, warehouses.ids)],
                "onhand_value_min": 5000,
                "frequency_days": 30,
            },
        ]
    )
    users = env["res.users"].search([("login", "like", "counter_%")])
    counter_group = env.ref("cycle_count_planning.group_cycle_count_counter")
    users.write({"groups_id": [(4, counter_group.id)]})
    env["cycle.count.capacity"].create(
        [
            {
                "warehouse_id": w.id,
                "lines_per_counter": 1000,
                "horizon_days": 14,
                "working_days": "mon_sat",
                "user_ids": [
                    (
                        6,
                        0,
                        users.filtered(
                            lambda u, w=w: u.login.startswith(
                                f"counter_{w.code.lower()}_"
                            )
                        ).ids,
                    )
                ],
            }
            for w in warehouses
        ]
    )
    env.flush_all()
    return rules, warehouses


def measure_planning(odoo, db, codes):
    with environment(odoo, db) as env:
        rules, warehouses = setup_planning(env, codes)
        env.cr.execute("ANALYZE cycle_count_product_class")
        seconds, _tasks = timed(
            lambda: (env["cycle.count.planner"]._plan(rules), env.flush_all())[0]
        )
        env.cr.execute("SELECT COUNT(*), COUNT(DISTINCT task_id) FROM cycle_count_line")
        lines, task_count = env.cr.fetchone()
        quants = scope_quants(env, warehouses)
        return seconds, {"lines": lines, "tasks": task_count, "quants": quants}


def measure_floor(odoo, db, codes, lines):
    """PostgreSQL alone: INSERT … SELECT of the same number of lines, from the
    quants, into the same table with the same indexes."""
    with environment(odoo, db) as env:
        warehouses = env["stock.warehouse"].search([("code", "in", codes)])
        task = env["cycle.count.task"].create({"warehouse_id": warehouses[0].id})
        env.flush_all()

        def insert():
            env.cr.execute(
                """
                INSERT INTO cycle_count_line
                       (task_id, company_id, warehouse_id, state, location_id,
                        route_key, product_id, lot_id, package_id, owner_id,
                        is_counted, create_uid, create_date, write_uid, write_date)
                SELECT %s, q.company_id, loc.warehouse_id, 'draft', q.location_id,
                       loc.complete_name, q.product_id, q.lot_id, q.package_id,
                       q.owner_id, FALSE, 1, NOW(), 1, NOW()
                  FROM stock_quant q
                  JOIN stock_location loc ON loc.id = q.location_id
                 WHERE loc.usage = 'internal' AND loc.warehouse_id = ANY(%s)
                 LIMIT %s
                """,
                [task.id, warehouses.ids, lines],
            )
            return env.cr.rowcount

        seconds, inserted = timed(insert)
        return seconds, inserted


def measure_oca(odoo, db, codes):
    with environment(odoo, db) as env:
        warehouses = env["stock.warehouse"].search([("code", "in", codes)])
        env["stock.cycle.count.rule"].create(
            {
                "name": "Every location every 60 days",
                "rule_type": "periodic",
                "periodic_qty_per_period": 1,
                "periodic_count_period": 60,
                "apply_in": "warehouse",
                "warehouse_ids": [(6, 0, warehouses.ids)],
            }
        )
        warehouses.write({"cycle_count_planning_horizon": 14})
        env.flush_all()
        seconds, _ = timed(
            lambda: (warehouses.action_compute_cycle_count_rules(), env.flush_all())
        )
        counts = env["stock.cycle.count"].search_count([])
        return seconds, counts


def prepare_pickings(env, warehouses, count, rng):
    """``count`` delivery pickings of 2 lines each from well-stocked quants of
    the warehouses, reserved and ready to validate (not timed)."""
    env.cr.execute(
        """
        SELECT q.product_id, q.location_id, q.lot_id, l.warehouse_id
          FROM stock_quant q
          JOIN stock_location l ON l.id = q.location_id
          JOIN product_product pp ON pp.id = q.product_id
          JOIN product_template pt ON pt.id = pp.product_tmpl_id
         WHERE l.warehouse_id = ANY(%s) AND q.quantity >= 50 AND pt.tracking = 'none'
         ORDER BY q.id
        """,
        [warehouses.ids],
    )
    candidates = env.cr.fetchall()
    rng.shuffle(candidates)
    by_warehouse = {w.id: w for w in warehouses}
    customer = env.ref("stock.stock_location_customers")
    vals = []
    for index in range(count):
        # Reused when the warehouse is small: 3 units of at least 50.
        a = candidates[(2 * index) % len(candidates)]
        b = candidates[(2 * index + 1) % len(candidates)]
        warehouse = by_warehouse[a[3]]
        vals.append(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customer.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Benchmark delivery",
                            "product_id": product_id,
                            "product_uom_qty": 3,
                            "product_uom": env.ref("uom.product_uom_unit").id,
                            "location_id": location_id,
                            "location_dest_id": customer.id,
                        },
                    )
                    for product_id, location_id, _lot, _wh in (a, b)
                ],
            }
        )
    pickings = env["stock.picking"].create(vals)
    pickings.action_confirm()
    pickings.action_assign()
    env.flush_all()
    ready = pickings.filtered(lambda p: p.state == "assigned")
    return ready


def measure_triggers(odoo, db, codes, count, seed):
    """Validate ``2 × count`` pickings one at a time, alternately without the
    event triggers (context ``cycle_count_no_events``: the hook returns at once,
    as when every trigger is off) and with all five switched on for the whole
    company, so that the load of the shared machine hits both alike. Also times
    the hook itself; it flushes the moves and quants early, work that the
    validation does anyway at its end."""
    rng = random.Random(seed)
    with environment(odoo, db) as env:
        warehouses = env["stock.warehouse"].search([("code", "in", codes)])
        triggers = (
            env["cycle.count.trigger"]
            .with_context(active_test=False)
            .search([("company_id", "=", env.company.id)])
        )
        triggers.write({"active": True})
        triggers.filtered(lambda t: t.event_type == "high_value").value_threshold = 2000
        warm_up = 20
        pickings = prepare_pickings(env, warehouses, 2 * count + warm_up, rng)
        env["cycle.count.trigger"]._get_active_triggers(env.company.ids)
        Event = type(env["cycle.count.event"])
        fire = Event._fire_from_moves
        hook = {"seconds": 0.0}

        def timed_fire(self, moves):
            start = time.perf_counter()
            try:
                return fire(self, moves)
            finally:
                if not self.env.context.get("cycle_count_no_events"):
                    hook["seconds"] += time.perf_counter() - start

        Event._fire_from_moves = timed_fire
        totals = {False: 0.0, True: 0.0}
        done = {False: 0, True: 0}
        try:
            for picking in pickings[:warm_up]:
                picking.button_validate()
            env.flush_all()
            for index, picking in enumerate(pickings[warm_up:]):
                with_triggers = index % 2 == 1
                picking = picking.with_context(cycle_count_no_events=not with_triggers)
                t0 = time.perf_counter()
                picking.button_validate()
                env.flush_all()
                totals[with_triggers] += time.perf_counter() - t0
                done[with_triggers] += 1
                if index % 100 == 99:
                    env.invalidate_all()
        finally:
            del Event._fire_from_moves
        env.cr.execute(
            "SELECT state, COUNT(*) FROM stock_picking WHERE id = ANY(%s) GROUP BY 1",
            [pickings.ids],
        )
        states = dict(env.cr.fetchall())
        env.cr.execute(
            "SELECT event_type, COUNT(*) FROM cycle_count_event GROUP BY 1 ORDER BY 1"
        )
        events = dict(env.cr.fetchall())
        return {
            "off": totals[False],
            "on": totals[True],
            "hook": hook["seconds"],
            "validated_off": done[False],
            "validated_on": done[True],
            "pickings_done": states.get("done", 0),
            "events": events,
        }


def run(args):
    odoo = odoo_setup(args)
    ours, oca = args.db, args.db + "_oca"
    results = []
    for label, codes in SCALES:
        log(f"--- {label} quants: warehouses {', '.join(codes)}")
        abc_seconds, classes = best_of(
            args.repeat, lambda c=codes: measure_abc(odoo, ours, c)
        )
        log(f"ABC classification: {abc_seconds:.2f} s, classes {classes}")
        plan_seconds, plan = best_of(
            args.repeat, lambda c=codes: measure_planning(odoo, ours, c)
        )
        log(f"planning: {plan_seconds:.2f} s, {plan}")
        floor_seconds, inserted = best_of(
            args.repeat,
            lambda c=codes, n=plan["lines"]: measure_floor(odoo, ours, c, n),
        )
        log(f"INSERT … SELECT floor: {floor_seconds:.2f} s for {inserted:,} lines")
        oca_seconds, oca_counts = best_of(
            args.repeat, lambda c=codes: measure_oca(odoo, oca, c)
        )
        log(f"OCA stock_cycle_count: {oca_seconds:.2f} s, {oca_counts:,} counts")
        triggers = measure_triggers(odoo, ours, codes, args.pickings, args.seed)
        log(f"picking validation: {triggers}")
        results.append(
            {
                "scale": label,
                "warehouses": codes,
                "quants": plan["quants"],
                "abc_seconds": abc_seconds,
                "abc_classes": classes,
                "plan_seconds": plan_seconds,
                "lines": plan["lines"],
                "tasks": plan["tasks"],
                "floor_seconds": floor_seconds,
                "oca_seconds": oca_seconds,
                "oca_counts": oca_counts,
                **{f"validate_{k}": v for k, v in triggers.items()},
            }
        )
    print_table(results)
    out = ROOT / "var" / "benchmark_planning.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    log(f"figures written to {out}")


def print_table(results):
    print()
    print(
        "| quants | ABC classification | full planning | lines planned "
        "| INSERT … SELECT floor | planning ÷ floor | OCA stock_cycle_count "
        "| planning ÷ OCA | 1 000 pickings validated, triggers off → on "
        "| added | trigger hook |"
    )
    print("|" + "---:|" * 11)
    for r in results:
        per_picking_off = r["validate_off"] / r["validate_validated_off"]
        per_picking_on = r["validate_on"] / r["validate_validated_on"]
        added = (per_picking_on - per_picking_off) / per_picking_off * 100
        hook = r["validate_hook"] / r["validate_validated_on"] / per_picking_off * 100
        print(
            f"| {r['quants']:,} | {r['abc_seconds']:.2f} s | {r['plan_seconds']:.2f} s "
            f"| {r['lines']:,} in {r['tasks']} tasks | {r['floor_seconds']:.2f} s "
            f"| {r['plan_seconds'] / r['floor_seconds']:.1f}× "
            f"| {r['oca_seconds']:.2f} s ({r['oca_counts']:,} location counts) "
            f"| {r['plan_seconds'] / r['oca_seconds']:.2f}× "
            f"| {per_picking_off * 1000:.1f} s → {per_picking_on * 1000:.1f} s "
            f"| {added:+.1f} % | {hook:.1f} % |"
        )
    first, last = results[0], results[-1]
    ours = last["plan_seconds"] / last["lines"] * 1000
    oca = last["oca_seconds"] / last["oca_counts"] * 1000
    print()
    print(
        f"Planning growth {first['quants']:,} → {last['quants']:,} quants: "
        f"{last['plan_seconds'] / first['plan_seconds']:.1f}× for "
        f"{last['quants'] / first['quants']:.0f}× the quants. Per planned record at "
        f"{last['quants']:,} quants: {ours:.3f} ms a line here, {oca:.2f} ms a "
        f"location count for OCA ({oca / ours:.0f}× more)."
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["generate", "run", "table"])
    parser.add_argument("--db", default="cc_plan_bench", help="database name (prefix)")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db_host")
    parser.add_argument("--db_port")
    parser.add_argument("--db_user")
    parser.add_argument("--db_password")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--moves", type=int, default=1000000)
    parser.add_argument(
        "--scale-bins", type=int, default=100, help="percentage of the 2 000 bins"
    )
    parser.add_argument("--pickings", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    random.seed(args.seed)
    if args.command == "generate":
        generate(args)
    elif args.command == "run":
        run(args)
    else:  # the table of the last run, again
        print_table(json.loads((ROOT / "var" / "benchmark_planning.json").read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
