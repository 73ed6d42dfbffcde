#!/usr/bin/env bash
# Several processes, one database: two planners and two posters started together
# behind a barrier never plan an item twice nor apply a variance twice; a
# planner and a poster killed with -9 in the middle of their transaction leave
# nothing half-done, and a second run finishes the work once. Then posting
# beside picking (issue 14): a report of LINES variances posted in chunks of
# CHUNK while DELIVERIES deliveries of its products are validated, all at once
# (burst) and one a second (paced): the report posts each line once, every
# delivery validates; prints retries, deadlocks and the time. Each with
# single-line deliveries and with multi-line ones (--per: the products a
# delivery carries, default "1 5").
#
#   scripts/concurrency_check.sh [--db NAME] [--keep] [--picking-only]
#                                [--lines 2000] [--deliveries 50] [--chunk 500]
#                                [--per "1 5"] [--click "2000 20000"]
#
# --click: also time the approver's final click on reports of these sizes
# (above the background threshold --chunk): it must answer in under a second.
#
# Without --db it installs cycle_count_approval (and queue_job when importable:
# the cycle_count_queue bridge then installs by itself) into a fresh database,
# dropped at the end. Prints one line per check, "PASS: ..." or "FAIL: ...",
# and ends with "N passed, N failed" (scripts/test.sh counts them).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

DB="" KEEP="" PICKING_ONLY="" LINES=2000 DELIVERIES=50 CHUNK=500 PER="1 5" CLICK=""
while [ $# -gt 0 ]; do
    case "$1" in
        --db) DB=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --picking-only) PICKING_ONLY=1; shift ;;
        --lines) LINES=$2; shift 2 ;;
        --deliveries) DELIVERIES=$2; shift 2 ;;
        --chunk) CHUNK=$2; shift 2 ;;
        --per) PER=$2; shift 2 ;;
        --click) CLICK=$2; shift 2 ;;
        *) warn "unknown option $1"; exit 2 ;;
    esac
done
ODOO_PY=$(odoo_python) || { warn "no Odoo 18 on PATH"; exit 2; }
ADDONS_PATH=$(addons_path)
read -r -a DB_ARGS <<<"$(odoo_db_args)"
export CC_ODOO_ARGS="--addons-path=$ADDONS_PATH ${DB_ARGS[*]}"
WORK=$(mktemp -d)
LOG="$VAR/concurrency.log"
: >"$LOG"
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
failure() { failed=$((failed + 1)); echo "FAIL: $1"; }
run() { "$ODOO_PY" scripts/concurrency_check.py "$@" >>"$LOG" 2>&1; }
# The same in the background, $! being the Python process itself (a function
# sent to the background is a subshell: killing it would orphan the process).
run_bg() { "$ODOO_PY" scripts/concurrency_check.py "$@" >>"$LOG" 2>&1 & }

created=""
if [ -z "$DB" ]; then
    DB="cc_concurrency_$$"
    created=1
    modules=cycle_count_approval
    "$ODOO_PY" -c 'import odoo.addons.queue_job' 2>/dev/null && modules="$modules,queue_job"
    say "Installing $modules into $DB"
    if ! odoo "${DB_ARGS[@]}" -d "$DB" -i "$modules" --without-demo=all --stop-after-init \
            --addons-path="$ADDONS_PATH" --log-level=warn >>"$LOG" 2>&1; then
        failure "installing $modules (see $LOG)"
        echo "$passed passed, $failed failed"
        exit 1
    fi
fi
cleanup() {
    local pid
    for pid in $(jobs -p); do kill -9 "$pid" 2>/dev/null; done
    rm -rf "$WORK"
    [ -n "$created" ] && [ -z "$KEEP" ] && dropdb --if-exists "$DB" >/dev/null 2>&1
}
trap cleanup EXIT

# Wait (at most $2 seconds) for the files $1 (a glob) to number $3.
wait_files() {
    local deadline=$((SECONDS + $2))
    while [ "$(compgen -G "$1" | wc -l)" -lt "$3" ]; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.05
    done
}

# Two processes of role $1 behind the barrier; both must succeed.
race() {
    local role=$1 pids=() status=0
    rm -f "$WORK"/ready.* "$WORK/go"
    run_bg "$role" "$DB" "$WORK" "$role-1"
    pids+=($!)
    run_bg "$role" "$DB" "$WORK" "$role-2"
    pids+=($!)
    if wait_files "$WORK/ready.*" 300 2; then
        touch "$WORK/go"
    else
        status=1
    fi
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
    return $status
}

# A process of role $1 stalled inside its transaction, then killed with -9.
kill_midway() {
    local role=$1 pid
    rm -f "$WORK"/stalled.* "$WORK"/ready.* "$WORK/go"
    touch "$WORK/go"
    run_bg "$role" "$DB" "$WORK" "$role"
    pid=$!
    if ! wait_files "$WORK/stalled.*" 600 1; then
        kill -9 "$pid" 2>/dev/null
        return 1
    fi
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    # Its PostgreSQL sessions gone (rolled back): what is left is what a
    # restarted node finds.
    local deadline=$((SECONDS + 120))
    until [ "$(psql -d "$DB" -tAc "SELECT COUNT(*) FROM pg_stat_activity
                                    WHERE application_name = 'odoo-$pid'")" = 0 ]; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.05
    done
    return 0
}

# A poster and a picker behind the barrier (tag $1: burst or paced, then the
# products a delivery carries); both must succeed, then the check.
beside_picking() {
    local tag=$1 pids=() status=0
    rm -f "$WORK"/ready.* "$WORK/go"
    run_bg post "$DB" "$WORK" "post-$tag"
    pids+=($!)
    run_bg deliver "$DB" "$WORK" "deliver-$tag" "$tag"
    pids+=($!)
    if wait_files "$WORK/ready.*" 300 2; then
        touch "$WORK/go"
    else
        status=1
    fi
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
    return $status
}

