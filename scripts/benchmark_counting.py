"""Count submission through the counting API, against Odoo's JSON-RPC way.

    scripts/benchmark_counting.sh [--db NAME] [--quants 200000] [--counts 10000] [--batch 100]

1. ``generate``: a database with the five addons (no demo data) and a large
   stock: ``--quants`` quants spread over bins and products (one done move line
   each, their history), written in SQL because creating 200 000 quants through
   the ORM would take an hour on two cores. Generated once, kept for later runs.
2. ``run``: starts Odoo's HTTP server on that database and, in the same run:
   - posts ``--counts`` counts to ``POST /cycle_count/api/v1/tasks/<id>/counts``
     in batches of ``--batch`` (API key, client ids, counted_at, as the app does);
   - applies the same counts the way an integrator does today: Odoo's external
     JSON-RPC API writing ``inventory_quantity`` on ``stock.quant`` in inventory
     mode, one ``write`` per counted quant (each count has its own quantity);
   and prints lines per second for both, their ratio, and the time of a batch
   at the median and the 95th percentile: the server's own time (its
   Server-Timing header) and the HTTP round trip on localhost.

Runs with the Python of the ``odoo`` command (scripts/benchmark_counting.sh finds it).
"""

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta

import requests
from benchlib import ensure_database, log
from benchlib import registry as registry_of

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import SQL

PRODUCTS_PER_1000_QUANTS = 100  # 200 000 quants: 20 000 products
BINS_PER_1000_QUANTS = 5  # 200 000 quants: 1 000 bins
WARM_WRITES = 20
BENCH_LOGIN = "bench_counter"
STOCK_LOGIN = "bench_stock_user"


