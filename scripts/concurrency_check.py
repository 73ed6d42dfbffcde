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

Posting beside picking (the measurement of issue 14; PHASE is burst or paced,
PER the products a delivery carries: 1 single-line, more multi-line; TAG is
PHASE + PER, e.g. burst5):
  seed-picking PHASE LINES DELIVERIES CHUNK PER
              a report of LINES variances (gains and losses, one quant each)
              approved and being posted, and DELIVERIES deliveries of PER of
              its products each (in descending id order: the order a chunk
              locks in, inverted), reserved, waiting to be validated
  post        post the reports being posted as the background does
              (_apply_chunk_in_own_transaction, one chunk a transaction)
  deliver TAG
              validate the phase's deliveries through Odoo's own retrying (what
              its HTTP/RPC layer does): all at once (burst) or one a second
  check-picking TAG
              the report posted, each line once; every delivery done; the
              books right (book + difference - delivered)

The retry path, exercised (a second real connection holds a row):
  seed-retry  a report of RETRY_LINES variances being posted in chunks of
              RETRY_CHUNK
  hold        lock the quant of the report's first variance in a transaction
              of its own, until the poster has backed off once (it wrote
              retried.*), then update the quant and commit
  post-retry  post as ``post`` does, writing retried.NAME on each backoff
  check-retry each variance posted once, the report posted, at least one retry

The approver's click on a report above the background threshold (issue 14):
  seed-click LINES CHUNK
              a report of LINES variances waiting for one tier (the admin),
              posted in the background above CHUNK lines
  click       time the final approval (validate_tier, flushed), rolled back:
              prints "CLICK: LINES lines: S s"

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


def _plan_and_count(env, warehouse, name, counts):
    """Plan the warehouse's items with a rule of their own, count them as the
    counter does (``counts(lines)``: {count lines: quantity}), mark the tasks
    counted and retire the rule. Returns the tasks."""
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
        {"name": name, "warehouse_id": warehouse.id, "user_id": counter.id}
    )
    tasks = env["cycle.count.planner"]._plan(rule, warehouses=warehouse)
    for lines, quantity in counts(tasks.line_ids.sorted("id")).items():
        lines.with_user(counter).write({"counted_qty": quantity})
    tasks.with_user(counter).action_mark_counted()
    rule.active = False
    return tasks


def _gains_and_losses(lines):
    """One more than the books on even product ids, one less on odd ones."""
    gains = lines.filtered(lambda line: line.product_id.id % 2 == 0)
    return {gains: PICKING_BOOK + 1, lines - gains: PICKING_BOOK - 1}


def _large_report(env, code, lines=REPORT_LINES):
    """A warehouse of ``lines`` items, planned, counted one more than the
    books, marked counted: its report, approved with no tier, being applied."""
    warehouse = _warehouse(env, code)
    _stock(env, warehouse, _products(env, lines))
    # Counted by the counter, through the counting method (set-based).
    tasks = _plan_and_count(
        env, warehouse, f"Report {code}", lambda lines: {lines: COUNTED}
    )
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


def _failures_report(env, report_id, lines=REPORT_LINES):
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
    if len(moves) != lines:
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
    if off or total != lines:
        failures.append(
            f"report {report_id}: {off} of {total} quants not at the counted {COUNTED}"
        )
    return failures


PICKING_BOOK = 100


def seed_picking(env, phase, lines, deliveries, chunk, per=1):
    """A report of ``lines`` variances, one quant each (even lines gain one,
    odd lines lose one), approved and being posted in chunks of ``chunk``, and
    ``deliveries`` deliveries of one unit of ``per`` of its products each,
    spread over the report (so over every chunk), confirmed and reserved. A
    multi-line delivery lists its products in descending id order: Odoo
    validates its moves in that order, the inverse of the chunk's."""
    env["ir.config_parameter"].set_param("cycle_count_approval.apply_chunk_size", chunk)
    env["tier.definition"].search(
        [("model", "=", "cycle.count.adjustment")]
    ).active = False
    code = ("PB" if phase == "burst" else "PP") + str(per)
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
    tasks = _plan_and_count(env, warehouse, f"Report {code}", _gains_and_losses)
    report = tasks.adjustment_ids
    assert report.is_applying and not report.move_ids, "the report is not queued"
    step = max(1, len(products) // (deliveries * per))
    delivered = products[::step][: deliveries * per]
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
                    # One delivery's products spread over the report (every
                    # chunk), highest id first.
                    for product in reversed(delivered[index::deliveries])
                ],
            }
            for index in range(min(deliveries, len(delivered)))
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
        "per": per,
    }


