"""Two real processes against one committed database: the planner and the
posting of a large variance report never do anything twice, and a process
killed midway leaves nothing half-done (scripts/concurrency_check.sh drives it).

    CC_ODOO_ARGS="--addons-path=..." python concurrency_check.py ROLE DATABASE \
        [BARRIER_DIR] [NAME] [PHASE]

Roles:
  seed-race   warehouses to plan and a large approved report being applied
  seed-kill   more of the same, for the kill -9 runs
  plan        plan every warehouse left, one per transaction, as the cron does
              (after the barrier), then *Plan Counts Now* once
  apply       apply the reports being applied, a chunk per transaction
  plan-stall  plan, but stop forever inside the second warehouse's transaction
              (its lines written, not committed): to be killed
  apply-stall apply, but stop forever inside the third chunk's transaction
  check-kill  the state left by a killed process: nothing half-done
  check       each item planned once, each variance applied once, books right

Posting beside picking (the measurement of issue 14; PHASE is burst or paced):
  seed-picking PHASE LINES DELIVERIES CHUNK
              a report of LINES variances (gains and losses, one quant each)
              approved and being posted, and DELIVERIES deliveries of its
              products reserved, waiting to be validated
  post        post the reports being posted as the background does
              (_apply_chunk_in_own_transaction, one chunk a transaction)
  deliver PHASE
              validate the phase's deliveries through Odoo's own retrying (what
              its HTTP/RPC layer does): all at once (burst) or one a second
  check-picking PHASE
              the report posted, each line once; every delivery done; the
              books right (book + difference - delivered)

Each unit of work retries on a serialization failure, as Odoo's HTTP layer and
the job queue do: that failure is how a transaction with a stale snapshot is
kept from doing again what another one just committed.
"""

import functools
import json
import os
import sys
import time

import psycopg2.errorcodes
import psycopg2.errors

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.service.model import retrying as odoo_retrying
from odoo.tools import config

ITEMS = 150  # items per warehouse to plan
REPORT_LINES = 400  # variances of each large report
CHUNK = 25
BOOK, COUNTED = 10, 11
PREFIX = "CCX"


def log(name, message):
    print(f"[{name}] {message}", flush=True)


def wait_barrier(directory, name):
    """Say ready, then wait for the driver's go (both processes start together)."""
    if not directory:
        return
    open(os.path.join(directory, f"ready.{name}"), "w").close()
    go = os.path.join(directory, "go")
    while not os.path.exists(go):
        time.sleep(0.01)


def retrying(registry, function, name, stats):
    """Run ``function(env)`` in its own transaction, committed; again after a
    serialization failure (a fresh snapshot)."""
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            try:
                result = function(env)
                cr.commit()
                return result
            except (
                psycopg2.errors.SerializationFailure,
                psycopg2.errors.LockNotAvailable,
            ):
                cr.rollback()
                stats["retries"] += 1
                log(name, "serialization failure: retried in a new transaction")


def _products(env, count):
    Product = env["product.product"]
    existing = Product.search([("default_code", "=like", f"{PREFIX}-%")], order="id")
    missing = count - len(existing)
    if missing > 0:
        existing |= Product.create(
            [
                {
                    "name": f"Concurrency item {len(existing) + i:04d}",
                    "default_code": f"{PREFIX}-{len(existing) + i:04d}",
                    "is_storable": True,
                    "standard_price": 2.0,
                }
                for i in range(missing)
            ]
        )
    return existing[:count]


def _warehouse(env, code):
    return env["stock.warehouse"].create(
        {"name": f"Concurrency {code}", "code": code, "company_id": env.company.id}
    )


def _stock(env, warehouse, products):
    Quant = env["stock.quant"]
    for product in products:
        Quant._update_available_quantity(product, warehouse.lot_stock_id, BOOK)


