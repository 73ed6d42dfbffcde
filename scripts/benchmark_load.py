"""Devices counting at once through the counting API, against Odoo's
multi-process server.

    scripts/benchmark_load.sh [--db cc_load] [--workers 1,2,4] [--devices 1,4,16]
                              [--counts 500] [--batch 100] [--shared 8]

For each number of worker processes (``odoo --workers=N``) and each number of
devices, every device is a counter of its own with an API key and a task of its
own of ``--counts`` lines; all devices send their counts at the same moment in
batches of ``--batch`` (client ids, ``counted_at``, as the app does; a
``conflict`` answer is sent again, as the app does). Then ``--shared`` devices
count one task together (each its own lines of it) on the largest number of
workers. Printed per run: throughput (counts per second, wall clock), the round
trip of a batch at the median and the 95th percentile, the server's retries of
a serialization failure (its log: "try again"), the 5xx answers, and the check
in the database after the run: every count recorded exactly once (one sync
record per client id, every line counted with the quantity sent), none lost.

Runs with the Python of the ``odoo`` command (scripts/benchmark_load.sh finds it).
A benchmark, not a test: the figures go to README.md (Benchmarks).
"""

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from benchlib import ensure_database, log, registry

from odoo import SUPERUSER_ID, Command, api

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
RETRY = "try again in"


def prepare(args, devices, shared=False):
    """Counters with API keys and their tasks. Returns one dict per device:
    ``{"key", "task_id", "line_ids"}``; with ``shared``, every device has the
    same task and its own slice of its lines."""
    with registry(args.db, args.addons_path).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        tag = uuid.uuid4().hex[:6]
        warehouse = env["stock.warehouse"].search([], limit=1)
        counter_group = env.ref("cycle_count_planning.group_cycle_count_counter")
        counters = env["res.users"].create(
            [
                {
                    "name": f"Load device {tag}-{d}",
                    "login": f"load_{tag}_{d}",
                    "groups_id": [
                        Command.set([env.ref("base.group_user").id, counter_group.id])
                    ],
                }
                for d in range(1 if shared else devices)
            ]
        )
        products = env["product.product"].search(
            [("default_code", "=like", "LOAD-%")], order="id"
        )
        per_task = args.counts * (devices if shared else 1)
        if len(products) < per_task:
            products |= env["product.product"].create(
                [
                    {
                        "name": f"Load item {i:05d}",
                        "default_code": f"LOAD-{i:05d}",
                        "is_storable": True,
                        "standard_price": 1 + i % 20,
                    }
                    for i in range(len(products), per_task)
                ]
            )
        products = products[:per_task]
        location = env["stock.location"].create(
            {"name": f"LOAD-{tag}", "location_id": warehouse.lot_stock_id.id}
        )
        bins = env["stock.location"].create(
            [
                {"name": f"D{d:02d}", "location_id": location.id}
                for d in range(1 if shared else devices)
            ]
        )
        expiry = datetime.now() + timedelta(days=1)
        # A task has one counter: on a shared task, the devices are that
        # counter's, each with its own API key.
        keys = [
            env["res.users.apikeys"]
            .with_user(counters[0 if shared else d])
            ._generate(None, f"load device {d}", expiry)
            for d in range(devices)
        ]
        tasks = env["cycle.count.task"].create(
            [
                {
                    "warehouse_id": warehouse.id,
                    "user_id": counters[0 if shared else d].id,
                }
                for d in range(len(bins))
            ]
        )
        lines = env["cycle.count.line"].create(
            [
                {"task_id": task.id, "location_id": bin_.id, "product_id": product.id}
                for task, bin_ in zip(tasks, bins, strict=True)
                for product in products
            ]
        )
        cr.execute("ANALYZE cycle_count_task; ANALYZE cycle_count_line;")
        cr.commit()
        by_task = {task.id: [] for task in tasks}
        for line in lines:
            by_task[line.task_id.id].append(line.id)
        if shared:
            line_ids = by_task[tasks.id]
            return [
                {
                    "key": keys[d],
                    "task_id": tasks.id,
                    "line_ids": line_ids[d * args.counts : (d + 1) * args.counts],
                }
                for d in range(devices)
            ]
        return [
            {"key": keys[d], "task_id": task.id, "line_ids": by_task[task.id]}
            for d, task in enumerate(tasks)
        ]


