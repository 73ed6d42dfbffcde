#!/usr/bin/env bash
# Brings up the demo: Odoo 18 with the five addons and their demo data on a
# local PostgreSQL, served on http://localhost:8069 (log in as admin / admin).
# The demo-only addon cycle_count_demo is installed beside them: its demo data
# generates the Shenzhen DC's last ninety days (a production database has none).
#   scripts/demo.sh            install on first run, then serve
#   scripts/demo.sh --reset    drop the demo database and start over
# Environment: DEMO_DB (default cycle_count_demo), HTTP_PORT (default 8069),
# PGHOST/PGPORT/PGUSER/PGPASSWORD for a PostgreSQL that is not the local socket.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DB=${DEMO_DB:-cycle_count_demo}
PORT=${HTTP_PORT:-8069}
DEMO_ADDON=cycle_count_demo

ODOO_PY=$(odoo_python) || {
    warn "No Odoo 18 found: 'odoo' is not on PATH (or is not Odoo 18.0)."
    warn "Install Odoo 18.0, or use Docker: docker compose -f docker/docker-compose.yml up"
    exit 1
}
ensure_runtime_packages
ensure_postgres || { warn "No PostgreSQL reachable."; exit 1; }
read -r -a DB_ARGS <<<"$(odoo_db_args)"
ADDONS_PATH=$(addons_path)

if [ "${1:-}" = "--reset" ]; then
    say "Dropping $DB"
    dropdb --if-exists "$DB"
fi
# The five addons make the demo; a database built before the generator had its
# own addon (18.0.1.x, then upgraded) has its history without cycle_count_demo.
installed=$(psql -d "$DB" -tAc "select count(*) from ir_module_module where name = any(string_to_array('$ADDONS', ',')) and state = 'installed'" 2>/dev/null || echo 0)
if [ "$installed" != 5 ]; then
    say "Creating $DB: the five addons with demo data and their ninety days of history, English and Chinese (takes a few minutes)"
    dropdb --if-exists "$DB"
    odoo "${DB_ARGS[@]}" -d "$DB" -i "$ADDONS,$DEMO_ADDON" --load-language=zh_CN --stop-after-init \
        --addons-path="$ADDONS_PATH" --log-level=warn
fi
say "Serving $DB on http://localhost:$PORT (admin / admin; counter: counter / counter)"
exec odoo "${DB_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" --addons-path="$ADDONS_PATH" \
    --http-port="$PORT" --log-level=info
