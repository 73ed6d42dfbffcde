#!/usr/bin/env bash
# The counting benchmark (README.md, "Benchmarks"):
#   scripts/benchmark_counting.sh [--db cc_bench] [--quants 200000] [--counts 10000] [--batch 100] [--workers 0]
# generates the database once (the five addons and --quants quants), then counts
# through the API and through JSON-RPC in one run and prints the figures.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ODOO_PY=$(odoo_python) || { warn "No Odoo 18 found: 'odoo' is not on PATH."; exit 1; }
ensure_runtime_packages
ensure_postgres
exec "$ODOO_PY" scripts/benchmark_counting.py all --addons-path="$(addons_path)" "$@"
