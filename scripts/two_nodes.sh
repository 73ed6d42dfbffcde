#!/usr/bin/env bash
# Two Odoo nodes on one database behind nginx, on this machine: both with
# Odoo's multi-process server (--workers=2), the first also running queue_job's
# job runner; nginx round robin in front. Checks, through the proxy only, the
# login page, the counting API, one web session on both nodes (the counting
# app's page) and the planning jobs run by the runner (scripts/two_nodes.py).
#
#   scripts/two_nodes.sh --db NAME [--port 8190]
#
# NAME: a database with the suite and queue_job installed (the bridge
# cycle_count_queue with it). Ports: PORT, PORT+1 (node 1 and its websocket),
# PORT+2, PORT+3 (node 2), PORT+4 (nginx). Needs nginx (apt-get install nginx).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

DB="" PORT=8190
while [ $# -gt 0 ]; do
    case "$1" in
        --db) DB=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        *) warn "unknown option $1"; exit 2 ;;
    esac
done
[ -n "$DB" ] || { warn "--db NAME is required"; exit 2; }
ODOO_PY=$(odoo_python) || { warn "no Odoo 18 on PATH"; exit 2; }
command -v nginx >/dev/null || { warn "nginx is missing (apt-get install -y nginx)"; exit 2; }
ADDONS_PATH=$(addons_path)
read -r -a DB_ARGS <<<"$(odoo_db_args)"
export CC_ODOO_ARGS="--addons-path=$ADDONS_PATH ${DB_ARGS[*]}"
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    local pid
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

say "Setting up a counter, a task and a rule in $DB"
"$ODOO_PY" scripts/two_nodes.py setup "$DB" "$WORK/state.json" || exit 1

node() {  # node NUMBER HTTP_PORT EXTRA...
    local n=$1 port=$2
    shift 2
    odoo "${DB_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" --addons-path="$ADDONS_PATH" \
        --http-port="$port" --gevent-port=$((port + 1)) --workers=2 --max-cron-threads=1 \
        --proxy-mode --limit-time-real=600 --logfile="$VAR/node$n.log" --log-level=info "$@" &
    PIDS+=($!)
}
: >"$VAR/node1.log"
: >"$VAR/node2.log"
say "Node 1 on $PORT (with the job runner), node 2 on $((PORT + 2)), nginx on $((PORT + 4))"
ODOO_QUEUE_JOB_CHANNELS="root:2,root.cycle_count:1" node 1 "$PORT" --load=base,web,queue_job
node 2 $((PORT + 2)) --load=base,web

cat >"$WORK/nginx.conf" <<CONF
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events {}
http {
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/body;
    proxy_temp_path $WORK/proxy;
    upstream odoo_http { server 127.0.0.1:$PORT; server 127.0.0.1:$((PORT + 2)); }
    server {
        listen 127.0.0.1:$((PORT + 4));
        proxy_read_timeout 720s;
        proxy_set_header Host \$host:\$server_port;
        proxy_set_header X-Forwarded-Host \$host:\$server_port;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        add_header X-Upstream \$upstream_addr always;
        location / { proxy_pass http://odoo_http; proxy_redirect off; }
    }
}
CONF
nginx -c "$WORK/nginx.conf" || exit 1

# Both nodes up: their health route answers (a condition, not a time).
for port in "$PORT" $((PORT + 2)); do
    deadline=$((SECONDS + 300))
    until curl -fs "http://127.0.0.1:$port/web/health" >/dev/null; do
        [ $SECONDS -lt $deadline ] || { warn "node on $port did not start"; exit 1; }
        sleep 0.2
    done
done
say "Checks through the proxy"
"$ODOO_PY" scripts/two_nodes.py check "$DB" "$WORK/state.json" "http://127.0.0.1:$((PORT + 4))"
status=$?
errors=$(grep -hcE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$VAR/node1.log" "$VAR/node2.log" | paste -sd+ | bc)
echo "ERROR lines in the two nodes' logs: $errors"
[ "$status" -eq 0 ] && [ "$errors" -eq 0 ]
