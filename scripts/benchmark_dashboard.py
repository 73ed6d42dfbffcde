"""Benchmark of the dashboard's reports (cycle_count_dashboard) against a plain
GROUP BY over the same rows, in the same run.

Run it through scripts/benchmark_dashboard.sh, which finds Odoo's Python and
PostgreSQL:

    scripts/benchmark_dashboard.sh [LINES] [--db NAME] [--regenerate]

Builds NAME (default cc_bench_dashboard) with cycle_count_dashboard, then
generates by SQL LINES counted lines (default 2 000 000) over 3 years, 3
warehouses of 4 zones, 50 counters in 5 teams, 10 categories, the A/B/C
classes and the variance reasons; rebuilds the fact tables (``_rebuild_all``,
timed). Then measures, as a supervisor (record rules applied), best of 3:

- each default view of each report as the web client loads it (the graph's
  read_group; the pivot's four read_groups: total, rows, columns, cells; the
  list's first page);
- each figure grouped by each dimension (``read_group``, lazy=False, the
  figure's ratio-of-sums measure);

against the same aggregate as a plain ``SELECT … GROUP BY`` over the same
table, and prints the table with the ratios. The database is kept: a second
run with the same LINES measures again without generating.
"""

import argparse
import subprocess
import time
from datetime import datetime
from pathlib import Path

from benchlib import environment, odoo_command, odoo_setup

ROOT = Path(__file__).resolve().parent.parent
WAREHOUSES = [("Shanghai DC", "BSH"), ("Suzhou DC", "BSZ"), ("Ningbo DC", "BNB")]
ZONES = 4
BINS_PER_ZONE = 25
CATEGORIES = 10
PRODUCTS = 3000
COUNTERS = 50
TEAMS = 5
LINES_PER_TASK = 100
DAYS = 3 * 365

# (model, figure, numerator, denominator, factor, abs): as the model's
# _ratio_aggregates say.
FIGURES = {
    "cycle.count.accuracy.report": [
        "ira",
        "exact_rate",
        "first_pass_accuracy",
        "value_variance_gross",
        "value_variance_net",
    ],
    "cycle.count.plan.report": ["adherence", "coverage"],
    "cycle.count.productivity.report": [
        "lines_per_hour",
        "hours_per_task",
        "recount_rate",
    ],
}
PERIODS = ["day", "week", "month", "quarter"]
DIMENSIONS = {
    "cycle.count.accuracy.report": (
        "date",
        [
            "company_id",
            "warehouse_id",
            "zone_id",
            "categ_id",
            "abc_class_id",
            "team_id",
            "counter_id",
            "reason_id",
            "task_id",
        ],
    ),
    "cycle.count.plan.report": (
        "due_date",
        [
            "company_id",
            "warehouse_id",
            "zone_id",
            "categ_id",
            "abc_class_id",
            "team_id",
            "counter_id",
            "rule_id",
        ],
    ),
    "cycle.count.productivity.report": (
        "date",
        ["company_id", "warehouse_id", "team_id", "counter_id"],
    ),
}
# The default views, as the actions open them (views/…_report_views.xml).
DEFAULT_VIEWS = {
    "cycle.count.accuracy.report": {
        "graph": (["date:month"], ["ira"]),
        "pivot": (
            ["warehouse_id"],
            ["date:month"],
            ["ira", "exact_rate", "line_count"],
        ),
        "list": ("date desc, id desc",),
    },
    "cycle.count.plan.report": {
        "graph": (["due_date:month"], ["adherence"]),
        "pivot": (
            ["warehouse_id"],
            ["due_date:month"],
            ["adherence", "coverage", "planned_count"],
        ),
        "list": ("due_date desc, id desc",),
    },
    "cycle.count.productivity.report": {
        "graph": (["counter_id"], ["lines_per_hour"]),
        "pivot": (
            ["counter_id"],
            ["date:month"],
            ["lines_per_hour", "line_count", "recount_rate"],
        ),
        "list": ("date desc, id desc",),
    },
}