def _large_report(env, code):
    """A warehouse of REPORT_LINES items, planned, counted one more than the
    books, marked counted: its report, approved with no tier, being applied."""
    warehouse = _warehouse(env, code)
    _stock(env, warehouse, _products(env, REPORT_LINES))
    counter = env["res.users"].search([("login", "=", "cc_concurrency_counter")])
    counter = counter or env["res.users"].create(
        {
            "name": "Concurrency Counter",
            "login": "cc_concurrency_counter",
            "groups_id": [
                (6, 0, [env.ref("cycle_count_planning.group_cycle_count_counter").id])
            ],
        }
    )
    rule = env["cycle.count.rule"].create(
        {"name": f"Report {code}", "warehouse_id": warehouse.id, "user_id": counter.id}
    )
    tasks = env["cycle.count.planner"]._plan(rule, warehouses=warehouse)
    # Counted by the counter, through the counting method (set-based).
    tasks.line_ids.with_user(counter).write({"counted_qty": COUNTED})
    tasks.with_user(counter).action_mark_counted()
    rule.active = False
    report = tasks.adjustment_ids
    assert report.is_applying and not report.move_ids, "the report is not queued"
    return report


def seed(env, phase):
    env["ir.config_parameter"].set_param("cycle_count_approval.apply_chunk_size", CHUNK)
    # No approval tier: the report is approved when counted (what is checked
    # here is the posting, not who approves).
    env["tier.definition"].search(
        [("model", "=", "cycle.count.adjustment")]
    ).active = False
    codes = ["R1", "R2", "R3", "R4"] if phase == "race" else ["K1", "K2", "K3"]
    report = _large_report(env, "RA" if phase == "race" else "KA")
    products = _products(env, ITEMS)
    warehouses = env["stock.warehouse"]
    for code in codes:
        warehouse = _warehouse(env, code)
        _stock(env, warehouse, products)
        warehouses |= warehouse
    env["cycle.count.rule"].create(
        [
            {"name": f"Every item {w.code}", "warehouse_id": w.id, "interval_days": 30}
            for w in warehouses
        ]
    )
    # Only these are left to plan today: the daily run has done the others.
    env["stock.warehouse"].search([("id", "not in", warehouses.ids)]).write(
        {"cycle_count_plan_date": fields.Date.context_today(env.user)}
    )
    return {"warehouses": warehouses.ids, "report": report.id}


def plan(registry, name, barrier, stall=False):
    stats = {"retries": 0, "planned": []}
    if stall:
        Planner = registry["cycle.count.planner"]
        original = Planner._insert_lines

        def _insert_lines(self):
            original(self)
            if len(stats["planned"]) == 1:
                self.env.flush_all()
                open(os.path.join(barrier, f"stalled.{name}"), "w").close()
                log(name, "stalled inside a warehouse's transaction")
                while True:
                    time.sleep(1)

        Planner._insert_lines = _insert_lines
    wait_barrier(barrier, name)

    def next_warehouse(env):
        Rule = env["cycle.count.rule"]
        today = fields.Date.context_today(Rule)
        return Rule._plan_next_warehouse(Rule._get_companies_to_plan(), today).ids

    while warehouse := retrying(registry, next_warehouse, name, stats):
        stats["planned"] += warehouse
        log(name, f"planned warehouse {warehouse[0]}")

    def plan_now(env):
        Rule = env["cycle.count.rule"]
        rules = Rule.search([])
        return env["cycle.count.planner"]._plan(rules, companies=rules.company_id).ids

    stats["plan_now_tasks"] = retrying(registry, plan_now, name, stats)
    return stats


def apply(registry, name, barrier, stall=False):
    stats = {"retries": 0, "chunks": 0}
    if stall:
        Adjustment = registry["cycle.count.adjustment"]
        original = Adjustment._apply_lines

        def _apply_lines(self, lines):
            moves = original(self, lines)
            if stats["chunks"] == 2:
                self.env.flush_all()
                open(os.path.join(barrier, f"stalled.{name}"), "w").close()
                log(name, "stalled inside a chunk's transaction")
                while True:
                    time.sleep(1)
            return moves

        Adjustment._apply_lines = _apply_lines
    wait_barrier(barrier, name)

    def next_chunk(env):
        Adjustment = env["cycle.count.adjustment"]
        done = Adjustment._apply_next_chunk()
        left = Adjustment.search_count([("is_applying", "=", True)])
        return bool(done), left

    while True:
        done, left = retrying(registry, next_chunk, name, stats)
        if done:
            stats["chunks"] += 1
        elif not left:
            break
        else:
            # The other process holds the report: its chunk is committed soon.
            time.sleep(0.02)
    return stats