picking_checks() {
    local phase per tag summary
    for per in $PER; do
        for phase in burst paced; do
            tag=$phase$per
            say "Posting $LINES lines (chunks of $CHUNK) while $DELIVERIES deliveries of $per of them each are validated ($phase)"
            if ! run seed-picking "$DB" "$WORK" "seed-$tag" "$phase" "$LINES" "$DELIVERIES" "$CHUNK" "$per"; then
                failure "seeding posting beside picking ($tag, see $LOG)"
                continue
            fi
            beside_picking "$tag" || failure "posting beside picking ($tag): a process failed (see $LOG)"
            if run check-picking "$DB" "$WORK" "check-$tag" "$tag"; then
                summary=$(grep -h "^\[check-$tag\] SUMMARY: " "$LOG" | tail -n1 | sed 's/.*SUMMARY: //')
                pass "beside picking ($phase, $per product(s) a delivery): $summary"
            else
                failure "beside picking ($phase, $per product(s) a delivery): not posted once each, a delivery not done or a deadlock (see $LOG)"
            fi
        done
    done
}

# The retry path: a second connection holds the quant of the report's first
# variance until the poster has backed off once; the poster posts the rest,
# then that variance once it is free. At least one retry, each line once.
retry_check() {
    local pids=() status=0 summary
    say "A second connection holds a quant of a report being posted: the chunk is run again"
    rm -f "$WORK"/ready.* "$WORK"/retried.* "$WORK/go"
    if ! run seed-retry "$DB" "$WORK" seed-retry; then
        failure "seeding the retry (see $LOG)"
        return
    fi
    run_bg hold "$DB" "$WORK" hold
    pids+=($!)
    # The poster starts once the row is held.
    if ! wait_files "$WORK/ready.hold" 300 1; then
        failure "the holder never held the quant (see $LOG)"
        return
    fi
    run_bg post-retry "$DB" "$WORK" post-retry
    pids+=($!)
    wait_files "$WORK/ready.post-retry" 300 1 && touch "$WORK/go"
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
    if [ $status -eq 0 ] && run check-retry "$DB" "$WORK" check-retry; then
        summary=$(grep -h "^\[check-retry\] SUMMARY: " "$LOG" | tail -n1 | sed 's/.*SUMMARY: //')
        pass "retried beside a held quant: $summary"
    else
        failure "the retry: not posted once each, or no retry (see $LOG)"
    fi
}

# The approver's click on a report above the threshold: under a second.
click_checks() {
    local lines line seconds
    for lines in $CLICK; do
        say "The approver's final click on a report of $lines lines (background above $CHUNK)"
        if ! run seed-click "$DB" "$WORK" "seed-click-$lines" "$lines" "$CHUNK" \
                || ! run click "$DB" "$WORK" "click-$lines" "$lines"; then
            failure "the click at $lines lines (see $LOG)"
            continue
        fi
        line=$(grep -h "^\[click-$lines\] CLICK: " "$LOG" | tail -n1 | sed 's/.*CLICK: //')
        seconds=$(sed 's/.*lines: \([0-9.]*\) s.*/\1/' <<<"$line")
        if awk -v s="$seconds" 'BEGIN { exit !(s < 1) }'; then
            pass "the approver's click: $line"
        else
            failure "the approver's click took a second or more: $line"
        fi
    done
}

if [ -n "$PICKING_ONLY" ]; then
    retry_check
    picking_checks
    click_checks
    grep -h "FAIL:" "$LOG" | sed 's/^/    /'
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

say "Seeding $DB: 4 warehouses of 150 items to plan, a report of 400 variances being applied (chunks of 25)"
run seed-race "$DB" "$WORK" && pass "seeded the race" || failure "seeding the race (see $LOG)"
say "Two planners at once (barrier), each as the cron does, then Plan Counts Now each"
race plan && pass "two planners ran to their end" || failure "a planner failed (see $LOG)"
say "Two posters at once (barrier), a chunk per transaction"
race apply && pass "two posters ran to their end" || failure "a poster failed (see $LOG)"
run check "$DB" "$WORK" check race \
    && pass "each item planned once, each variance applied once, quants right" \
    || failure "planned or applied twice or not at all (see $LOG)"
grep -h "\] done:" "$LOG" | sed 's/^/    /'

say "Seeding 3 more warehouses and another report, for kill -9"
run seed-kill "$DB" "$WORK" && pass "seeded the kill runs" || failure "seeding the kill runs (see $LOG)"
say "A planner killed -9 inside its second warehouse, a poster inside its third chunk"
kill_midway plan-stall && pass "planner killed midway" || failure "the planner never stalled (see $LOG)"
kill_midway apply-stall && pass "poster killed midway" || failure "the poster never stalled (see $LOG)"
run check-kill "$DB" "$WORK" check-kill kill \
    && pass "nothing half-done after kill -9 (no line of the killed warehouse, only whole chunks)" \
    || failure "a killed process left work half-done (see $LOG)"
say "Run again: the rest is done, once"
run plan "$DB" "" plan-again && run apply "$DB" "" apply-again \
    && pass "the second run finished" || failure "the second run failed (see $LOG)"
run check "$DB" "$WORK" check kill \
    && pass "after the kills: each item planned once, each variance applied once" \
    || failure "after the kills: planned or applied twice or not at all (see $LOG)"
retry_check
picking_checks
click_checks
grep -h "FAIL:" "$LOG" | sed 's/^/    /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
