#!/usr/bin/env bash
# The planning benchmark (see scripts/benchmark_planning.py and README.md):
#   scripts/benchmark_planning.sh generate [--db NAME]   build NAME_base, NAME, NAME_oca (once, ~5 min)
#   scripts/benchmark_planning.sh run [--db NAME]        measure and print the table (~15 min)
#   scripts/benchmark_planning.sh table                  the last run's table again
# Installs the OCA addons it compares with (requirements-bench.txt) into Odoo's
# Python when they are missing, with pip --no-deps.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ODOO_PY=$(odoo_python) || { warn "No Odoo 18 found: 'odoo' is not on PATH."; exit 1; }
ensure_runtime_packages
if ! "$ODOO_PY" -c 'import odoo.addons.stock_cycle_count' 2>/dev/null; then
    say "Installing the OCA addons of the comparison from PyPI into $ODOO_PY"
    pip_install --no-deps -r "$ROOT/requirements-bench.txt"
fi
ensure_postgres || { warn "No PostgreSQL reachable."; exit 1; }
read -r -a DB_ARGS <<<"$(odoo_db_args)"
exec "$ODOO_PY" "$ROOT/scripts/benchmark_planning.py" --addons-path="$(addons_path)" "${DB_ARGS[@]}" "$@"
