"""Proves that a database of the last 18.0.1.x release keeps its data when it is
upgraded to this code with ``odoo -u``.

    python scripts/upgrade_check.py snapshot DB FILE   # before the upgrade
    python scripts/upgrade_check.py compare DB FILE    # after: exit 1 on any loss

A snapshot is, for every table of the suite and every link between its records
(tasks → lines, lines → rules, variances → stock moves → journal entries, events,
ABC history, what devices sent), a row count and a fingerprint of the ids and the
columns that carry the link. Tables or columns renamed by 18.0.2.0.0 are read
under their old name before and their new name after (RENAMED), so the
fingerprints must match exactly. Runs with the Python of Odoo (psycopg2).
"""

import hashlib
import json
import sys

import psycopg2

# (label, SQL) — each query returns rows whose fingerprint must survive.
# {table}/{column} placeholders are resolved through RENAMED below.
CHECKS = [
    (
        "count tasks",
        "SELECT id, name, state, warehouse_id, user_id FROM cycle_count_task",
    ),
    (
        "count lines",
        "SELECT id, task_id, product_id, location_id, lot_id, package_id, is_counted,"
        " counted_qty, book_qty, counter_id, counted_at FROM cycle_count_line",
    ),
    ("line routes", "SELECT id, {route_column} FROM cycle_count_line"),
    (
        "lines planned by rules",
        "SELECT line_id, rule_id FROM cycle_count_line_rule_rel",
    ),
    (
        "line photos",
        "SELECT line_id, attachment_id FROM cycle_count_line_attachment_rel",
    ),
    ("planning rules", "SELECT id, name, active, company_id FROM cycle_count_rule"),
    ("reasons", "SELECT id, code FROM cycle_count_reason"),
    (
        "events",
        "SELECT id, state, line_id, product_id, location_id FROM cycle_count_event",
    ),
    (
        "ABC classes of products",
        "SELECT id, profile_id, product_id, warehouse_id, abc_class_id, rank, date"
        " FROM cycle_count_product_class",
    ),
    (
        "ABC history",
        "SELECT id, profile_id, product_id, old_class_id, new_class_id, date"
        " FROM cycle_count_product_class_history",
    ),
    ("ABC profiles", "SELECT id, name FROM cycle_count_abc_profile"),
    ("capacities", "SELECT id, warehouse_id FROM cycle_count_capacity"),
    (
        "variance reports",
        "SELECT id, name, state, task_id, total_gain, total_loss FROM cycle_count_adjustment",
    ),
    (
        "variances",
        "SELECT id, adjustment_id, count_line_id, difference_qty, variance_value"
        " FROM cycle_count_adjustment_line",
    ),
    (
        "approval reviews",
        "SELECT id, res_id, status, done_by, definition_id FROM tier_review"
        " WHERE model = 'cycle.count.adjustment'",
    ),
    (
        "stock moves of variances",
        "SELECT id, cycle_count_adjustment_line_id, state, quantity FROM stock_move"
        " WHERE cycle_count_adjustment_line_id IS NOT NULL",
    ),
    (
        "journal entries of variances",
        "SELECT am.id, am.state, am.amount_total FROM account_move am"
        " JOIN stock_move sm ON sm.id = am.stock_move_id"
        " WHERE sm.cycle_count_adjustment_line_id IS NOT NULL",
    ),
    (
        "what devices sent",
        "SELECT id, client_ref, kind, task_id, line_id, result FROM {sync_table}",
    ),
    ("quants", "SELECT id, product_id, location_id, lot_id, quantity FROM stock_quant"),
]

# Names of 18.0.1.x → names of 18.0.2.0.0. A name missing from the database is
# looked up under the other one, so the same snapshot reads either release.
RENAMED = {
    "sync_table": ("cycle_count_receipt", "cycle_count_sync_record"),
    "route_column": ("location_sequence", "route_key"),
}


def resolve(cr, placeholder):
    """The name that this database uses for a renamed table or column."""
    for name in RENAMED[placeholder]:
        if placeholder.endswith("_table"):
            cr.execute("SELECT to_regclass(%s)", [name])
            if cr.fetchone()[0]:
                return name
        else:
            cr.execute(
                "SELECT 1 FROM information_schema.columns"
                " WHERE table_name = 'cycle_count_line' AND column_name = %s",
                [name],
            )
            if cr.fetchone():
                return name
    raise SystemExit(f"none of {RENAMED[placeholder]} exists in this database")


def snapshot(dbname):
    with psycopg2.connect(dbname=dbname) as conn, conn.cursor() as cr:
        names = {placeholder: resolve(cr, placeholder) for placeholder in RENAMED}
        result = {}
        for label, sql in CHECKS:
            cr.execute(sql.format(**names) + " ORDER BY 1")
            rows = cr.fetchall()
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            result[label] = {"rows": len(rows), "sha256": digest}
        return result


def main(argv):
    command, dbname, path = argv
    if command == "snapshot":
        with open(path, "w", encoding="utf-8") as f:
            json.dump(snapshot(dbname), f, indent=1)
        return 0
    before = json.load(open(path, encoding="utf-8"))
    after = snapshot(dbname)
    lost = 0
    for label, figures in before.items():
        same = after[label] == figures
        lost += not same
        print(
            f"{'kept' if same else 'CHANGED':>7}  {label}: {figures['rows']} rows"
            + ("" if same else f" before, {after[label]['rows']} after")
        )
    empty = [label for label, figures in before.items() if not figures["rows"]]
    if empty:
        print(
            "(empty before the upgrade, so proving nothing: " + ", ".join(empty) + ")"
        )
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
