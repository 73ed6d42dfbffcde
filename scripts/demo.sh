#!/usr/bin/env bash
# Brings up the demo: Odoo 18 with the five addons and their demo data on a
# local PostgreSQL, served on http://localhost:8069 (log in as admin / admin).
# The demo-only addon cycle_count_demo is installed beside them: its demo data
# generates the Shenzhen DC's last ninety days (a production database has none).
#   scripts/demo.sh            install on first run, then serve
#   scripts/demo.sh --reset    drop the demo database and start over
# The company is Chinese (Shenzhen, CNY, Odoo's Chinese chart); English is the
# default language and Chinese is installed: the warehouse's users (counters,
# supervisor) work in Chinese, admin and the other demo users in English.
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

# Progress of an install: the modules as Odoo loads them (those installed
# before go by quickly), the demo generator's own lines (INFO, logger
# odoo.addons.cycle_count_demo), warnings and errors; not Odoo's other INFO
# lines. The install's whole log is in $LOG.
LOG=${TMPDIR:-/tmp}/$DB-install.log
odoo_step() {
    odoo "${DB_ARGS[@]}" -d "$DB" "$@" --stop-after-init --addons-path="$ADDONS_PATH" \
        --log-level=info 2>&1 | tee -a "$LOG" \
        | grep --line-buffered -E ' odoo\.modules\.loading: Loading module | odoo\.addons\.cycle_count_demo[a-z_.]*: | (WARNING|ERROR|CRITICAL) ' \
        | sed -u -E 's/^.* odoo\.modules\.loading: Loading module ([^ ]+) \(([0-9]+\/[0-9]+)\).*/    module \2 \1/; s/^.* odoo\.addons\.cycle_count_demo[a-z_.]*: /    /'
}
demo_company() {
    odoo shell "${DB_ARGS[@]}" -d "$DB" --addons-path="$ADDONS_PATH" --no-http \
        --log-level=warn <"$ROOT/scripts/demo_company.py" 2>&1 | tee -a "$LOG" \
        | sed -n -e 's/^demo company: /    /p' -e '/Traceback\|Error/p'
}

if [ "${1:-}" = "--reset" ]; then
    say "Dropping $DB"
    dropdb --if-exists "$DB"
fi
# The five addons make the demo; a database built before the generator had its
# own addon (18.0.1.x, then upgraded) has its history without cycle_count_demo.
installed=$(psql -d "$DB" -tAc "select count(*) from ir_module_module where name = any(string_to_array('$ADDONS', ',')) and state = 'installed'" 2>/dev/null || echo 0)
if [ "$installed" != 5 ]; then
    say "Creating $DB: a Chinese company in CNY, the five addons with demo data and their ninety days of history, in English and Chinese (takes a few minutes)"
    dropdb --if-exists "$DB"
    # In steps, because the company's currency cannot change once accounting has
    # entries: the company is in China before accounting is installed, so that
    # its chart is Odoo's Chinese one (l10n_cn), in CNY (scripts/demo_company.py).
    # English first: it is the default language; Chinese is installed beside it.
    say "1/4 Odoo's base, English (default) and Chinese"
    odoo_step -i base --load-language=en_US,zh_CN
    say "2/4 The company in Shenzhen, before any accounting"
    demo_company
    say "3/4 Accounting and stock with the Chinese chart of accounts (l10n_cn, CNY)"
    odoo_step -i l10n_cn,stock_account
    demo_company
    say "4/4 The five addons, their demo data and the Shenzhen DC's ninety days"
    odoo_step -i "$ADDONS,$DEMO_ADDON"
fi
say "Serving $DB on http://localhost:$PORT (admin / admin; counter: counter / counter)"
exec odoo "${DB_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" --addons-path="$ADDONS_PATH" \
    --http-port="$PORT" --log-level=info
