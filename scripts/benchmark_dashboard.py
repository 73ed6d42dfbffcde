"""Benchmark of the dashboard's reports (cycle_count_dashboard) against a plain
GROUP BY over the same rows, in the same run.

Run it through scripts/benchmark_dashboard.sh, which finds Odoo's Python and
PostgreSQL:

    scripts/benchmark_dashboard.sh [LINES] [--db NAME] [--regenerate]

Builds NAME (default cc_bench_dashboard) with cycle_count_dashboard, then
generates by SQL LINES counted lines (default 2 000 000) over 3 years, 3
warehouses of 4 zones, 50 counters in 5 teams, 10 categories, the A/B/C
classes and the variance reasons; rebuilds the fact tables (``_rebuild_all``,
timed; the daily summaries with them). Then measures, as a supervisor
(record rules applied), best of 3 (``--runs``), interleaved with its baseline:

- each default view of each report as the web client loads it, on its
  default filter (the last 12 months): the graph's read_group; the pivot's
  four read_groups (total, rows, columns, cells); the list's first page;
- each figure grouped by each dimension (``read_group``, lazy=False, the
  figure's ratio-of-sums measure);

against the same aggregate as a plain ``SELECT … GROUP BY`` over the fact
rows, and prints the table with the ratios, the table each read_group was
answered from (a summary ``sumN`` or the facts) and the load average. The database is kept: a second
run with the same LINES measures again without generating.
"""

import argparse
import os
import subprocess
import time
from datetime import datetime
from pathlib import Path

