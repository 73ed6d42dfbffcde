"""Benchmark of posting an approved variance report (issue 14) against Odoo's own
inventory apply and against a floor of one SQL statement.

Run it through scripts/benchmark_posting.sh, which finds Odoo's Python and
PostgreSQL, then runs the posting-beside-picking measurement:

    scripts/benchmark_posting.sh [SIZES...] [--methods standard,average,fifo]
                                 [--quick] [--db NAME] [--repeat 2]

Its own database (NAME, default cc_post_bench; built on first use with
cycle_count_accounting, Odoo's generic chart): per costing method, a product
category with real-time valuation and as many products as the largest size,
one quant of 100 each in a warehouse of the method's own. For each method and
size N (default 1 000, 5 000 and 20 000; --quick: 1 000) three measurements,
interleaved (their order turns each round), each in a transaction rolled back,
the best of ``--repeat`` kept:

* ours: a report of N variances (half gains, half losses of one unit), counted
  and waiting for approval (not timed); timed from the final approval
  (``_action_approve``) to the report posted, with every chunk (in the
  foreground: the chunk size is set above N for the run);
* native: the same N quants set to the same counted quantities, timed
  ``stock.quant.action_apply_inventory``;
* floor: one SQL statement (a CTE chain) writing what the posting writes: the
  done moves and move lines, the quant updates, the valuation layers, one
  journal entry and its two lines a move.

Prints ms a line, queries (Odoo's cursor count) and entries for each, and the
ratios native/ours and ours/floor.
"""

import argparse
import sys
import time
from datetime import datetime

from benchlib import database_exists, environment, odoo_command, odoo_setup

METHODS = ("standard", "average", "fifo")
BOOK = 100
COST = 5.0
COUNTER_LOGIN = "cc_bench_counter"
# Each product's receipts (quantity, unit cost): FIFO gets three in-layers a
# product, so a loss consumes candidates in order (BOOK in all).
RECEIPTS = {"fifo": ((40, 4.0), (30, 5.0), (30, 6.0))}
# Warehouse code, category and product prefix of each method's data (FIFO's
# changed when it got three layers: older databases keep their one-layer
# products apart).
NAMES = {
    "standard": ("BST", "Posting bench standard", "CCR-ST-"),
    "average": ("BAV", "Posting bench average", "CCR-AV-"),
    "fifo": ("BF3", "Posting bench fifo, 3 layers", "CCR-F3-"),
}
APPROVER_GROUPS = ("supervisor", "finance", "manager")


def log(message):
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# ----------------------------------------------------------------------
# The data (committed once; grown when a larger size is asked for)
# ----------------------------------------------------------------------
def setup_method(env, method, size):
    """The method's category, warehouse, products and one quant each."""
    company = env.company
    Account = env["account.account"]
    if not Account.search_count(Account._check_company_domain(company), limit=1):
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
    if not company.cycle_count_loss_account_id:
        company.write(
            {
                "cycle_count_gain_account_id": Account.create(
                    {
                        "name": "Inventory Gains (bench)",
                        "code": "CCB6301",
                        "account_type": "income_other",
                    }
                ).id,
                "cycle_count_loss_account_id": Account.create(
                    {
                        "name": "Inventory Losses (bench)",
                        "code": "CCB6711",
                        "account_type": "expense",
                    }
                ).id,
            }
        )
    code, category_name, prefix = NAMES[method]
    warehouse = env["stock.warehouse"].search([("code", "=", code)])
    if not warehouse:
        warehouse = env["stock.warehouse"].create(
            {"name": f"Posting bench {code}", "code": code}
        )
    category = env["product.category"].search([("name", "=", category_name)])
    if not category:
        category = env["product.category"].create(
            {
                "name": category_name,
                "property_cost_method": method,
                "property_valuation": "real_time",
            }
        )
    Product = env["product.product"]
    products = Product.search([("default_code", "=like", f"{prefix}%")], order="id")
    missing = size - len(products)
    if missing > 0:
        log(f"{method}: {missing} products with one quant of {BOOK} (through Odoo)")
        new = Product.create(
            [
                {
                    "name": f"Posting bench {method} {len(products) + i:06d}",
                    "default_code": f"{prefix}{len(products) + i:06d}",
                    "is_storable": True,
                    "categ_id": category.id,
                    "standard_price": COST,
                }
                for i in range(missing)
            ]
        )
        # Received (not an inventory adjustment: the planner would take the
        # quants for just counted), valued by Odoo at COST.
        supplier = env.ref("stock.stock_location_suppliers")
        for start in range(0, len(new), 1000):
            batch = new[start : start + 1000]
            receipts = RECEIPTS.get(method, ((BOOK, COST),))
            moves = env["stock.move"].create(
                [
                    {
                        "name": "Posting bench receipt",
                        "product_id": product.id,
                        "product_uom": product.uom_id.id,
                        "product_uom_qty": qty,
                        "price_unit": price,
                        "location_id": supplier.id,
                        "location_dest_id": warehouse.lot_stock_id.id,
                    }
                    for product in batch
                    for qty, price in receipts
                ]
            )
            moves._action_confirm()
            moves._action_assign()
            for move in moves:
                move.quantity = move.product_uom_qty
            moves.picked = True
            moves._action_done()
            env.cr.commit()
        products |= new
    # One approver a tier (each tier needs its own).
    for group in APPROVER_GROUPS:
        login = f"cc_bench_{group}"
        if not env["res.users"].search([("login", "=", login)]):
            env["res.users"].create(
                {
                    "name": f"Posting bench {group}",
                    "login": login,
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                env.ref("stock.group_stock_manager").id,
                                env.ref(
                                    f"cycle_count_planning.group_cycle_count_{group}"
                                ).id,
                            ],
                        )
                    ],
                }
            )
    counter = env["res.users"].search([("login", "=", COUNTER_LOGIN)])
    if not counter:
        counter = env["res.users"].create(
            {
                "name": "Posting bench counter",
                "login": COUNTER_LOGIN,
                "groups_id": [
                    (
                        6,
                        0,
                        [env.ref("cycle_count_planning.group_cycle_count_counter").id],
                    )
                ],
            }
        )
    env.cr.commit()


