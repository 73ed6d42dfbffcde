"""Two Odoo nodes on one database behind nginx (scripts/two_nodes.sh drives it).

    CC_ODOO_ARGS="--addons-path=..." python two_nodes.py setup DATABASE STATE.json
    python two_nodes.py check DATABASE STATE.json PROXY_URL

``setup`` writes a counter with an API key, a task of three lines and a rule
(committed). ``check`` goes through the proxy only: the login page, the counting
API (tasks, counts, the same counts again, the OpenAPI document), a web session
opened on one node and used on the other (the counting app's page), and the
planning cron's jobs run by the job runner. It prints one PASS / FAIL line per
check and which node answered (nginx's X-Upstream header).
"""

import functools
import json
import os
import re
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

LOGIN = "cc_node_counter"
PASSWORD = "cc_node_counter"


@functools.cache
def registry(database):
    config.parse_config(
        [
            f"--database={database}",
            "--log-level=warn",
            *os.environ.get("CC_ODOO_ARGS", "").split(),
        ],
        setup_logging=True,
    )
    return odoo.modules.registry.Registry(database)


def setup(database, state_file):
    with registry(database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        counter = env["res.users"].search([("login", "=", LOGIN)]) or env[
            "res.users"
        ].create(
            {
                "name": "Node Counter",
                "login": LOGIN,
                "password": PASSWORD,
                "groups_id": [
                    (
                        6,
                        0,
                        [env.ref("cycle_count_planning.group_cycle_count_counter").id],
                    )
                ],
            }
        )
        warehouse = env.ref("stock.warehouse0")
        products = env["product.product"].create(
            [
                {"name": f"Node item {i}", "is_storable": True, "standard_price": 3}
                for i in range(3)
            ]
        )
        for product in products:
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 5
            )
        task = env["cycle.count.task"].create(
            {"warehouse_id": warehouse.id, "user_id": counter.id}
        )
        lines = env["cycle.count.line"].create(
            [
                {
                    "task_id": task.id,
                    "product_id": product.id,
                    "location_id": warehouse.lot_stock_id.id,
                }
                for product in products
            ]
        )
        # Something for the planning jobs: every item, once a month.
        env["cycle.count.rule"].create(
            {"name": "Two nodes", "warehouse_id": warehouse.id, "interval_days": 30}
        )
        env["stock.warehouse"].search([]).write({"cycle_count_plan_date": False})
        key = (
            env["res.users.apikeys"]
            .with_user(counter)
            ._generate(None, "two nodes", datetime.now() + timedelta(days=1))
        )
        cr.commit()
    json.dump({"task": task.id, "lines": lines.ids, "key": key}, open(state_file, "w"))


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, ok, label):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'}: {label}", flush=True)