from benchlib import environment, odoo_command, odoo_setup
from dateutil.relativedelta import relativedelta

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
# The default views, as the actions open them (views/…_report_views.xml):
# {model: (pivot rows and graph groupby, graph measure, pivot measures)}; the
# pivot's columns are the months of the model's date, the list is in the
# model's order, and all open on the last 12 months (search_default).
DEFAULT_VIEWS = {
    "cycle.count.accuracy.report": (
        "warehouse_id",
        "date:month",
        ["ira"],
        ["ira", "exact_rate", "line_count"],
    ),
    "cycle.count.plan.report": (
        "warehouse_id",
        "due_date:month",
        ["adherence"],
        ["adherence", "coverage", "planned_count"],
    ),
    "cycle.count.productivity.report": (
        "counter_id",
        "counter_id",
        ["lines_per_hour"],
        ["lines_per_hour", "line_count", "recount_rate"],
    ),
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
    # 2 % are recounts; all done (an open count of an item is one at a time:
    # the generated lines repeat items).
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
               'done',
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
RUNS = [3]


def best_of(orm, plain):
    """Best of ``--runs`` of each, interleaved (the machine's load weighs on
    both alike)."""
    best = [None, None]
    for _ in range(RUNS[0]):
        for index, function in enumerate((orm, plain)):
            started = time.perf_counter()
            function()
            elapsed = time.perf_counter() - started
            best[index] = elapsed if best[index] is None else min(best[index], elapsed)
    return best


def plain_group_by(env, model, groupby, measures, since=None):
    """The same aggregate as a plain GROUP BY over the fact rows: the
    numerator and denominator sums of each measure, grouped by the same
    columns, on the same days."""
    keys = []
    for spec in groupby:
        name, _, interval = spec.partition(":")
        keys.append(f"date_trunc('{interval}', {name})" if interval else name)
    sums = ["COUNT(*)"]
    for measure in measures:
        ratio = model._ratio_aggregates.get(measure)
        sums += (
            [f"SUM({ratio[0]})", f"SUM({ratio[1]})"] if ratio else [f"SUM({measure})"]
        )
    where = f" WHERE {model._summary_date} >= '{since}'" if since else ""
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    sql = f"SELECT {', '.join(keys + sums)} FROM {model._table}{where}{group}"

    def run():
        env.cr.execute(sql)
        env.cr.fetchall()

    return run


def orm_read_group(model, groupby, measures, domain=()):
    """``read_group`` as the web client calls it (its default order)."""
    fields = [
        f"{measure}:{model._fields[measure].aggregator or 'sum'}"
        for measure in measures
    ]

    def run():
        model.read_group(list(domain), fields, groupby, lazy=False)
        model.env.invalidate_all()

    return run


def answered_by(model, groupby, measures, domain=()):
    """The table a read_group reads: a summary's suffix, or the facts."""
    aggregates = ["__count"] + [
        f"{measure}:{model._fields[measure].aggregator or 'sum'}"
        for measure in measures
    ]
    table = model._summary_for(list(domain), groupby, aggregates, (), None)
    return table.rsplit("_", 1)[1] if table else "facts"


def view_specs(model):
    """(kind, groupbys of each read_group, measures) of the default views."""
    rows, graph_groupby, graph_measures, pivot_measures = DEFAULT_VIEWS[model._name]
    columns = f"{model._summary_date}:month"
    pivot = [[], [rows], [columns], [rows, columns]]
    return [
        ("graph", [[graph_groupby]], graph_measures),
        ("pivot", pivot, pivot_measures),
        ("list", None, None),
    ]


def measure(odoo, args):
    rows = []
    with environment(odoo, args.db) as env:
        supervisor = env["res.users"].search([("login", "=", "bench_supervisor")])
        user_env = env(user=supervisor)
        counts = {}
        for model_name in FIGURES:
            env.cr.execute(f"SELECT COUNT(*) FROM {env[model_name]._table}")
            counts[model_name] = env.cr.fetchone()[0]
        since = (datetime.now() - relativedelta(months=11)).strftime("%Y-%m-01")
        for model_name in DEFAULT_VIEWS:
            model = user_env[model_name]
            domain = [(model._summary_date, ">=", since)]
            for kind, groupbys, measures in view_specs(model):
                if kind == "list":
                    fields = [
                        name
                        for name, field in model._fields.items()
                        if field.store and name != "id"
                    ]

                    def orm(model=model, fields=fields, domain=domain):
                        model.search_read(domain, fields, limit=80)
                        model.search_count(domain)
                        model.env.invalidate_all()

                    def plain(model=model, domain=domain):
                        where = f"WHERE {model._summary_date} >= '{since}'"
                        env.cr.execute(
                            f"SELECT * FROM {model._table} {where}"
                            f" ORDER BY {model._order} LIMIT 80"
                        )
                        env.cr.fetchall()
                        env.cr.execute(f"SELECT COUNT(*) FROM {model._table} {where}")
                        env.cr.fetchall()

                    groupby, table = model._order, "facts"
                else:
                    orms = [
                        orm_read_group(model, g, measures, domain) for g in groupbys
                    ]
                    plains = [
                        plain_group_by(env, model, g, measures, since) for g in groupbys
                    ]

                    def orm(orms=orms):
                        for function in orms:
                            function()

                    def plain(plains=plains):
                        for function in plains:
                            function()

                    groupby = ", ".join(groupbys[-1])
                    table = "/".join(
                        sorted(
                            {answered_by(model, g, measures, domain) for g in groupbys}
                        )
                    )
                rows.append(
                    (
                        model_name,
                        f"default {kind}",
                        groupby,
                        table,
                        *best_of(orm, plain),
                    )
                )
                log(
                    f"{model_name} default {kind}: {rows[-1][4]:.3f} s / {rows[-1][5]:.3f} s"
                )
        for model_name, figures in FIGURES.items():
            if args.views_only:
                break
            model = user_env[model_name]
            date_field, dimensions = DIMENSIONS[model_name]
            groupbys = dimensions + [f"{date_field}:{period}" for period in PERIODS]
            for figure in figures:
                for groupby in groupbys:
                    orm = orm_read_group(model, [groupby], [figure])
                    plain = plain_group_by(env, model, [groupby], [figure])
                    table = answered_by(model, [groupby], [figure])
                    rows.append(
                        (model_name, figure, groupby, table, *best_of(orm, plain))
                    )
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
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    out.append(
        f"Load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores"
    )
    out.append("")
    out.append(
        "| report | view / figure | grouped by | read from | ORM read_group (s) "
        "| plain GROUP BY over the facts (s) | ratio |"
    )
    out.append("|---|---|---|---|---:|---:|---:|")
    worst_time, worst_ratio = 0.0, 0.0
    for model_name, what, groupby, table, orm, plain in rows:
        ratio = orm / plain if plain else 0.0
        worst_time, worst_ratio = max(worst_time, orm), max(worst_ratio, ratio)
        short = model_name.replace("cycle.count.", "").replace(".report", "")
        out.append(
            f"| {short} | {what} | {groupby} | {table} | {orm:.3f} | {plain:.3f} "
            f"| {ratio:.2f} |"
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
    parser.add_argument(
        "--views-only", action="store_true", help="the default views, not the figures"
    )
    parser.add_argument("--runs", type=int, default=3, help="best of RUNS (default 3)")
    parser.add_argument("--addons-path", required=True)
    for option in ("db_host", "db_port", "db_user", "db_password"):
        parser.add_argument(f"--{option}")
    args = parser.parse_args()
    odoo = odoo_setup(args)
    RUNS[0] = args.runs
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