def bench_data(env, method, size):
    code, _category, prefix = NAMES[method]
    warehouse = env["stock.warehouse"].search([("code", "=", code)])
    products = env["product.product"].search(
        [("default_code", "=like", f"{prefix}%")], order="id"
    )
    quants = env["stock.quant"].search(
        [
            ("product_id", "in", products.ids),
            ("location_id", "=", warehouse.lot_stock_id.id),
        ],
        order="id",
    )[:size]
    return warehouse, quants


def counted(quant):
    """Even products gain one, odd ones lose one."""
    return BOOK + 1 if quant.product_id.id % 2 == 0 else BOOK - 1


# ----------------------------------------------------------------------
# The three measurements (each in a transaction rolled back)
# ----------------------------------------------------------------------
def measure(env, function):
    env.flush_all()
    env.invalidate_all()
    env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM account_move")
    last_entry = env.cr.fetchone()[0]
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    function()
    env.flush_all()
    elapsed = time.perf_counter() - start
    queries = env.cr.sql_log_count - queries
    entries = env["account.move"].search_count([("id", ">", last_entry)])
    return elapsed, queries, entries


def run_ours(env, method, size):
    warehouse, quants = bench_data(env, method, size)
    env["ir.config_parameter"].set_param(
        "cycle_count_approval.apply_chunk_size", size + 1
    )
    counter = env["res.users"].search([("login", "=", COUNTER_LOGIN)])
    rule = env["cycle.count.rule"].create(
        {
            "name": f"Posting bench {method}",
            "warehouse_id": warehouse.id,
            "user_id": counter.id,
        }
    )
    tasks = env["cycle.count.planner"]._plan(rule, warehouses=warehouse)
    selected = {(q.product_id.id, q.location_id.id): counted(q) for q in quants}
    lines = tasks.line_ids
    per_qty = {}
    for line in lines:
        qty = selected.get((line.product_id.id, line.location_id.id), BOOK)
        per_qty.setdefault(qty, []).append(line.id)
    for qty, ids in per_qty.items():
        lines.browse(ids).with_user(counter).write({"counted_qty": qty})
    tasks.with_user(counter).action_mark_counted()
    # As the approver's screen has it (its own prefetch set, not the tasks').
    report = env["cycle.count.adjustment"].browse(tasks.adjustment_ids.ids)
    assert len(report) == 1 and report.state == "to_approve", (
        f"the report is not waiting for approval: {report.mapped('state')}"
    )
    assert len(report._get_lines_to_apply()) == size, "the report's size"

    approvers = env["res.users"].search(
        [("login", "in", [f"cc_bench_{group}" for group in APPROVER_GROUPS])]
    )

    def approve():
        # Every tier's click, the last one posting (the tiers' own part is a
        # few queries beside the posting).
        for approver in approvers.sorted(
            lambda u: APPROVER_GROUPS.index(u.login.removeprefix("cc_bench_"))
        ):
            if report.state == "to_approve" and report.with_user(approver).can_review:
                report.with_user(approver).validate_tier()

    result = measure(env, approve)
    assert report.state == "posted", f"the report is {report.state}"
    return result


