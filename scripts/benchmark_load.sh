#!/usr/bin/env bash
# The load benchmark (README.md, "Benchmarks"):
#   scripts/benchmark_load.sh [--db cc_load] [--workers 1,2,4] [--devices 1,4,16]
#                             [--counts 500] [--batch 100] [--shared 8] [--port 8180]
# 1, 4 and 16 devices counting at once (each its own task, API keys, batches of
# 100) against `odoo --workers=N`, then 8 devices on one task; prints throughput,
# batch p50 / p95, server retries, 5xx and the database check of every run.
# Exits non-zero on any 5xx or a count lost, doubled or wrong.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ODOO_PY=$(odoo_python) || { warn "No Odoo 18 found: 'odoo' is not on PATH."; exit 1; }
ensure_runtime_packages
ensure_postgres
exec "$ODOO_PY" scripts/benchmark_load.py --addons-path="$(addons_path)" "$@"