def _failures_planning(env, warehouse_ids):
    failures = []
    cr = env.cr
    cr.execute(
        """
        SELECT l.location_id, l.product_id, COUNT(*)
          FROM cycle_count_line l
         WHERE l.warehouse_id IN %s
         GROUP BY l.location_id, l.product_id, l.lot_id, l.package_id, l.owner_id
        HAVING COUNT(*) > 1
        """,
        [tuple(warehouse_ids)],
    )
    doubled = cr.fetchall()
    if doubled:
        failures.append(f"{len(doubled)} items planned more than once: {doubled[:5]}")
    cr.execute(
        "SELECT warehouse_id, COUNT(*) FROM cycle_count_line WHERE warehouse_id IN %s"
        " GROUP BY 1",
        [tuple(warehouse_ids)],
    )
    counts = dict(cr.fetchall())
    for warehouse_id in warehouse_ids:
        if counts.get(warehouse_id, 0) != ITEMS:
            failures.append(
                f"warehouse {warehouse_id}: {counts.get(warehouse_id, 0)} lines "
                f"planned, {ITEMS} expected"
            )
    return failures


def _failures_report(env, report_id):
    failures = []
    cr = env.cr
    cr.execute(
        """
        SELECT l.id, COUNT(m.id)
          FROM cycle_count_adjustment_line l
          LEFT JOIN stock_move m ON m.cycle_count_adjustment_line_id = l.id
         WHERE l.adjustment_id = %s
         GROUP BY l.id
        """,
        [report_id],
    )
    moves = dict(cr.fetchall())
    wrong = {line: count for line, count in moves.items() if count != 1}
    if len(moves) != REPORT_LINES:
        failures.append(f"report {report_id}: {len(moves)} variances")
    if wrong:
        failures.append(
            f"report {report_id}: {len(wrong)} variances not applied exactly once "
            f"(moves per variance: {sorted(set(wrong.values()))})"
        )
    report = env["cycle.count.adjustment"].browse(report_id)
    if report.state != "posted" or report.is_applying:
        failures.append(f"report {report_id} is {report.state}, not applied")
    cr.execute(
        """
        SELECT COUNT(*) FILTER (WHERE q.quantity <> %s), COUNT(*)
          FROM stock_quant q
          JOIN stock_location loc ON loc.id = q.location_id
         WHERE loc.warehouse_id = %s AND loc.usage = 'internal'
        """,
        [COUNTED, report.warehouse_id.id],
    )
    off, total = cr.fetchone()
    if off or total != REPORT_LINES:
        failures.append(
            f"report {report_id}: {off} of {total} quants not at the counted {COUNTED}"
        )
    return failures


PICKING_BOOK = 100