def run_native(env, method, size):
    _warehouse, quants = bench_data(env, method, size)
    gains = quants.filtered(lambda q: counted(q) > BOOK)
    gains.inventory_quantity = BOOK + 1
    (quants - gains).inventory_quantity = BOOK - 1
    return measure(env, quants.action_apply_inventory)


FLOOR = """
WITH q AS (
    SELECT q.id AS quant_id, q.product_id, q.location_id, q.company_id,
           %(counted)s - q.quantity AS delta, p.product_tmpl_id,
           t.uom_id, t.name->>'en_US' AS name
      FROM stock_quant q
      JOIN product_product p ON p.id = q.product_id
      JOIN product_template t ON t.id = p.product_tmpl_id
     WHERE q.id = ANY(%(quants)s)
     ORDER BY q.id
       FOR NO KEY UPDATE OF q
), moves AS (
    INSERT INTO stock_move (name, company_id, product_id, product_uom,
                            product_uom_qty, quantity, location_id,
                            location_dest_id, state, date, procure_method,
                            is_inventory, picked, scrapped, create_uid, write_uid,
                            create_date, write_date)
    SELECT 'Bench floor', q.company_id, q.product_id, q.uom_id, ABS(q.delta),
           ABS(q.delta),
           CASE WHEN q.delta > 0 THEN %(inventory)s ELSE q.location_id END,
           CASE WHEN q.delta > 0 THEN q.location_id ELSE %(inventory)s END,
           'done', NOW(), 'make_to_stock', TRUE, TRUE, FALSE, 1, 1, NOW(), NOW()
      FROM q ORDER BY q.quant_id
    RETURNING id, product_id, quantity, location_id, location_dest_id, company_id
), move_q AS (
    SELECT m.*, q.delta, q.quant_id, q.uom_id, q.name
      FROM moves m JOIN q ON q.product_id = m.product_id
), lines AS (
    INSERT INTO stock_move_line (move_id, company_id, product_id, product_uom_id,
                                 quantity, quantity_product_uom, location_id,
                                 location_dest_id, state, date, picked,
                                 create_uid, write_uid, create_date, write_date)
    SELECT id, company_id, product_id, uom_id, quantity, quantity, location_id,
           location_dest_id, 'done', NOW(), TRUE, 1, 1, NOW(), NOW()
      FROM move_q
    RETURNING id
), quants AS (
    UPDATE stock_quant sq SET quantity = sq.quantity + mq.delta,
                              inventory_quantity = 0,
                              inventory_quantity_set = FALSE,
                              write_date = NOW()
      FROM move_q mq WHERE sq.id = mq.quant_id
    RETURNING sq.id
), entry AS (
    INSERT INTO account_move (name, journal_id, company_id, currency_id, date,
                              state, move_type, ref, auto_post, create_uid,
                              write_uid, create_date, write_date)
    VALUES ('BENCH/FLOOR', %(journal)s, %(company)s, %(currency)s, CURRENT_DATE,
            'posted', 'entry', 'Bench floor', 'no', 1, 1, NOW(), NOW())
    RETURNING id
), layers AS (
    INSERT INTO stock_valuation_layer (company_id, product_id, stock_move_id,
                                       account_move_id, quantity, unit_cost,
                                       value, remaining_qty, remaining_value,
                                       description, create_uid, write_uid,
                                       create_date, write_date)
    SELECT mq.company_id, mq.product_id, mq.id, entry.id, mq.delta, %(cost)s,
           mq.delta * %(cost)s, GREATEST(mq.delta, 0),
           GREATEST(mq.delta, 0) * %(cost)s, mq.name, 1, 1, NOW(), NOW()
      FROM move_q mq, entry
    RETURNING id, product_id, value
), entry_lines AS (
    INSERT INTO account_move_line (move_id, journal_id, company_id,
                                   company_currency_id, currency_id, date,
                                   account_id, product_id, name, quantity,
                                   balance, debit, credit, amount_currency,
                                   amount_residual, amount_residual_currency,
                                   parent_state, display_type, create_uid,
                                   write_uid, create_date, write_date)
    SELECT entry.id, %(journal)s, %(company)s, %(currency)s, %(currency)s,
           CURRENT_DATE, side.account_id, l.product_id, 'Bench floor', 1,
           side.sign * l.value, GREATEST(side.sign * l.value, 0),
           GREATEST(-side.sign * l.value, 0), side.sign * l.value, 0, 0,
           'posted', 'product', 1, 1, NOW(), NOW()
      FROM layers l, entry,
           (VALUES (%(valuation)s, 1), (%(counterpart)s, -1))
               AS side(account_id, sign)
    RETURNING id
)
SELECT (SELECT COUNT(*) FROM lines), (SELECT COUNT(*) FROM quants),
       (SELECT COUNT(*) FROM entry_lines)
"""