# ----------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------
def generate(args):
    ensure_database(args.db, args.addons_path)
    registry = registry_of(args.db, args.addons_path)

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        existing = env["stock.quant"].search_count([])
        if existing >= args.quants:
            log(f"{args.db} already holds {existing} quants.")
        else:
            n_products = max(1, args.quants * PRODUCTS_PER_1000_QUANTS // 1000)
            n_bins = max(1, args.quants * BINS_PER_1000_QUANTS // 1000)
            started = time.time()
            warehouse = env["stock.warehouse"].search([], limit=1)
            parent = env["stock.location"].create(
                {"name": "BENCH", "location_id": warehouse.lot_stock_id.id}
            )
            bins = env["stock.location"].create(
                [
                    {
                        "name": f"B{i:05d}",
                        "location_id": parent.id,
                        "barcode": f"BENCH-{i:05d}",
                    }
                    for i in range(n_bins)
                ]
            )
            log(f"{n_bins} bins in {time.time() - started:.0f} s")
            products = env["product.product"]
            for start in range(0, n_products, 2000):
                products |= env["product.product"].create(
                    [
                        {
                            "name": f"Bench item {i:06d}",
                            "default_code": f"BENCH-{i:06d}",
                            "barcode": f"29{i:010d}",
                            "is_storable": True,
                            "standard_price": 1 + i % 50,
                        }
                        for i in range(start, min(start + 2000, n_products))
                    ]
                )
            env.flush_all()
            log(f"{n_products} products in {time.time() - started:.0f} s")
            # Each product in quants / products distinct bins.
            per_product = args.quants // n_products
            rng = random.Random(42)
            rows = []
            for product in products.ids:
                for b in rng.sample(bins.ids, per_product):
                    rows.append((product, b, rng.randint(1, 500)))
            uom = env.ref("uom.product_uom_unit").id
            supplier = env.ref("stock.stock_location_suppliers").id
            company = warehouse.company_id.id
            when = datetime.now() - timedelta(days=30)
            for start in range(0, len(rows), 20000):
                chunk = rows[start : start + 20000]
                values = SQL(", ").join(
                    SQL("(%s, %s, %s)", product, location, qty)
                    for product, location, qty in chunk
                )
                cr.execute(
                    SQL(
                        """
                        WITH data(product_id, location_id, qty) AS (VALUES %(values)s),
                        quants AS (
                            INSERT INTO stock_quant (product_id, location_id, company_id,
                                   quantity, reserved_quantity, in_date, create_date,
                                   write_date, create_uid, write_uid)
                            SELECT product_id, location_id, %(company)s, qty, 0,
                                   %(when)s, %(when)s, %(when)s, 1, 1
                              FROM data
                        )
                        INSERT INTO stock_move_line (product_id, location_id,
                               location_dest_id, company_id, product_uom_id, quantity,
                               quantity_product_uom, state, date, reference, picked,
                               create_date, write_date, create_uid, write_uid)
                        SELECT product_id, %(supplier)s, location_id, %(company)s,
                               %(uom)s, qty, qty, 'done', %(when)s, 'BENCH/IN', true,
                               %(when)s, %(when)s, 1, 1
                          FROM data
                        """,
                        values=values,
                        company=company,
                        when=when,
                        supplier=supplier,
                        uom=uom,
                    )
                )
            cr.execute("ANALYZE stock_quant; ANALYZE stock_move_line;")
            log(f"{len(rows)} quants in {time.time() - started:.0f} s")
        # The users of the benchmark: a counter (API) and a stock user (JSON-RPC).
        users = env["res.users"].search([("login", "in", [BENCH_LOGIN, STOCK_LOGIN])])
        if len(users) < 2:
            env["res.users"].create(
                [
                    {
                        "name": "Bench Counter",
                        "login": BENCH_LOGIN,
                        "groups_id": [
                            Command.set(
                                [
                                    env.ref(
                                        "cycle_count_planning.group_cycle_count_counter"
                                    ).id
                                ]
                            )
                        ],
                    },
                    {
                        "name": "Bench Stock User",
                        "login": STOCK_LOGIN,
                        "groups_id": [
                            Command.set([env.ref("stock.group_stock_user").id])
                        ],
                    },
                ]
            )
        cr.commit()
    log("Data ready.")


def prepare_run(args):
    """Tasks of ``batch`` lines over distinct quants, API keys; returns what the
    clients need."""
    registry = registry_of(args.db, args.addons_path)

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        counter = env["res.users"].search([("login", "=", BENCH_LOGIN)])
        stock_user = env["res.users"].search([("login", "=", STOCK_LOGIN)])
        warehouse = env["stock.warehouse"].search([], limit=1)
        needed = 2 * args.counts + args.batch + WARM_WRITES
        # Quants not held by an open task and never counted: each run counts
        # fresh items, as a day of counting would.
        cr.execute(
            """
            SELECT q.id, q.product_id, q.location_id
              FROM stock_quant q
              JOIN stock_location l ON l.id = q.location_id
             WHERE l.complete_name LIKE %s AND q.inventory_quantity_set IS NOT TRUE
               AND NOT EXISTS (SELECT 1 FROM cycle_count_line cl
                                WHERE cl.product_id = q.product_id
                                  AND cl.location_id = q.location_id)
             ORDER BY q.id
             LIMIT %s
            """,
            [f"{warehouse.lot_stock_id.complete_name}/BENCH/%", needed],
        )
        rows = cr.fetchall()
        if len(rows) < needed:
            sys.exit(
                f"Only {len(rows)} uncounted quants left; generate more (--quants)."
            )
        # One batch and WARM_WRITES writes more than measured: the warm-up.
        api_rows = rows[: args.counts + args.batch]
        rpc_rows = rows[args.counts + args.batch :]
        tasks = []
        task_model = env["cycle.count.task"]
        for start in range(0, len(api_rows), args.batch):
            chunk = api_rows[start : start + args.batch]
            task = task_model.create(
                {"warehouse_id": warehouse.id, "user_id": counter.id}
            )
            lines = env["cycle.count.line"].create(
                [
                    {"task_id": task.id, "product_id": product, "location_id": location}
                    for _quant, product, location in chunk
                ]
            )
            tasks.append((task.id, lines.ids))
        # Statistics for the new lines, as a live database has them: without,
        # the first run after generating plans its queries blind.
        cr.execute("ANALYZE cycle_count_task; ANALYZE cycle_count_line;")
        expiry = datetime.now() + timedelta(days=1)
        api_key = (
            env["res.users.apikeys"]
            .with_user(counter)
            ._generate(None, "benchmark", expiry)
        )
        rpc_key = (
            env["res.users.apikeys"]
            .with_user(stock_user)
            ._generate(None, "benchmark", expiry)
        )
        cr.commit()
        return {
            "tasks": tasks,
            "rpc_quants": [quant for quant, _p, _l in rpc_rows],
            "api_key": api_key,
            "rpc_uid": stock_user.id,
            "rpc_key": rpc_key,
        }


# ----------------------------------------------------------------------
# Server and clients
# ----------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, port):
    command = [
        "odoo",
        "-d",
        args.db,
        f"--addons-path={args.addons_path}",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        f"--workers={args.workers}",
        "--max-cron-threads=0",
        "--log-level=warn",
        f"--db-filter=^{args.db}$",
        "--limit-time-real=600",
        "--limit-time-cpu=600",
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(url + "/web/health", timeout=5).status_code == 200:
                    return server, url
            except requests.RequestException:
                pass
            time.sleep(0.5)
    except BaseException:
        server.kill()
        raise
    server.kill()
    sys.exit("The Odoo server did not start: " + server.stderr.read().decode()[-2000:])


def server_timing(response):
    """The server's own time for a request, in seconds (Server-Timing: app)."""
    header = response.headers.get("Server-Timing", "")
    for part in header.split(","):
        name, _sep, params = part.strip().partition(";")
        if name == "app" and params.startswith("dur="):
            return float(params[4:]) / 1000
    sys.exit("The counting API sent no Server-Timing header")


def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run_api(url, data, session):
    rng = random.Random(7)
    headers = {
        "Authorization": f"Bearer {data['api_key']}",
        "Content-Type": "application/json",
    }
    times = []
    server_times = []
    started = time.perf_counter()
    counted = 0
    for task_id, line_ids in data["tasks"]:
        moment = datetime.now().astimezone().isoformat(timespec="seconds")
        body = json.dumps(
            {
                "counts": [
                    {
                        "client_id": str(uuid.uuid4()),
                        "line_id": line_id,
                        "quantity": rng.randint(0, 500),
                        "counted_at": moment,
                    }
                    for line_id in line_ids
                ]
            }
        )
        t0 = time.perf_counter()
        response = session.post(
            f"{url}/cycle_count/api/v1/tasks/{task_id}/counts",
            data=body,
            headers=headers,
            timeout=120,
        )
        times.append(time.perf_counter() - t0)
        if response.status_code != 200:
            sys.exit(f"API batch refused: {response.status_code} {response.text[:500]}")
        server_times.append(server_timing(response))
        counted += response.json()["accepted"]
    return counted, time.perf_counter() - started, times, server_times


def run_jsonrpc(url, data, session):
    rng = random.Random(7)
    times = []
    started = time.perf_counter()
    for index, quant_id in enumerate(data["rpc_quants"]):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": index,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    data["db"],
                    data["rpc_uid"],
                    data["rpc_key"],
                    "stock.quant",
                    "write",
                    [[quant_id], {"inventory_quantity": rng.randint(0, 500)}],
                    {"context": {"inventory_mode": True}},
                ],
            },
        }
        t0 = time.perf_counter()
        response = session.post(f"{url}/jsonrpc", json=payload, timeout=60)
        times.append(time.perf_counter() - t0)
        if "error" in response.json():
            sys.exit(f"JSON-RPC write failed: {response.json()['error']}")
    return len(data["rpc_quants"]), time.perf_counter() - started, times