def seed_picking(env, phase, lines, deliveries, chunk):
    """A report of ``lines`` variances, one quant each (even lines gain one,
    odd lines lose one), approved and being posted in chunks of ``chunk``, and
    ``deliveries`` deliveries of one unit of its products spread over the
    report (so over every chunk), confirmed and reserved."""
    env["ir.config_parameter"].set_param("cycle_count_approval.apply_chunk_size", chunk)
    env["tier.definition"].search(
        [("model", "=", "cycle.count.adjustment")]
    ).active = False
    code = "PB" if phase == "burst" else "PP"
    warehouse = _warehouse(env, code)
    Product = env["product.product"]
    prefix = f"CCP{code}"
    products = Product.create(
        [
            {
                "name": f"Picking item {code} {i:05d}",
                "default_code": f"{prefix}-{i:05d}",
                "is_storable": True,
                "standard_price": 3.0,
            }
            for i in range(lines)
        ]
    )
    # Stock as the race's seed puts it (an inventory adjustment would make the
    # items just counted: the planner would leave them).
    Quant = env["stock.quant"]
    for product in products:
        Quant._update_available_quantity(product, warehouse.lot_stock_id, PICKING_BOOK)
    counter = env["res.users"].search([("login", "=", "cc_concurrency_counter")])
    counter = counter or env["res.users"].create(
        {
            "name": "Concurrency Counter",
            "login": "cc_concurrency_counter",
            "groups_id": [
                (6, 0, [env.ref("cycle_count_planning.group_cycle_count_counter").id])
            ],
        }
    )
    rule = env["cycle.count.rule"].create(
        {"name": f"Report {code}", "warehouse_id": warehouse.id, "user_id": counter.id}
    )
    tasks = env["cycle.count.planner"]._plan(rule, warehouses=warehouse)
    task_lines = tasks.line_ids.sorted("id")
    gains = task_lines.filtered(lambda line: line.product_id.id % 2 == 0)
    gains.with_user(counter).write({"counted_qty": PICKING_BOOK + 1})
    (task_lines - gains).with_user(counter).write({"counted_qty": PICKING_BOOK - 1})
    tasks.with_user(counter).action_mark_counted()
    rule.active = False
    report = tasks.adjustment_ids
    assert report.is_applying and not report.move_ids, "the report is not queued"
    step = max(1, len(products) // deliveries)
    delivered = products[::step][:deliveries]
    picking_type = warehouse.out_type_id
    customers = env.ref("stock.stock_location_customers")
    pickings = env["stock.picking"].create(
        [
            {
                "picking_type_id": picking_type.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "product_uom": product.uom_id.id,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
            for product in delivered
        ]
    )
    pickings.action_confirm()
    pickings.action_assign()
    assert all(p.state == "assigned" for p in pickings), "a delivery is not reserved"
    return {
        "report": report.id,
        "pickings": pickings.ids,
        "warehouse": warehouse.id,
        "lines": lines,
    }


def post(registry, name, barrier):
    """Post as the background does, one chunk a transaction, until no report
    is left being posted."""
    stats = {"chunks": 0, "retries": 0, "deadlocks": 0, "met": []}
    wait_barrier(barrier, name)
    start = time.monotonic()
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            result = env["cycle.count.adjustment"]._apply_chunk_in_own_transaction()
        if not result["report"]:
            if not result["remaining"]:
                break
            time.sleep(0.02)
            continue
        stats["chunks"] += 1
        stats["retries"] += result["tries"] - 1
        stats["met"] += result.get("met", [])
    stats["deadlocks"] = stats["met"].count(psycopg2.errorcodes.DEADLOCK_DETECTED)
    stats["elapsed"] = round(time.monotonic() - start, 2)
    return stats


def deliver(registry, name, barrier, phase, picking_ids):
    """Validate each delivery in its own request-like transaction through
    Odoo's own retrying (5 tries on a serialization failure or deadlock, as
    its HTTP/RPC layer): burst, or one a second."""
    stats = {"validated": 0, "retries": 0, "deadlocks": 0, "failed": []}
    wait_barrier(barrier, name)
    start = time.monotonic()
    for index, picking_id in enumerate(picking_ids):
        if phase == "paced":
            # The workload's rhythm (one delivery a second), not a wait for a state.
            time.sleep(max(0.0, start + index - time.monotonic()))
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = env.ref("base.user_admin")
            env = env(user=user.id)
            attempts = []

            def validate(env, picking_id, attempts):
                attempts.append(1)
                try:
                    picking = env["stock.picking"].browse(picking_id)
                    for move in picking.move_ids:
                        move.quantity = move.product_uom_qty
                    picking.move_ids.picked = True
                    result = picking.with_context(
                        skip_backorder=True, skip_sms=True
                    ).button_validate()
                    env.flush_all()
                    return result
                except psycopg2.errors.DeadlockDetected:
                    stats["deadlocks"] += 1
                    raise

            try:
                result = odoo_retrying(
                    functools.partial(validate, env, picking_id, attempts), env
                )
                if result is True:
                    stats["validated"] += 1
                else:
                    stats["failed"].append([picking_id, f"answered {result!r}"])
            except Exception as exc:  # reported: the check then fails
                stats["failed"].append([picking_id, f"{type(exc).__name__}: {exc}"])
            stats["retries"] += len(attempts) - 1
    stats["elapsed"] = round(time.monotonic() - start, 2)
    return stats


def _failures_picking(env, state):
    failures = []
    cr = env.cr
    cr.execute(
        """
        SELECT COUNT(*), COUNT(*) FILTER (WHERE n <> 1)
          FROM (SELECT l.id, COUNT(m.id) AS n
                  FROM cycle_count_adjustment_line l
                  LEFT JOIN stock_move m ON m.cycle_count_adjustment_line_id = l.id
                 WHERE l.adjustment_id = %s
                 GROUP BY l.id) per_line
        """,
        [state["report"]],
    )
    lines, wrong = cr.fetchone()
    if lines != state["lines"] or wrong:
        failures.append(
            f"report {state['report']}: {lines} variances, {wrong} not posted once"
        )
    report = env["cycle.count.adjustment"].browse(state["report"])
    if report.state != "posted" or report.is_applying:
        failures.append(f"report {report.id} is {report.state}, not posted")
    pickings = env["stock.picking"].browse(state["pickings"])
    undone = pickings.filtered(lambda p: p.state != "done")
    if undone:
        failures.append(f"{len(undone)} of {len(pickings)} deliveries not done")
    # The books: book + approved difference - delivered, summed over the
    # product's quants there (a delivery beside a locked quant takes another).
    cr.execute(
        """
        SELECT COUNT(*)
          FROM cycle_count_adjustment_line l
          JOIN (SELECT q.product_id, SUM(q.quantity) AS quantity
                  FROM stock_quant q
                  JOIN stock_location loc ON loc.id = q.location_id
                 WHERE loc.warehouse_id = %(warehouse)s AND loc.usage = 'internal'
                 GROUP BY q.product_id) q ON q.product_id = l.product_id
          LEFT JOIN (SELECT m.product_id, SUM(m.quantity) AS quantity
                       FROM stock_move m
                      WHERE m.picking_id IN %(pickings)s AND m.state = 'done'
                      GROUP BY m.product_id) d ON d.product_id = l.product_id
         WHERE l.adjustment_id = %(report)s
           AND q.quantity <> %(book)s + l.difference_qty - COALESCE(d.quantity, 0)
        """,
        {
            "warehouse": state["warehouse"],
            "pickings": tuple(state["pickings"]),
            "report": state["report"],
            "book": PICKING_BOOK,
        },
    )
    off = cr.fetchone()[0]
    if off:
        failures.append(f"{off} products off their book + difference - delivered")
    return failures


def main():
    role, database = sys.argv[1], sys.argv[2]
    barrier = sys.argv[3] if len(sys.argv) > 3 else None
    name = sys.argv[4] if len(sys.argv) > 4 else role
    # The driver passes Odoo's options (addons path, database server) here.
    options = os.environ.get("CC_ODOO_ARGS", "").split()
    config.parse_config(
        [f"--database={database}", "--log-level=warn", *options], setup_logging=True
    )
    registry = odoo.modules.registry.Registry(database)
    state_file = os.path.join(barrier or ".", "seed.json")
    if role in ("seed-race", "seed-kill"):
        phase = role.split("-", 1)[1]
        with registry.cursor() as cr:
            result = seed(api.Environment(cr, SUPERUSER_ID, {}), phase)
        state = json.load(open(state_file)) if os.path.exists(state_file) else {}
        state[phase] = result
        json.dump(state, open(state_file, "w"))
        log(name, f"seeded {phase}: {result}")
        return 0
    if role in ("plan", "plan-stall"):
        stats = plan(registry, name, barrier, stall=role == "plan-stall")
        log(name, f"done: {json.dumps(stats)}")
        return 0
    if role == "seed-picking":
        phase, lines, deliveries, chunk = sys.argv[5], *map(int, sys.argv[6:9])
        with registry.cursor() as cr:
            result = seed_picking(
                api.Environment(cr, SUPERUSER_ID, {}), phase, lines, deliveries, chunk
            )
        state = json.load(open(state_file)) if os.path.exists(state_file) else {}
        state[f"picking-{phase}"] = result
        json.dump(state, open(state_file, "w"))
        log(name, f"seeded picking {phase}: {lines} lines, {deliveries} deliveries")
        return 0
    if role == "post":
        stats = post(registry, name, barrier)
        log(name, f"posted: {json.dumps(stats)}")
        json.dump(stats, open(os.path.join(barrier, f"stats.{name}.json"), "w"))
        return 0
    if role == "deliver":
        phase = sys.argv[5]
        state = json.load(open(state_file))[f"picking-{phase}"]
        stats = deliver(registry, name, barrier, phase, state["pickings"])
        log(name, f"delivered: {json.dumps(stats)}")
        json.dump(stats, open(os.path.join(barrier, f"stats.{name}.json"), "w"))
        return 0 if not stats["failed"] else 1
    if role == "check-picking":
        phase = sys.argv[5]
        state = json.load(open(state_file))[f"picking-{phase}"]
        with registry.cursor() as cr:
            failures = _failures_picking(api.Environment(cr, SUPERUSER_ID, {}), state)
        posted = json.load(open(os.path.join(barrier, f"stats.post-{phase}.json")))
        delivered = json.load(
            open(os.path.join(barrier, f"stats.deliver-{phase}.json"))
        )
        deadlocks = posted["deadlocks"] + delivered["deadlocks"]
        if deadlocks:
            failures.append(f"{deadlocks} deadlocks")
        for failure in failures:
            log(name, f"FAIL: {failure}")
        log(
            name,
            f"SUMMARY: {state['lines']} lines posted "
            f"({'each once' if not failures else 'NOT each once'}) in "
            f"{posted['elapsed']} s, {posted['chunks']} chunks; deliveries validated "
            f"{delivered['validated']}/{len(state['pickings'])} in "
            f"{delivered['elapsed']} s; retries {posted['retries']} (posting) + "
            f"{delivered['retries']} (deliveries); deadlocks {deadlocks}",
        )
        return 1 if failures else 0
    if role in ("apply", "apply-stall"):
        stats = apply(registry, name, barrier, stall=role == "apply-stall")
        log(name, f"done: {json.dumps(stats)}")
        return 0
    state = json.load(open(state_file))
    phase = sys.argv[5] if len(sys.argv) > 5 else "race"
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        failures = []
        if role == "check-kill":
            # A killed planner: the stalled warehouse has no line and is not
            # marked planned; a killed chunk: only whole chunks are in stock.
            stalled = state["kill"]["warehouses"][1]
            cr.execute(
                "SELECT COUNT(*) FROM cycle_count_line WHERE warehouse_id = %s",
                [stalled],
            )
            if cr.fetchone()[0]:
                failures.append("the killed planner left lines of its warehouse")
            if env["stock.warehouse"].browse(stalled).cycle_count_plan_date:
                failures.append("the killed planner left its warehouse marked planned")
            report = env["cycle.count.adjustment"].browse(state["kill"]["report"])
            applied = len(report.move_ids)
            if applied != 2 * CHUNK or not report.is_applying:
                failures.append(
                    f"the killed chunk: {applied} variances in stock, {2 * CHUNK} "
                    "(two whole chunks) expected"
                )
        else:
            failures += _failures_planning(env, state[phase]["warehouses"])
            failures += _failures_report(env, state[phase]["report"])
    for failure in failures:
        log(name, f"FAIL: {failure}")
    if not failures:
        log(name, f"OK: {role} {phase}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