RETRY_LINES, RETRY_CHUNK = 12, 5


def seed_click(env, lines, chunk):
    """A report of ``lines`` variances waiting for the admin's approval, its
    stock written in one statement (a seed: a quant per product)."""
    env["ir.config_parameter"].set_param("cycle_count_approval.apply_chunk_size", chunk)
    env["tier.definition"].search(
        [("model", "=", "cycle.count.adjustment")]
    ).active = False
    admin = env.ref("base.user_admin")
    tier = env["tier.definition"].create(
        {
            "name": "Click measurement",
            "model_id": env.ref("cycle_count_approval.model_cycle_count_adjustment").id,
            "review_type": "individual",
            "reviewer_id": admin.id,
            "definition_domain": False,
        }
    )
    code = f"C{lines // 1000}K"[:5]
    warehouse = _warehouse(env, code)
    products = env["product.product"].create(
        [
            {
                "name": f"Click item {code} {i:05d}",
                "default_code": f"CCC{code}-{i:05d}",
                "is_storable": True,
                "standard_price": 3.0,
            }
            for i in range(lines)
        ]
    )
    env.flush_all()
    env.cr.execute(
        """
        INSERT INTO stock_quant (product_id, location_id, company_id, quantity,
                                 reserved_quantity, in_date, create_uid, write_uid,
                                 create_date, write_date)
        SELECT p, %s, %s, %s, 0, NOW() AT TIME ZONE 'UTC', 1, 1,
               NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
          FROM unnest(%s::int[]) AS p
        """,
        [warehouse.lot_stock_id.id, env.company.id, PICKING_BOOK, products.ids],
    )
    env["stock.quant"].invalidate_model()
    tasks = _plan_and_count(
        env, warehouse, f"Click {code}", lambda lines: {lines: PICKING_BOOK + 1}
    )
    tier.active = False  # later reports (other seeds) need no approval
    report = tasks.adjustment_ids
    assert report.state == "to_approve", f"the report is {report.state}"
    return {"report": report.id, "lines": len(report.line_ids)}