def log(message):
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# ----------------------------------------------------------------------
# generate
# ----------------------------------------------------------------------
def generated_lines(odoo, db):
    exists = subprocess.run(
        [
            "psql",
            "-Atq",
            "-d",
            "postgres",
            "-c",
            f"SELECT 1 FROM pg_database WHERE datname = '{db}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        return None
    with environment(odoo, db) as env:
        return int(
            env["ir.config_parameter"].get_param("cycle_count_dashboard.bench_lines", 0)
        )


def generate(odoo, args):
    """The world once (ORM, committed); the lines again for another LINES."""
    world = generated_lines(odoo, args.db) is not None and not args.regenerate
    if world:
        with environment(odoo, args.db) as env:
            world = bool(env["res.users"].search([("login", "=", "bench_supervisor")]))
    if not world:
        odoo.modules.registry.Registry.delete(args.db)
        odoo.sql_db.close_db(args.db)
        subprocess.run(["dropdb", "--if-exists", "--force", args.db], check=True)
        log(f"Creating {args.db}: cycle_count_dashboard, no demo data")
        odoo_command(
            args,
            "-d",
            args.db,
            "-i",
            "cycle_count_dashboard",
            "--without-demo=all",
            "--stop-after-init",
        )
        with environment(odoo, args.db, commit=True) as env:
            started = time.perf_counter()
            setup_world(env)
            log(f"World: {time.perf_counter() - started:.0f} s")
    with environment(odoo, args.db, commit=True) as env:
        env.cr.execute("DELETE FROM cycle_count_task WHERE name LIKE 'BENCH/%'")
        started = time.perf_counter()
        insert_lines(env, args.lines)
        log(f"{args.lines:,} lines by SQL: {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        env["cycle.count.report.fact"]._rebuild_all()
        args.rebuild_seconds = time.perf_counter() - started
        log(f"Fact tables rebuilt: {args.rebuild_seconds:.0f} s")
        env["ir.config_parameter"].set_param(
            "cycle_count_dashboard.bench_lines", args.lines
        )
        env["ir.config_parameter"].set_param(
            "cycle_count_dashboard.bench_rebuild_seconds", round(args.rebuild_seconds)
        )
    subprocess.run(["psql", "-q", "-d", args.db, "-c", "VACUUM ANALYZE"], check=True)


def setup_world(env):
    company = env.ref("base.main_company")
    warehouses = env["stock.warehouse"].create(
        [
            {"name": name, "code": code, "company_id": company.id}
            for name, code in WAREHOUSES
        ]
    )
    zones = env["stock.location"].create(
        [
            {
                "name": f"Zone {z + 1}",
                "location_id": wh.lot_stock_id.id,
                "usage": "internal",
            }
            for wh in warehouses
            for z in range(ZONES)
        ]
    )
    env["stock.location"].create(
        [
            {
                "name": f"{zone.name}-{b + 1:02d}",
                "location_id": zone.id,
                "usage": "internal",
            }
            for zone in zones
            for b in range(BINS_PER_ZONE)
        ]
    )
    categories = env["product.category"].create(
        [{"name": f"Bench category {c + 1}"} for c in range(CATEGORIES)]
    )
    env["product.product"].create(
        [
            {
                "name": f"Bench product {p + 1:05d}",
                "is_storable": True,
                "categ_id": categories[p % CATEGORIES].id,
                "standard_price": 1 + (p * 37) % 400,
            }
            for p in range(PRODUCTS)
        ]
    )
    counter_group = env.ref("cycle_count_planning.group_cycle_count_counter")
    counters = env["res.users"].create(
        [
            {
                "name": f"Bench counter {u + 1:02d}",
                "login": f"bench_counter_{u + 1:02d}",
                "tz": "Asia/Shanghai",
                "groups_id": [(6, 0, [counter_group.id])],
            }
            for u in range(COUNTERS)
        ]
    )
    env["cycle.count.team"].create(
        [
            {
                "name": f"Bench team {t + 1}",
                "warehouse_id": warehouses[t % len(warehouses)].id,
                "member_ids": [(6, 0, counters[t::TEAMS].ids)],
            }
            for t in range(TEAMS)
        ]
    )
    supervisor_group = env.ref("cycle_count_planning.group_cycle_count_supervisor")
    env["res.users"].create(
        {
            "name": "Bench supervisor",
            "login": "bench_supervisor",
            "groups_id": [(6, 0, [supervisor_group.id])],
        }
    )
    env["cycle.count.rule"].create({"name": "Bench rule", "frequency_days": 30})
    env.flush_all()


def insert_lines(env, lines):
    cr = env.cr
    tasks = max(1, lines // LINES_PER_TASK)
    # Tasks: round-robin over the warehouses and counters, evenly over 3 years;
    # 2 % are recounts; the last days' are counted (not yet done).
    cr.execute(
        """
        CREATE TEMP TABLE bench_wh ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY w.id) - 1 AS n, w.id, w.company_id
          FROM stock_warehouse w WHERE w.code IN ('BSH', 'BSZ', 'BNB');
        CREATE TEMP TABLE bench_user ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY u.id) - 1 AS n, u.id,
               (SELECT m.team_id FROM cycle_count_team_member_rel m
                 WHERE m.user_id = u.id LIMIT 1) AS team_id
          FROM res_users u WHERE u.login LIKE 'bench_counter_%';
        CREATE TEMP TABLE bench_bin ON COMMIT DROP AS
        SELECT w.n AS wh, row_number() OVER (PARTITION BY w.n ORDER BY l.id) - 1 AS n,
               l.id, l.complete_name
          FROM stock_location l
          JOIN stock_location z ON z.id = l.location_id
          JOIN stock_warehouse sw ON sw.lot_stock_id = z.location_id
          JOIN bench_wh w ON w.id = sw.id;
        CREATE TEMP TABLE bench_product ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY p.id) - 1 AS n, p.id
          FROM product_product p JOIN product_template t ON t.id = p.product_tmpl_id
         WHERE t.name->>'en_US' LIKE 'Bench product %';
        """
    )
    cr.execute(
        """
        INSERT INTO cycle_count_task
               (name, company_id, warehouse_id, user_id, team_id, state,
                scheduled_date, is_planned, is_recount, line_count,
                counted_line_count, progress, date_counted, date_done)
        SELECT 'BENCH/' || lpad(i::text, 7, '0'), w.company_id, w.id, u.id,
               u.team_id,
               CASE WHEN i > %(tasks)s - 30 THEN 'counted' ELSE 'done' END,
               CURRENT_DATE - %(days)s + (i::bigint * %(days)s / %(tasks)s)::int,
               TRUE, i %% 50 = 0, %(per)s, %(per)s, 100,
               NOW(), NOW()
          FROM generate_series(1, %(tasks)s) i
          JOIN bench_wh w ON w.n = i %% 3
          JOIN bench_user u ON u.n = i %% %(counters)s
        """,
        {"tasks": tasks, "days": DAYS, "per": LINES_PER_TASK, "counters": COUNTERS},
    )
    cr.execute(
        """
        INSERT INTO cycle_count_line
               (task_id, company_id, warehouse_id, state, location_id, route_key,
                product_id, abc_class_id, due_date, is_counted, counted_qty,
                book_qty, difference_qty, unit_cost, variance_value,
                has_difference, reason_id, counter_id, team_id, counted_at,
                is_found, is_superseded)
        SELECT t.id, t.company_id, t.warehouse_id, t.state, b.id, b.complete_name,
               p.id, 1 + (p.n %% 3), t.scheduled_date + (g %% 3),
               TRUE, x.book + x.diff, x.book, x.diff, x.cost, x.diff * x.cost,
               x.diff <> 0,
               CASE WHEN x.diff <> 0 THEN 1 + (t.id + g) %% 8 END,
               t.user_id, t.team_id,
               t.scheduled_date + interval '1 hour' + g * interval '40 seconds',
               FALSE, g = 1 AND t.id %% 100 = 0
          FROM cycle_count_task t
          JOIN bench_wh w ON w.id = t.warehouse_id
          CROSS JOIN generate_series(1, %(per)s) g
          JOIN bench_bin b ON b.wh = w.n
               AND b.n = (t.id * 7 + g) %% %(bins)s
          JOIN bench_product p ON p.n = (t.id * 31 + g * 17) %% %(products)s
          CROSS JOIN LATERAL (
              SELECT 4 + (t.id + g) %% 40 AS book,
                     1 + p.n %% 400 AS cost,
                     CASE WHEN ((t.id * 13 + g * 7) %% 100) < 4 + w.n * 3
                          THEN ((t.id + g) %% 7) - 3 ELSE 0 END AS diff
          ) x
         WHERE t.name LIKE 'BENCH/%%'
        """,
        {"per": LINES_PER_TASK, "bins": ZONES * BINS_PER_ZONE, "products": PRODUCTS},
    )
    cr.execute(
        """
        INSERT INTO cycle_count_line_rule_rel (line_id, rule_id)
        SELECT l.id, r.id FROM cycle_count_line l
          JOIN cycle_count_rule r ON r.name->>'en_US' = 'Bench rule'
         WHERE l.id % 10 < 7
        """
    )
    env.invalidate_all()


# ----------------------------------------------------------------------
# measure
# ----------------------------------------------------------------------
def best_of(function, runs=3):
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def plain_group_by(env, model, groupby, measures):
    """The same aggregate as a plain GROUP BY: the numerator and denominator
    sums of each measure, grouped by the same columns."""
    table = model._table
    keys = []
    for spec in groupby:
        name, _, interval = spec.partition(":")
        keys.append(f"date_trunc('{interval}', {name})" if interval else name)
    sums = []
    for measure in measures:
        ratio = model._ratio_aggregates.get(measure)
        if ratio:
            sums += [f"SUM({ratio[0]})", f"SUM({ratio[1]})"]
        else:
            sums.append(f"SUM({measure})")
    select = ", ".join(keys + sums)
    group = (
        f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    )
    sql = f"SELECT {select} FROM {table}{group}"

    def run():
        env.cr.execute(sql)
        env.cr.fetchall()

    return run


def orm_read_group(model, groupby, measures):
    fields = [
        f"{measure}:{model._fields[measure].aggregator or 'sum'}"
        for measure in measures
    ]

    def run():
        model.read_group([], fields, groupby, lazy=False)
        model.env.invalidate_all()

    return run


def measure(odoo, args):
    rows = []
    with environment(odoo, args.db) as env:
        supervisor = env["res.users"].search([("login", "=", "bench_supervisor")])
        user_env = env(user=supervisor)
        counts = {}
        for model_name in FIGURES:
            env.cr.execute(f"SELECT COUNT(*) FROM {env[model_name]._table}")
            counts[model_name] = env.cr.fetchone()[0]
        for model_name, views in DEFAULT_VIEWS.items():
            model = user_env[model_name]
            for kind, spec in views.items():
                if kind == "graph":
                    groupby, measures = spec
                    orm = orm_read_group(model, groupby, measures)
                    plain = plain_group_by(env, model, groupby, measures)
                elif kind == "pivot":
                    rows_, cols, measures = spec
                    combos = [[], rows_, cols, rows_ + cols]
                    orms = [orm_read_group(model, c, measures) for c in combos]
                    plains = [plain_group_by(env, model, c, measures) for c in combos]

                    def orm(orms=orms):
                        for function in orms:
                            function()

                    def plain(plains=plains):
                        for function in plains:
                            function()

                    groupby = rows_ + cols
                else:
                    (order,) = spec
                    fields = [
                        name
                        for name, field in model._fields.items()
                        if field.store and name != "id"
                    ]

                    def orm(model=model, order=order, fields=fields):
                        model.search_read([], fields, limit=80, order=order)
                        model.search_count([])
                        model.env.invalidate_all()

                    def plain(model=model, order=order):
                        env.cr.execute(
                            f"SELECT * FROM {model._table} ORDER BY {order} LIMIT 80"
                        )
                        env.cr.fetchall()
                        env.cr.execute(f"SELECT COUNT(*) FROM {model._table}")
                        env.cr.fetchall()

                    groupby = [order]
                rows.append(
                    (
                        model_name,
                        f"default {kind}",
                        ", ".join(groupby),
                        best_of(orm),
                        best_of(plain),
                    )
                )
                log(
                    f"{model_name} default {kind}: {rows[-1][3]:.3f} s / {rows[-1][4]:.3f} s"
                )
        for model_name, figures in FIGURES.items():
            model = user_env[model_name]
            date_field, dimensions = DIMENSIONS[model_name]
            groupbys = dimensions + [f"{date_field}:{period}" for period in PERIODS]
            for figure in figures:
                for groupby in groupbys:
                    orm = best_of(orm_read_group(model, [groupby], [figure]))
                    plain = best_of(plain_group_by(env, model, [groupby], [figure]))
                    rows.append((model_name, figure, groupby, orm, plain))
                log(f"{model_name} {figure}: {len(groupbys)} dimensions measured")
    return rows, counts


def print_table(rows, counts, args):
    out = []
    out.append(
        f"Dashboard benchmark: {args.lines:,} counted lines "
        f"({', '.join(f'{m}: {c:,} rows' for m, c in counts.items())}); "
        f"fact tables rebuilt in {args.rebuild_seconds:.0f} s"
    )
    out.append("")
    out.append(
        "| report | view / figure | grouped by | ORM read_group (s) | plain GROUP BY (s) | ratio |"
    )
    out.append("|---|---|---|---:|---:|---:|")
    worst_time, worst_ratio = 0.0, 0.0
    for model_name, what, groupby, orm, plain in rows:
        ratio = orm / plain if plain else 0.0
        worst_time, worst_ratio = max(worst_time, orm), max(worst_ratio, ratio)
        short = model_name.replace("cycle.count.", "").replace(".report", "")
        out.append(
            f"| {short} | {what} | {groupby} | {orm:.3f} | {plain:.3f} | {ratio:.2f} |"
        )
    out.append("")
    out.append(f"Slowest: {worst_time:.3f} s; highest ratio: {worst_ratio:.2f}×")
    text = "\n".join(out)
    print(text)
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    (var / "benchmark_dashboard.md").write_text(text + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lines", nargs="?", type=int, default=2_000_000)
    parser.add_argument("--db", default="cc_bench_dashboard")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--addons-path", required=True)
    for option in ("db_host", "db_port", "db_user", "db_password"):
        parser.add_argument(f"--{option}")
    args = parser.parse_args()
    odoo = odoo_setup(args)
    args.rebuild_seconds = 0.0
    if args.regenerate or generated_lines(odoo, args.db) != args.lines:
        generate(odoo, args)
        odoo.modules.registry.Registry.delete_all()
    else:
        with environment(odoo, args.db) as env:
            args.rebuild_seconds = float(
                env["ir.config_parameter"].get_param(
                    "cycle_count_dashboard.bench_rebuild_seconds", 0
                )
            )
        log(f"{args.db} has {args.lines:,} lines already: measuring")
    rows, counts = measure(odoo, args)
    print_table(rows, counts, args)


if __name__ == "__main__":
    main()
