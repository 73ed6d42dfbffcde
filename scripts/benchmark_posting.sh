#!/usr/bin/env bash
# The posting benchmark (issue 14; see scripts/benchmark_posting.py and README.md):
#   scripts/benchmark_posting.sh [SIZES...] [--methods standard,average,fifo] [--quick]
#                                [--db NAME] [--repeat 2] [--no-concurrency]
# ours (final approval → posted) vs native action_apply_inventory vs one SQL
# statement, per costing method and size (default 1000 5000 20000; --quick:
# 1000), then posting beside picking (scripts/concurrency_check.sh
# --picking-only: 2 000 lines while 50 deliveries are validated, burst and one a
# second, single-line and 5-line deliveries; a chunk retried beside a held
# quant; the approver's click at 2 000 and 20 000 lines) on the same database.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ODOO_PY=$(odoo_python) || { warn "No Odoo 18 found: 'odoo' is not on PATH."; exit 1; }
ensure_runtime_packages
ensure_postgres || { warn "No PostgreSQL reachable."; exit 1; }
read -r -a DB_ARGS <<<"$(odoo_db_args)"
DB=cc_post_bench CONCURRENCY=1 ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --db) DB=$2; shift 2 ;;
        --no-concurrency) CONCURRENCY=""; shift ;;
        *) ARGS+=("$1"); shift ;;
    esac
done
"$ODOO_PY" "$ROOT/scripts/benchmark_posting.py" --db "$DB" --addons-path="$(addons_path)" \
    "${DB_ARGS[@]}" "${ARGS[@]}"
if [ -n "$CONCURRENCY" ]; then
    say "Posting beside picking on $DB"
    "$ROOT/scripts/concurrency_check.sh" --db "$DB" --picking-only \
        --lines 2000 --deliveries 50 --chunk 500 --per "1 5" --click "2000 20000"
fi