def run_floor(env, method, size):
    from odoo.tools import SQL  # noqa: PLC0415

    _warehouse, quants = bench_data(env, method, size)
    product = quants[:1].product_id
    accounts = product.product_tmpl_id.get_product_accounts()
    journal = accounts["stock_journal"] or env["account.journal"].search(
        [("type", "=", "general"), ("company_id", "=", env.company.id)], limit=1
    )
    inventory = product.property_stock_inventory
    # Each quant's counted quantity, in the order of the quants.
    counted_qtys = [counted(q) for q in quants]
    query = SQL(
        FLOOR.replace("%(counted)s - q.quantity", "c.qty - q.quantity").replace(
            "WHERE q.id = ANY(%(quants)s)",
            "JOIN UNNEST(%(quants)s::int[], %(qtys)s::numeric[]) AS c(id, qty)"
            " ON c.id = q.id",
        ),
        quants=quants.ids,
        qtys=counted_qtys,
        inventory=inventory.id,
        journal=journal.id,
        company=env.company.id,
        currency=env.company.currency_id.id,
        cost=COST,
        valuation=accounts["stock_valuation"].id,
        counterpart=env.company.cycle_count_loss_account_id.id,
    )

    def floor():
        env.cr.execute(query)
        moved, updated, entry_lines = env.cr.fetchone()
        assert moved == updated == size and entry_lines == 2 * size, (
            moved,
            updated,
            entry_lines,
        )

    return measure(env, floor)


RUNNERS = {"ours": run_ours, "native": run_native, "floor": run_floor}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sizes", nargs="*", type=int)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--quick", action="store_true", help="1 000 lines only")
    parser.add_argument("--db", default="cc_post_bench")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db_host")
    parser.add_argument("--db_port")
    parser.add_argument("--db_user")
    parser.add_argument("--db_password")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1000] if args.quick else [1000, 5000, 20000])
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown costing methods: {', '.join(sorted(unknown))}")
    odoo = odoo_setup(args)
    if not database_exists(args.db):
        log(f"Building {args.db} (cycle_count_accounting, no demo data)")
        odoo_command(
            args,
            *("-d", args.db, "-i", "cycle_count_accounting"),
            *("--without-demo=all", "--stop-after-init"),
        )
    for method in methods:
        with environment(odoo, args.db, commit=True) as env:
            setup_method(env, method, max(sizes))
    results = {}
    for method in methods:
        for size in sizes:
            for round_ in range(args.repeat):
                order = list(RUNNERS)
                order = order[round_ % 3 :] + order[: round_ % 3]
                for name in order:
                    with environment(odoo, args.db, commit=False) as env:
                        elapsed, queries, entries = RUNNERS[name](env, method, size)
                    log(
                        f"{method} {size} {name}: {1000 * elapsed / size:.2f} ms a "
                        f"line, {queries} queries, {entries} entries"
                    )
                    key = (method, size, name)
                    if key not in results or elapsed < results[key][0]:
                        results[key] = (elapsed, queries, entries)
    print_table(results, methods, sizes)
    return 0


def thousands(number):
    return f"{number:,}".replace(",", " ")


def print_table(results, methods, sizes):
    def cell(method, size, name):
        elapsed, queries, count = results[(method, size, name)]
        text = f"{1000 * elapsed / size:.2f} ms a line, {thousands(queries)} queries"
        return text + (f", {thousands(count)} entries" if name == "ours" else "")

    print()
    print(
        "| cost | N lines | ours (final approval → posted) | native "
        "`action_apply_inventory` | floor (one SQL statement) | native / ours "
        "| ours / floor |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method in methods:
        for size in sizes:
            ours = results[(method, size, "ours")][0]
            native = results[(method, size, "native")][0]
            floor = results[(method, size, "floor")][0]
            print(
                f"| {method} | {thousands(size)} | {cell(method, size, 'ours')} | "
                f"{cell(method, size, 'native')} | "
                f"{1000 * floor / size:.3f} ms a line | {native / ours:.1f}× | "
                f"{ours / floor:.0f}× |"
            )


if __name__ == "__main__":
    sys.exit(main())