def start_server(args, workers, port, logfile):
    command = [
        "odoo",
        "-d",
        args.db,
        f"--addons-path={args.addons_path}",
        f"--http-port={port}",
        f"--gevent-port={port + 100}",
        f"--workers={workers}",
        "--max-cron-threads=0",
        "--log-level=info",
        f"--logfile={logfile}",
        f"--db-filter=^{args.db}$",
        "--limit-time-real=600",
        "--limit-time-cpu=600",
        # Every device keeps a connection: room for 16 and more at once.
        "--db_maxconn=64",
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if requests.get(url + "/web/health", timeout=5).status_code == 200:
                return server, url
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.kill()
    sys.exit("The Odoo server did not start: " + server.stderr.read().decode()[-2000:])


def stop_server(server):
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def quantity(line_id):
    return line_id % 7 + 1


def device(url, plan, batch, start, results):
    """One device: its counts in batches, one after the other, as the app sends
    them; a 409 conflict is sent again."""
    session = requests.Session()
    headers = {
        "Authorization": f"Bearer {plan['key']}",
        "Content-Type": "application/json",
    }
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    counts = [
        {
            "client_id": str(uuid.uuid4()),
            "line_id": line_id,
            "quantity": quantity(line_id),
            "counted_at": now,
        }
        for line_id in plan["line_ids"]
    ]
    plan["client_ids"] = [count["client_id"] for count in counts]
    start.wait()
    for offset in range(0, len(counts), batch):
        body = json.dumps({"counts": counts[offset : offset + batch]})
        while True:
            sent = time.perf_counter()
            try:
                response = session.post(
                    f"{url}/cycle_count/api/v1/tasks/{plan['task_id']}/counts",
                    data=body,
                    headers=headers,
                    timeout=(10, 600),
                )
            except requests.ConnectionError:
                # No connection (the server's queue of waiting connections is
                # full): the app sends again later; the client ids keep it
                # exactly once.
                results["network_retries"] += 1
                time.sleep(1)
                continue
            results["times"].append(time.perf_counter() - sent)
            results["statuses"].append(response.status_code)
            if response.status_code != 409:
                break
            results["resent"] += 1


def check_database(args, plans):
    """Every count sent is recorded exactly once: one sync record per client
    id, applied, and its line holds the quantity sent."""
    client_ids = [cid for plan in plans for cid in plan["client_ids"]]
    line_ids = [line for plan in plans for line in plan["line_ids"]]
    with registry(args.db, args.addons_path).cursor() as cr:
        cr.execute(
            "SELECT client_ref, count(*) FROM cycle_count_sync_record "
            "WHERE client_ref = ANY(%s) GROUP BY client_ref",
            [client_ids],
        )
        records = dict(cr.fetchall())
        cr.execute(
            "SELECT id, counted_qty, counted_at IS NOT NULL FROM cycle_count_line "
            "WHERE id = ANY(%s)",
            [line_ids],
        )
        lines = {row[0]: row[1:] for row in cr.fetchall()}
    lost = sum(1 for cid in client_ids if cid not in records)
    doubled = sum(1 for n in records.values() if n > 1)
    wrong = sum(
        1
        for line_id in line_ids
        if not lines[line_id][1] or lines[line_id][0] != quantity(line_id)
    )
    return lost, doubled, wrong


def warm_up(url, plans, workers):
    """Requests at once, several per worker, until each answers fast: every
    worker process has loaded the registry before anything is measured."""
    key = plans[0]["key"]

    def ask():
        requests.get(
            url + "/cycle_count/api/v1/tasks",
            headers={"Authorization": f"Bearer {key}"},
            timeout=300,
        )

    for _round in range(3):
        threads = [threading.Thread(target=ask) for _ in range(2 * workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def run_one(args, workers, devices, shared=False):
    plans = prepare(args, devices, shared=shared)
    port = args.port
    logfile = (
        VAR / f"benchmark_load-w{workers}-d{devices}{'-shared' if shared else ''}.log"
    )
    logfile.unlink(missing_ok=True)
    server, url = start_server(args, workers, port, logfile)
    results = {"times": [], "statuses": [], "resent": 0, "network_retries": 0}
    start = threading.Barrier(devices + 1)
    try:
        warm_up(url, plans, workers)
        threads = [
            threading.Thread(
                target=device, args=(url, plan, args.batch, start, results)
            )
            for plan in plans
        ]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        stop_server(server)
    retries = logfile.read_text(errors="replace").count(RETRY)
    errors = sum(
        1
        for line in logfile.read_text(errors="replace").splitlines()
        if " ERROR " in line or " CRITICAL " in line
    )
    lost, doubled, wrong = check_database(args, plans)
    counts = sum(len(plan["line_ids"]) for plan in plans)
    return {
        "workers": workers,
        "devices": devices,
        "shared": shared,
        "counts": counts,
        "seconds": round(elapsed, 2),
        "throughput": round(counts / elapsed, 1),
        "p50_ms": round(statistics.median(results["times"]) * 1000),
        "p95_ms": round(
            sorted(results["times"])[int(0.95 * (len(results["times"]) - 1))] * 1000
        ),
        "retries": retries,
        "resent": results["resent"],
        "network_retries": results["network_retries"],
        "status_5xx": sum(1 for s in results["statuses"] if s >= 500),
        "other_4xx": sum(1 for s in results["statuses"] if 400 <= s < 500 and s != 409),
        "log_errors": errors,
        "lost": lost,
        "doubled": doubled,
        "wrong": wrong,
    }


def table(rows):
    out = [
        "| workers | devices | counts | time | throughput | batch p50 / p95 | "
        "server retries | resent (409 / no connection) | 5xx | ERROR lines | "
        "lost / doubled / wrong |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        who = f"{r['devices']} on one task" if r["shared"] else f"{r['devices']}"
        out.append(
            f"| {r['workers']} | {who} | {r['counts']:,} | {r['seconds']:.1f} s | "
            f"**{r['throughput']:.0f} counts/s** | {r['p50_ms']} / {r['p95_ms']} ms | "
            f"{r['retries']} | {r['resent']} / {r['network_retries']} | "
            f"{r['status_5xx']} | {r['log_errors']} | "
            f"{r['lost']} / {r['doubled']} / {r['wrong']} |"
        )
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="cc_load")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--devices", default="1,4,16")
    parser.add_argument("--counts", type=int, default=500, help="counts per device")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--shared", type=int, default=8, help="devices on one task")
    parser.add_argument("--port", type=int, default=8180)
    args = parser.parse_args()
    VAR.mkdir(exist_ok=True)
    ensure_database(args.db, args.addons_path)
    workers = [int(n) for n in args.workers.split(",")]
    rows = []
    for n in workers:
        for devices in (int(d) for d in args.devices.split(",")):
            log(f"--workers={n}, {devices} device(s)…")
            rows.append(run_one(args, n, devices))
            log(json.dumps(rows[-1]))
    if args.shared:
        log(f"--workers={max(workers)}, {args.shared} devices on one task…")
        rows.append(run_one(args, max(workers), args.shared, shared=True))
        log(json.dumps(rows[-1]))
    (VAR / "benchmark_load.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))
    bad = [
        r
        for r in rows
        if r["status_5xx"] or r["other_4xx"] or r["lost"] or r["doubled"] or r["wrong"]
    ]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