def run(args):
    data = prepare_run(args)
    data["db"] = args.db
    port = free_port()
    server, url = start_server(args, port)
    try:
        session = requests.Session()
        # Warm up both paths (registry, caches): not measured.
        warm = {
            **data,
            "tasks": data["tasks"][:1],
            "rpc_quants": data["rpc_quants"][:WARM_WRITES],
        }
        run_api(url, warm, session)
        run_jsonrpc(url, warm, session)
        measured = {
            **data,
            "tasks": data["tasks"][1:],
            "rpc_quants": data["rpc_quants"][WARM_WRITES:],
        }
        log(f"API: {len(measured['tasks'])} batches of {args.batch}…")
        api_count, api_seconds, api_times, server_times = run_api(
            url, measured, session
        )
        log(f"JSON-RPC: {len(measured['rpc_quants'])} writes…")
        rpc_count, rpc_seconds, rpc_times = run_jsonrpc(url, measured, session)
    finally:
        server.terminate()
        server.wait(timeout=30)
    api_rate = api_count / api_seconds
    rpc_rate = rpc_count / rpc_seconds
    with registry_of(args.db, args.addons_path).cursor() as cr:
        cr.execute("SELECT count(*) FROM stock_quant")
        quants = cr.fetchone()[0]
    result = {
        "database": args.db,
        "quants": quants,
        "cpus": os.cpu_count(),
        "workers": args.workers,
        "api": {
            "counts": api_count,
            "batch": args.batch,
            "seconds": round(api_seconds, 2),
            "lines_per_second": round(api_rate, 1),
            "batch_ms_p50": round(statistics.median(api_times) * 1000, 1),
            "batch_ms_p95": round(percentile(api_times, 0.95) * 1000, 1),
            "server_ms_p50": round(statistics.median(server_times) * 1000, 1),
            "server_ms_p95": round(percentile(server_times, 0.95) * 1000, 1),
        },
        "jsonrpc": {
            "writes": rpc_count,
            "seconds": round(rpc_seconds, 2),
            "lines_per_second": round(rpc_rate, 1),
            "write_ms_p50": round(statistics.median(rpc_times) * 1000, 1),
        },
        "ratio": round(api_rate / rpc_rate, 1),
    }
    print(
        f"""
Counting API vs JSON-RPC on {args.db}: {quants} quants, {os.cpu_count()} CPUs, Odoo --workers={args.workers}
  API      {api_count} counts in batches of {args.batch}: {api_seconds:.1f} s, {api_rate:.0f} lines/s
           server time per batch of {args.batch}: p50 {result["api"]["server_ms_p50"]} ms, p95 {result["api"]["server_ms_p95"]} ms (Server-Timing)
           round trip per batch:      p50 {result["api"]["batch_ms_p50"]} ms, p95 {result["api"]["batch_ms_p95"]} ms (HTTP on localhost)
  JSON-RPC {rpc_count} stock.quant writes (inventory_quantity, inventory mode): {rpc_seconds:.1f} s, {rpc_rate:.0f} lines/s, p50 {result["jsonrpc"]["write_ms_p50"]} ms a write
  ratio    {result["ratio"]}× (target: 5×; batch p95 target: 500 ms)
"""
    )
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["generate", "run", "all"])
    parser.add_argument("--db", default="cc_bench")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--quants", type=int, default=200000)
    parser.add_argument("--counts", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument(
        "--workers", type=int, default=0, help="Odoo --workers (0: threaded)"
    )
    args = parser.parse_args()
    if args.command in ("generate", "all"):
        generate(args)
    if args.command in ("run", "all"):
        run(args)


if __name__ == "__main__":
    main()