def click(registry, report_id):
    """The final approval of the report, timed (flushed), then rolled back."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        report = env["cycle.count.adjustment"].with_user(admin).browse(report_id)
        start = time.monotonic()
        report.validate_tier()
        env.flush_all()
        elapsed = time.monotonic() - start
        applying = report.is_applying
        cr.rollback()
    return elapsed, applying


def seed_retry(env):
    """A report of RETRY_LINES variances being posted in chunks of
    RETRY_CHUNK; the quant of its first variance is the one held."""
    env["ir.config_parameter"].set_param(
        "cycle_count_approval.apply_chunk_size", RETRY_CHUNK
    )
    env["tier.definition"].search(
        [("model", "=", "cycle.count.adjustment")]
    ).active = False
    report = _large_report(env, "RT", RETRY_LINES)
    first = report._get_lines_to_apply().sorted("id")[0]
    quant = env["stock.quant"].search(
        [
            ("product_id", "=", first.product_id.id),
            ("location_id", "=", first.location_id.id),
        ]
    )
    return {"report": report.id, "quant": quant.id, "lines": RETRY_LINES}


def hold(registry, name, barrier, quant_id):
    """Hold the quant's row (a picking validating it) until the poster has
    backed off once, then update it and commit: the poster's next try posts
    the variance."""
    with registry.cursor() as cr:
        cr.execute(
            "SELECT id FROM stock_quant WHERE id = %s FOR NO KEY UPDATE", [quant_id]
        )
        wait_barrier(barrier, name)
        deadline = time.monotonic() + 300
        while not any(f.startswith("retried.") for f in os.listdir(barrier)):
            if time.monotonic() > deadline:
                log(name, "the poster never backed off")
                return 1
            time.sleep(0.02)
        cr.execute(
            "UPDATE stock_quant SET write_date = NOW() AT TIME ZONE 'UTC' WHERE id = %s",
            [quant_id],
        )
        cr.commit()
    log(name, "held the quant until the poster backed off, then committed")
    return 0


def post(registry, name, barrier, signal=False):
    """Post as the background does, one chunk a transaction, until no report
    is left being posted. ``signal``: write retried.NAME on each backoff."""
    stats = {"chunks": 0, "retries": 0, "deadlocks": 0, "met": []}
    if signal:
        Adjustment = registry["cycle.count.adjustment"]
        original = Adjustment._apply_chunk_backoff

        def _apply_chunk_backoff(self, tries, reason):
            open(os.path.join(barrier, f"retried.{name}"), "w").close()
            return original(self, tries, reason)

        Adjustment._apply_chunk_backoff = _apply_chunk_backoff
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
        per = int(sys.argv[9]) if len(sys.argv) > 9 else 1
        with registry.cursor() as cr:
            result = seed_picking(
                api.Environment(cr, SUPERUSER_ID, {}),
                phase,
                lines,
                deliveries,
                chunk,
                per,
            )
        state = json.load(open(state_file)) if os.path.exists(state_file) else {}
        state[f"picking-{phase}{per}"] = result
        json.dump(state, open(state_file, "w"))
        log(
            name,
            f"seeded picking {phase}{per}: {lines} lines, {deliveries} deliveries "
            f"of {per} product(s)",
        )
        return 0
    if role == "seed-click":
        lines, chunk = map(int, sys.argv[5:7])
        with registry.cursor() as cr:
            result = seed_click(api.Environment(cr, SUPERUSER_ID, {}), lines, chunk)
        state = json.load(open(state_file)) if os.path.exists(state_file) else {}
        state[f"click-{lines}"] = result
        json.dump(state, open(state_file, "w"))
        log(name, f"seeded click: {result}")
        return 0
    if role == "click":
        state = json.load(open(state_file))[f"click-{sys.argv[5]}"]
        elapsed, applying = click(registry, state["report"])
        log(
            name,
            f"CLICK: {state['lines']} lines: {elapsed:.3f} s"
            f" ({'handed to the background' if applying else 'NOT handed over'})",
        )
        return 0 if applying else 1
    if role == "seed-retry":
        with registry.cursor() as cr:
            result = seed_retry(api.Environment(cr, SUPERUSER_ID, {}))
        state = json.load(open(state_file)) if os.path.exists(state_file) else {}
        state["retry"] = result
        json.dump(state, open(state_file, "w"))
        log(name, f"seeded retry: {result}")
        return 0
    if role == "hold":
        quant_id = json.load(open(state_file))["retry"]["quant"]
        return hold(registry, name, barrier, quant_id)
    if role == "check-retry":
        state = json.load(open(state_file))["retry"]
        posted = json.load(open(os.path.join(barrier, "stats.post-retry.json")))
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            failures = _failures_report(env, state["report"], state["lines"])
        if posted["retries"] < 1:
            failures.append("no retry: the held quant never held the chunk back")
        for failure in failures:
            log(name, f"FAIL: {failure}")
        log(
            name,
            f"SUMMARY: {state['lines']} lines posted "
            f"({'each once' if not failures else 'NOT each once'}) in "
            f"{posted['chunks']} chunks; retries {posted['retries']} "
            f"(met: {', '.join(sorted(set(posted['met']))) or 'nothing'})",
        )
        return 1 if failures else 0
    if role in ("post", "post-retry"):
        stats = post(registry, name, barrier, signal=role == "post-retry")
        log(name, f"posted: {json.dumps(stats)}")
        json.dump(stats, open(os.path.join(barrier, f"stats.{name}.json"), "w"))
        return 0
    if role == "deliver":
        tag = sys.argv[5]
        state = json.load(open(state_file))[f"picking-{tag}"]
        phase = tag.rstrip("0123456789")
        stats = deliver(registry, name, barrier, phase, state["pickings"])
        log(name, f"delivered: {json.dumps(stats)}")
        json.dump(stats, open(os.path.join(barrier, f"stats.{name}.json"), "w"))
        return 0 if not stats["failed"] else 1
    if role == "check-picking":
        tag = sys.argv[5]
        state = json.load(open(state_file))[f"picking-{tag}"]
        with registry.cursor() as cr:
            failures = _failures_picking(api.Environment(cr, SUPERUSER_ID, {}), state)
        posted = json.load(open(os.path.join(barrier, f"stats.post-{tag}.json")))
        delivered = json.load(open(os.path.join(barrier, f"stats.deliver-{tag}.json")))
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
            f"{delivered['validated']}/{len(state['pickings'])} "
            f"({state.get('per', 1)} product(s) each) in "
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