def check(database, state_file, proxy):
    state = json.load(open(state_file))
    ok = Checks()
    api_url = f"{proxy}/cycle_count/api/v1"
    bearer = {"Authorization": f"Bearer {state['key']}"}

    nodes = Counter()
    statuses = []
    for _ in range(8):
        response = requests.get(f"{proxy}/web/login", timeout=60)
        statuses.append(response.status_code)
        nodes[response.headers.get("X-Upstream")] += 1
    ok(set(statuses) == {200}, f"login page through the proxy: {dict(nodes)}")

    nodes.clear()
    answers = []
    for _ in range(8):
        response = requests.get(f"{api_url}/tasks", headers=bearer, timeout=60)
        answers.append((response.status_code, response.headers.get("Content-Type")))
        nodes[response.headers.get("X-Upstream")] += 1
    ok(
        all(s == 200 and "json" in (t or "") for s, t in answers),
        f"GET /tasks with an API key, 8 times: {dict(nodes)}",
    )
    ok(len(nodes) == 2, "both nodes answered the API")
    response = requests.get(f"{api_url}/openapi.json", timeout=60)
    ok(response.status_code == 200 and "paths" in response.json(), "openapi.json")

    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    batch = {
        "counts": [
            {
                "client_id": str(uuid.uuid4()),
                "line_id": line_id,
                "quantity": 5 + index,
                "counted_at": now,
            }
            for index, line_id in enumerate(state["lines"])
        ]
    }
    first = requests.post(
        f"{api_url}/tasks/{state['task']}/counts",
        json=batch,
        headers=bearer,
        timeout=60,
    )
    again = requests.post(
        f"{api_url}/tasks/{state['task']}/counts",
        json=batch,
        headers=bearer,
        timeout=60,
    )
    ok(
        first.status_code == 200 and again.status_code == 200,
        f"the same batch sent twice, to {first.headers.get('X-Upstream')} then "
        f"{again.headers.get('X-Upstream')}: {first.status_code}, {again.status_code}"
        f" ({again.text[:160]})",
    )

    session = requests.Session()
    page = session.get(f"{proxy}/web/login", timeout=60)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    login = session.post(
        f"{proxy}/web/login",
        data={
            "login": LOGIN,
            "password": PASSWORD,
            "csrf_token": csrf and csrf.group(1),
            "redirect": "/cycle_count/app",
        },
        timeout=60,
    )
    nodes.clear()
    pages = []
    for _ in range(6):
        response = session.get(
            f"{proxy}/cycle_count/app", timeout=60, allow_redirects=False
        )
        pages.append(response.status_code)
        nodes[response.headers.get("X-Upstream")] += 1
    ok(
        login.status_code == 200 and set(pages) == {200},
        f"a web session opened through the proxy, the app's page 6 times: "
        f"{pages} from {dict(nodes)}",
    )
    ok(len(nodes) == 2, "both nodes served the same session")

    with registry(database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute(
            "SELECT COUNT(*), COUNT(DISTINCT line_id) FROM cycle_count_sync_record"
            " WHERE line_id IN %s",
            [tuple(state["lines"])],
        )
        records, distinct = cr.fetchone()
        lines = env["cycle.count.line"].browse(state["lines"])
        ok(
            records == distinct == 3 and lines.mapped("counted_qty") == [5.0, 6.0, 7.0],
            f"each count recorded once ({records} records for 3 lines)",
        )
        # The planning cron queues one job per warehouse; the runner runs them.
        cr.execute("SELECT COALESCE(MAX(id), 0) FROM queue_job")
        before = cr.fetchone()[0]
        env["cycle.count.rule"]._cron_plan_counts()
        cr.execute(
            "SELECT COUNT(*) FROM queue_job"
            " WHERE method_name = '_job_plan_warehouse' AND id > %s",
            [before],
        )
        queued = cr.fetchone()[0]
        cr.commit()
    ok(queued > 0, f"the planning cron queued {queued} job(s)")
    deadline = time.monotonic() + 600
    states = {}
    while time.monotonic() < deadline:
        with registry(database).cursor() as cr:
            cr.execute(
                "SELECT state, COUNT(*) FROM queue_job"
                " WHERE method_name = '_job_plan_warehouse' AND id > %s GROUP BY 1",
                [before],
            )
            states = dict(cr.fetchall())
        if set(states) <= {"done", "failed"}:
            break
        time.sleep(0.5)
    ok(set(states) == {"done"}, f"the job runner ran them: {states}")
    with registry(database).cursor() as cr:
        cr.execute(
            """
            SELECT COUNT(*) FROM (
                SELECT 1 FROM cycle_count_line l
                  JOIN cycle_count_task t ON t.id = l.task_id
                 WHERE t.state IN ('draft', 'in_progress', 'counted')
                 GROUP BY l.location_id, l.product_id, l.lot_id, l.package_id,
                          l.owner_id
                HAVING COUNT(*) > 1) doubled
            """
        )
        ok(cr.fetchone()[0] == 0, "no item in two open lines")
    print(f"{ok.passed} passed, {ok.failed} failed")
    return 1 if ok.failed else 0


if __name__ == "__main__":
    role, database, state_file = sys.argv[1:4]
    if role == "setup":
        setup(database, state_file)
        sys.exit(0)
    sys.exit(check(database, state_file, sys.argv[4]))
