#!/usr/bin/env bash
# Runs every test of the suite and ends with a line "N passed, N failed".
#   1. static checks (pre-commit: ruff, ruff-format, pylint-odoo, XML) and the
#      tests that need no Odoo (checks/), in a virtualenv of their own;
#   2. with `odoo` on PATH: a fresh database with the suite's addons installed
#      (no demo data), every Odoo test of the suite under pytest-odoo, browser
#      tours in headless Chromium included, the log scanned for ERRORs, and the
#      Chinese translations checked against a fresh export of every term.
# Without `odoo` on PATH, step 2 is reported as not run, never as passed.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# scripts/test.sh --schemathesis DB: the static checks, checks/ and then only the
# schemathesis step, on DB (the suite's addons installed).
ONLY_SCHEMATHESIS=""
[ "${1:-}" != "--schemathesis" ] || ONLY_SCHEMATHESIS=${2:?"--schemathesis needs a database"}

passed=0
failed=0
failures=()
add_result() { passed=$((passed + $1)); failed=$((failed + $2)); }
fail() { failed=$((failed + 1)); failures+=("$1"); warn "$1"; }

# Counts from a JUnit XML report: "tests failures errors skipped".
junit_counts() {
    python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
print(*(sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")))
PY
}

# Adds a pytest run's JUnit report to the totals; no report means it did not run.
add_junit() {
    local file=$1 label=$2 hint=${3:-}
    if [ ! -f "$file" ]; then
        fail "$label did not run"
        return
    fi
    read -r t f e s < <(junit_counts "$file")
    add_result $((t - f - e - s)) $((f + e + s))
    [ $((f + e + s)) -eq 0 ] || failures+=("$label: $f failed, $e errors, $s skipped$hint")
}

# --- 1. Static checks and tests without Odoo --------------------------------
# In the background, beside step 2's preparation and installation (the results
# and output are added when collected: before the translation check and at the end).
static_checks() {
    passed=0 failed=0 failures=()
    say "Static checks"
    if [ ! -x .venv/bin/pre-commit ] || ! .venv/bin/python -c 'import polib, pytest' 2>/dev/null; then
        python3 -m venv .venv && .venv/bin/pip install -q -r requirements-dev.txt
    fi
    for hook in ruff ruff-format pylint-odoo oca-checks-odoo-module oca-checks-po xml-well-formed trailing-whitespace; do
        if .venv/bin/pre-commit run "$hook" --all-files >"$VAR/pre-commit-$hook.log" 2>&1; then
            add_result 1 0
        else
            cat "$VAR/pre-commit-$hook.log"
            fail "static check failed: $hook"
        fi
    done

    say "Tests that need no Odoo (checks/)"
    # A report left by an earlier run must not stand for this one.
    rm -f "$VAR/checks.xml"
    .venv/bin/python -m pytest checks -q -p no:cacheprovider --junitxml="$VAR/checks.xml" || true
    add_junit "$VAR/checks.xml" "checks/"
    echo "$passed $failed" >"$VAR/static.result"
    printf '%s
' "${failures[@]}" >"$VAR/static.failures"
}
rm -f "$VAR/static.result" "$VAR/static.failures"
static_checks >"$VAR/static.log" 2>&1 &
STATIC_PID=$!

# Waits for step 1 and adds its output and results (once).
collect_static() {
    [ -n "${STATIC_PID:-}" ] || return 0
    wait "$STATIC_PID"
    STATIC_PID=""
    cat "$VAR/static.log"
    if read -r static_passed static_failed <"$VAR/static.result" 2>/dev/null; then
        add_result "$static_passed" "$static_failed"
        while IFS= read -r line; do [ -z "$line" ] || failures+=("$line"); done <"$VAR/static.failures"
    else
        fail "the static checks ended without results"
    fi
}

# --- 2. Odoo tests -------------------------------------------------------------
finish() {
    collect_static
    echo
    if [ ${#failures[@]} -gt 0 ]; then
        warn "Failures:"
        printf '  - %s\n' "${failures[@]}" >&2
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

ODOO_PY=$(odoo_python) || ODOO_PY=""
if [ -z "$ODOO_PY" ]; then
    odoo_tests=$(grep -rlE "^class .*\((.*Case|.*Common)" cycle_count_*/tests --include='test_*.py' | wc -l)
    echo
    warn "No Odoo 18 found: 'odoo' is not on PATH (or is not Odoo 18.0)."
    warn "NOT RUN: the Odoo tests ($odoo_tests test files: TransactionCase, HttpCase and browser tours)"
    warn "and the translation check against Odoo's export. Only the static checks and checks/ ran."
    finish
fi

say "Odoo: $(odoo --version 2>/dev/null) with $ODOO_PY"
ensure_runtime_packages || fail "could not install the OCA addons"
ensure_python_packages "pytest_odoo=pytest-odoo==2.3.*" "odoo_test_helper=odoo-test-helper>=2.1" \
    "websocket=websocket-client>=1.6" "freezegun=freezegun>=1.2" "hypothesis=hypothesis>=6.100" \
    "openapi_spec_validator=openapi-spec-validator>=0.7" \
    || fail "could not install the test requirements (requirements-test.txt)"
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
    say "Installing Chromium for the browser tours (Debian package)"
    as_root apt-get update -q >/dev/null 2>&1 || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
        || fail "Chromium is missing and could not be installed: browser tours cannot run"
fi
# Odoo prints reports (the variance report, 盘盈单 / 盘亏报损单) with wkhtmltopdf.
if ! command -v wkhtmltopdf >/dev/null; then
    say "Installing wkhtmltopdf for the PDF documents (Debian package)"
    as_root apt-get update -q >/dev/null 2>&1 || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wkhtmltopdf >/dev/null 2>&1 \
        || fail "wkhtmltopdf is missing and could not be installed: the PDF documents cannot be checked"
fi
"$ODOO_PY" -c 'import websocket' 2>/dev/null || fail "websocket-client is missing: browser tours cannot run"
ensure_postgres || { fail "no PostgreSQL reachable on localhost"; finish; }

ADDONS_PATH=$(addons_path)
HTTP_PORT=${CC_TEST_HTTP_PORT:-8069}
# The last 18.0.1.x release on main: a database of it must upgrade to this code.
UPGRADE_FROM=${CC_UPGRADE_FROM:-7b124d8}
ADDONS_V1="cycle_count_planning,cycle_count_mobile,cycle_count_approval,cycle_count_accounting,cycle_count_dashboard"

# ERROR lines of Odoo logs ($1: files): one result, passed when there is none.
scan_errors() {
    local label=$2 errors
    # shellcheck disable=SC2086 # $1 is a list of files
    errors=$(grep -hE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' $1 2>/dev/null || true)
    if [ -n "$errors" ]; then
        echo "$errors" | head -n 50
        fail "$(echo "$errors" | wc -l) ERROR line(s) in the Odoo log ($label)"
    else
        add_result 1 0
    fi
}

# The test folders of the suite's addons installed in database $1: a test of an
# addon that is not installed would only be skipped.
installed_tests() {
    psql -d "$1" -tAc "select string_agg(name || '/tests', ' ' order by name) \
        from ir_module_module where name like 'cycle_count_%' and state = 'installed'"
}

# Installs ADDON (and what it depends on) alone into a fresh database and runs
# ADDON's own tests there (further arguments go to pytest).
run_alone() {
    local addon=$1 db="cc_alone_${1#cycle_count_}_$$" log="$VAR/alone-$1.log" tests=()
    shift
    rm -f "$log" "$VAR/alone-$addon.xml"
    if ! odoo "${DB_ARGS[@]}" -d "$db" -i "$addon" --without-demo=all --stop-after-init \
            --addons-path="$ADDONS_PATH" --logfile="$log" --log-level=warn; then
        fail "installing $addon alone failed (see $log)"
        return
    fi
    tests=("$addon/tests" "$@")
    "$ODOO_PY" -m pytest "${tests[@]}" \
        --odoo-database="$db" --odoo-addons-path="$ADDONS_PATH" --odoo-http \
        --odoo-log-level=warn --odoo-extra=test-enable --odoo-extra=logfile="$log" \
        --odoo-extra=http-port="$HTTP_PORT" "${DB_ARGS[@]/#--/--odoo-extra=}" \
        -p no:cacheprovider -q -rfEs --junitxml="$VAR/alone-$addon.xml" || true
    add_junit "$VAR/alone-$addon.xml" "tests with $addon alone (${tests[*]})"
    scan_errors "$log" "with $addon alone"
    [ -n "${KEEP_DB:-}" ] || dropdb --if-exists "$db" >/dev/null 2>&1
}

# A database of the 18.0.1.x release (its code from git history) with demo data,
# upgraded with -u to this code: every record and link must be kept.
check_upgrade() {
    local old="$VAR/upgrade-from" db="cc_upgrade_$$" before="$VAR/upgrade-before.json"
    local default_path versions label
    if ! git cat-file -e "$UPGRADE_FROM^{commit}" 2>/dev/null; then
        fail "upgrade not checked: commit $UPGRADE_FROM (18.0.1.x) is not in this clone's history"
        return
    fi
    rm -rf "$old" && mkdir -p "$old" && git archive "$UPGRADE_FROM" | tar -x -C "$old"
    default_path=${ADDONS_PATH%,"$ROOT"}
    dropdb --if-exists "$db" >/dev/null 2>&1
    # With Chinese, as the demo installs it: the upgrade must bring its new terms.
    if ! odoo "${DB_ARGS[@]}" -d "$db" -i "$ADDONS_V1" --load-language=zh_CN --stop-after-init \
            --addons-path="$default_path,$old" --logfile="$VAR/upgrade-install.log" --log-level=warn; then
        fail "installing the 18.0.1.x addons ($UPGRADE_FROM) with demo data failed"
        return
    fi
    # The demo has no ABC classes, events, capacity, photo or device counts yet:
    # that release's own methods add some, so that the check covers them too.
    if ! odoo shell "${DB_ARGS[@]}" -d "$db" --addons-path="$default_path,$old" --no-http \
            --log-level=warn <scripts/upgrade_enrich_v1.py 2>&1 | tee "$VAR/upgrade-enrich.log" \
            | grep -q '^enriched:'; then
        cat "$VAR/upgrade-enrich.log"
        fail "could not add ABC classes, events and device counts to the 18.0.1.x database"
        return
    fi
    "$ODOO_PY" scripts/upgrade_check.py snapshot "$db" "$before" || { fail "upgrade snapshot failed"; return; }
    if odoo "${DB_ARGS[@]}" -d "$db" -u "$ADDONS" --stop-after-init \
            --addons-path="$ADDONS_PATH" --logfile="$VAR/upgrade.log" --log-level=info; then
        add_result 1 0
    else
        tail -n 40 "$VAR/upgrade.log"
        fail "upgrading the 18.0.1.x database failed (see $VAR/upgrade.log)"
        return
    fi
    scan_errors "$VAR/upgrade.log" "upgrade"
    if "$ODOO_PY" scripts/upgrade_check.py compare "$db" "$before"; then
        add_result 1 0
    else
        fail "the upgrade lost or changed records (see above)"
    fi
    # A term whose English changed has its new Chinese, not the 18.0.1 one
    # (已过账, "posted"): the post-migrations reload the shipped translations.
    label=$(psql -d "$db" -tAc "select s.name->>'zh_CN' from ir_model_fields_selection s \
        join ir_model_fields f on f.id = s.field_id where f.model = 'cycle.count.adjustment' \
        and f.name = 'state' and s.value = 'posted'")
    if [ "$label" = "已更正库存" ]; then
        add_result 1 0
    else
        fail "after the upgrade, the Chinese of 'Applied to Stock' is '$label', not 已更正库存"
    fi
    # The demo-only addon on the upgraded demo database (its history is there
    # already, so it writes none), and its tests of that history. The story of
    # this release (test_demo_story.py) is told only on a new demo database
    # (scripts/demo.sh --reset, 15 to 45 minutes here): checked there, by hand.
    if odoo "${DB_ARGS[@]}" -d "$db" -i cycle_count_demo --stop-after-init \
            --addons-path="$ADDONS_PATH" --logfile="$VAR/upgrade-demo.log" --log-level=warn; then
        rm -f "$VAR/demo-tests.xml"
        "$ODOO_PY" -m pytest cycle_count_demo/tests \
            --ignore=cycle_count_demo/tests/test_demo_story.py \
            --odoo-database="$db" --odoo-addons-path="$ADDONS_PATH" \
            --odoo-log-level=warn --odoo-extra=test-enable --odoo-extra=logfile="$VAR/upgrade-demo.log" \
            "${DB_ARGS[@]/#--/--odoo-extra=}" \
            -p no:cacheprovider -q -rfEs --junitxml="$VAR/demo-tests.xml" || true
        add_junit "$VAR/demo-tests.xml" "cycle_count_demo tests on the upgraded demo database"
        scan_errors "$VAR/upgrade-demo.log" "cycle_count_demo"
    else
        fail "installing cycle_count_demo on the upgraded database failed (see $VAR/upgrade-demo.log)"
    fi
    versions=$(psql -d "$db" -tAc "select string_agg(name || ' ' || latest_version, ', ' order by name) \
        from ir_module_module where name like 'cycle_count_%' and state = 'installed' \
        and latest_version <> '18.0.2.0.0'")
    if [ -n "$versions" ]; then
        fail "after the upgrade, not at 18.0.2.0.0: $versions"
    else
        add_result 1 0
    fi
    [ -n "${KEEP_DB:-}" ] || dropdb --if-exists "$db" >/dev/null 2>&1
}

# A bounded schemathesis run against the served openapi.json of database $1 (the
# suite's addons installed): a counter's API key and task, generated requests of
# every operation (examples, fuzzing, stateful: its coverage phase stops on a
# SystemError of CPython 3.11's ast module in hypothesis), failing on any 5xx,
# an answer the document does not describe, a schema-violating request accepted
# or a valid one refused with an undocumented status. In a virtualenv of its own
# (requirements-schemathesis.txt: it needs a newer Werkzeug than Odoo's).
SCHEMATHESIS_VENV="$VAR/schemathesis-venv"
install_schemathesis() {
    "$SCHEMATHESIS_VENV/bin/python" -c 'import schemathesis' 2>/dev/null && return 0
    say "Installing schemathesis into $SCHEMATHESIS_VENV"
    python3 -m venv "$SCHEMATHESIS_VENV" \
        && "$SCHEMATHESIS_VENV/bin/pip" install -q -r requirements-schemathesis.txt \
            >"$VAR/schemathesis-install.log" 2>&1
}

run_schemathesis() {
    local db=$1 port=${CC_SCHEMATHESIS_PORT:-$((HTTP_PORT + 1))} venv="$SCHEMATHESIS_VENV"
    local log="$VAR/schemathesis-server.log" report="$VAR/schemathesis.xml" pid key task line
    local examples=${CC_SCHEMATHESIS_EXAMPLES:-8}
    rm -f "$log" "$report"
    [ -z "${SCHEMATHESIS_PID:-}" ] || wait "$SCHEMATHESIS_PID"
    install_schemathesis \
        || { fail "schemathesis could not be installed (requirements-schemathesis.txt)"; return; }
    read -r key task line < <(odoo shell "${DB_ARGS[@]}" -d "$db" --addons-path="$ADDONS_PATH" \
        --no-http --log-level=warn <scripts/schemathesis_setup.py 2>/dev/null | sed -n 's/^schemathesis: //p')
    [ -n "${line:-}" ] || { fail "schemathesis: no counter, task and API key could be made in $db"; return; }
    # No cron thread: only the generated requests touch the database.
    odoo "${DB_ARGS[@]}" -d "$db" --addons-path="$ADDONS_PATH" --http-port="$port" \
        --max-cron-threads=0 --logfile="$log" --log-level=info &
    pid=$!
    for _ in $(seq 1 120); do
        curl -sf "http://localhost:$port/web/health" >/dev/null 2>&1 && break
        sleep 1
    done
    printf '[parameters]\n"path.task_id" = %s\n"path.line_id" = %s\n%s\n' "$task" "$line" \
        '[checks.positive_data_acceptance]
# A request the schema allows may still be refused for what it names: a line of
# another task (422), a photo whose bytes are no image (415), a task already
# counted (409), another counter'"'"'s or no such record (403, 404).
expected-statuses = ["2xx", "401", "403", "404", "409", "415", "422"]

[checks.negative_data_rejection]
# Refused as the document says: 413 for a batch over its maxItems, too.
expected-statuses = ["400", "401", "403", "404", "405", "409", "413", "415", "422"]' >"$VAR/schemathesis.toml"
    say "schemathesis: $examples examples per operation on port $port (task $task, line $line)"
    timeout 600 "$venv/bin/st" --config-file "$VAR/schemathesis.toml" --no-color run \
        "http://localhost:$port/cycle_count/api/v1/openapi.json" \
        -H "Authorization: Bearer $key" --max-examples "$examples" --workers 2 \
        --phases examples,fuzzing,stateful \
        --seed "${CC_SCHEMATHESIS_SEED:-20261201}" --generation-database none \
        --request-timeout 60 --report junit --report-junit-path "$report" \
        | tee "$VAR/schemathesis.log" | tail -n 40
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    add_junit "$report" "schemathesis"
    scan_errors "$log" "schemathesis"
}

if [ -n "$ONLY_SCHEMATHESIS" ]; then
    read -r -a DB_ARGS <<<"$(odoo_db_args)"
    run_schemathesis "$ONLY_SCHEMATHESIS"
    finish
fi

DB="cc_test_$(date +%Y%m%d_%H%M%S)_$$"
read -r -a DB_ARGS <<<"$(odoo_db_args)"
INSTALL_LOG="$VAR/install.log"
TEST_LOG="$VAR/odoo-tests.log"
rm -f "$INSTALL_LOG" "$TEST_LOG" "$VAR/odoo-tests.xml"
DB_B="${DB}_b"
# "ready" once DB_B, the copy of the main database, is made; "none" if it is not.
SPLIT_STATE="$VAR/split.state"
rm -f "$SPLIT_STATE"
cleanup() {
    [ -n "${KEEP_DB:-}" ] || { dropdb --if-exists "$DB" >/dev/null 2>&1; dropdb --if-exists "$DB_B" >/dev/null 2>&1; }
}
trap cleanup EXIT

# cycle_count_approval with queue_job (the cycle_count_queue bridge installs by
# itself): its tests; then two planners and two posters at once and kill -9
# midway, posting beside picking (scripts/concurrency_check.sh, one result per
# check), same database.
check_jobs() {
    local db="cc_jobs_$$" log="$VAR/jobs.log" out="$VAR/concurrency.out"
    rm -f "$log" "$VAR/jobs.xml"
    if ! odoo "${DB_ARGS[@]}" -d "$db" -i cycle_count_approval,queue_job --without-demo=all \
            --stop-after-init --addons-path="$ADDONS_PATH" --logfile="$log" --log-level=warn; then
        fail "installing cycle_count_approval with queue_job failed (see $log)"
        return
    fi
    "$ODOO_PY" -m pytest cycle_count_queue/tests \
        --odoo-database="$db" --odoo-addons-path="$ADDONS_PATH" --odoo-log-level=warn \
        --odoo-extra=test-enable --odoo-extra=logfile="$log" \
        --odoo-extra=http-port="$HTTP_PORT" "${DB_ARGS[@]/#--/--odoo-extra=}" \
        -p no:cacheprovider -q -rfEs --junitxml="$VAR/jobs.xml" || true
    add_junit "$VAR/jobs.xml" "cycle_count_queue tests"
    scan_errors "$log" "queue_job bridge"
    # Posting beside picking, short (the full 2 000 lines and 50 deliveries:
    # scripts/benchmark_posting.sh).
    scripts/concurrency_check.sh --db "$db" --lines 100 --deliveries 10 --chunk 25 | tee "$out"
    add_result "$(grep -c '^PASS: ' "$out")" 0
    while read -r line; do fail "concurrency: ${line#FAIL: }"; done < <(grep '^FAIL: ' "$out")
    [ -n "${KEEP_DB:-}" ] || dropdb --if-exists "$db" >/dev/null 2>&1
}

# The mobile app's browser tours, on DB_B, the copy of the main database made
# before any test ran: they belong to the main run, moved to this lane so that
# both lanes end together. Waits for the main lane to say whether the copy is made.
SPLIT_TESTS=(cycle_count_mobile/tests/test_*tour*.py)
run_split() {
    local log="$VAR/odoo-tests-b.log"
    rm -f "$log" "$VAR/odoo-tests-b.xml"
    # $$: the main lane (this lane is its subshell); gone, it will say nothing.
    while [ ! -f "$SPLIT_STATE" ] && kill -0 $$ 2>/dev/null; do sleep 1; done
    [ -f "$SPLIT_STATE" ] || return 0
    [ "$(cat "$SPLIT_STATE")" = ready ] || return 0
    say "The mobile app's browser tours, on a copy of the main database"
    "$ODOO_PY" -m pytest "${SPLIT_TESTS[@]}" \
        --odoo-database="$DB_B" --odoo-addons-path="$ADDONS_PATH" --odoo-http \
        --odoo-log-level=info --odoo-extra=test-enable --odoo-extra=logfile="$log" \
        --odoo-extra=http-port="$HTTP_PORT" "${DB_ARGS[@]/#--/--odoo-extra=}" \
        -p no:cacheprovider -q -rfEs --junitxml="$VAR/odoo-tests-b.xml" || true
    add_junit "$VAR/odoo-tests-b.xml" "Odoo tests (the mobile app's tours)" " (a skipped tour is a tour not run)"
    scan_errors "$log" "the mobile app's tours"
}

# The checks on databases of their own (addons alone, the upgrade, background
# jobs) run in a second lane beside the main tests: two cores, each busy.
# Their output is kept in a file and shown, with their results, at the end.
other_databases() {
    passed=0 failed=0 failures=()
    # A port of their own: the main tests serve on HTTP_PORT, schemathesis on +1.
    HTTP_PORT=$((HTTP_PORT + 2))
    say "Each addon finishes its own lifecycle: planning alone, approval without accounting"
    # The suite's addons installed alone (no stock_account, so the accounting bridge
    # does not auto-install): their own tests must pass without what is downstream.
    # Planning's browser tours too (its screens without any other addon); approval's
    # tours run in the main lane, where every addon is (a tour takes 30-60 s here).
    run_alone cycle_count_planning
    run_alone cycle_count_approval --ignore-glob='*_tour.py'

    say "Upgrade of a 18.0.1.x database with demo data to this code (-u)"
    check_upgrade

    say "Background jobs: the queue_job bridge's tests, then several processes on one database"
    check_jobs

    run_split
    echo "$passed $failed" >"$VAR/lane.result"
    printf '%s\n' "${failures[@]}" >"$VAR/lane.failures"
}

# The second lane needs nothing of the main database until its last step: it
# starts now, beside the main installation.
LANE_LOG="$VAR/other-databases.log"
rm -f "$VAR/lane.result" "$VAR/lane.failures"
say "Second lane started: addons alone, the upgrade, background jobs (output: $LANE_LOG)"
other_databases >"$LANE_LOG" 2>&1 &
LANE_PID=$!
# schemathesis' virtualenv (a download) while the tests run.
install_schemathesis >/dev/null 2>&1 &
SCHEMATHESIS_PID=$!

# Waits for the second lane and adds its results.
collect_lane() {
    say "Waiting for the second lane (addons alone, the upgrade, background jobs)"
    wait "$LANE_PID"
    cat "$LANE_LOG"
    if read -r lane_passed lane_failed <"$VAR/lane.result" 2>/dev/null; then
        add_result "$lane_passed" "$lane_failed"
        while IFS= read -r line; do [ -z "$line" ] || failures+=("$line"); done <"$VAR/lane.failures"
    else
        fail "the second lane (addons alone, the upgrade, background jobs) ended without results"
    fi
}

say "Installing the suite's addons into a fresh database $DB (no demo data), with Odoo's Chinese chart"
# l10n_cn: the two-step posting through suspense is tested on Odoo's Chinese
# chart, in a company of its own (the main company keeps its chart).
if odoo "${DB_ARGS[@]}" -d "$DB" -i "$ADDONS,l10n_cn" --without-demo=all --stop-after-init \
        --addons-path="$ADDONS_PATH" --logfile="$INSTALL_LOG" --log-level=info; then
    add_result 1 0
else
    tail -n 40 "$INSTALL_LOG"
    fail "installing the addons failed"
    echo none >"$SPLIT_STATE"
    collect_lane
    finish
fi

# A copy of the fresh database (filestore included) for the tests the second lane
# takes over from the main run.
SKIP_SPLIT=()
if odoo db "${DB_ARGS[@]}" --addons-path="$ADDONS_PATH" duplicate "$DB" "$DB_B" >>"$INSTALL_LOG" 2>&1; then
    SKIP_SPLIT=(--ignore-glob='cycle_count_mobile/tests/test_*tour*.py')
    echo ready >"$SPLIT_STATE"
else
    warn "could not copy $DB: the mobile app's tours run in the main lane"
    echo none >"$SPLIT_STATE"
fi

say "Odoo tests (pytest-odoo, HTTP server and browser tours included)"
read -r -a SUITE_TESTS < <(installed_tests "$DB")
"$ODOO_PY" -m pytest "${SUITE_TESTS[@]}" "${SKIP_SPLIT[@]}" \
    --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" --odoo-http \
    --odoo-log-level=info --odoo-extra=test-enable --odoo-extra=logfile="$TEST_LOG" \
    --odoo-extra=http-port="$HTTP_PORT" "${DB_ARGS[@]/#--/--odoo-extra=}" \
    -p no:cacheprovider -q -rfEs --durations=10 --junitxml="$VAR/odoo-tests.xml" || true
add_junit "$VAR/odoo-tests.xml" "Odoo tests" " (a skipped tour is a tour not run)"

say "Scanning the logs for ERROR"
scan_errors "$INSTALL_LOG $TEST_LOG" "install and tests"

say "schemathesis against the served OpenAPI document"
run_schemathesis "$DB"

collect_static
say "Chinese translations against a fresh export of every term"
rm -rf "$VAR/pot" && mkdir -p "$VAR/pot"
# One export of every addon (a .tgz holds <addon>/i18n/<addon>.pot each): one
# registry load instead of one an addon.
if odoo "${DB_ARGS[@]}" -d "$DB" --addons-path="$ADDONS_PATH" --i18n-export="$VAR/pot/terms.tgz" \
        --modules="$ADDONS" --log-level=warn --stop-after-init >/dev/null 2>&1 \
        && tar -xzf "$VAR/pot/terms.tgz" -C "$VAR/pot"; then
    for addon in ${ADDONS//,/ }; do
        mv "$VAR/pot/$addon/i18n/$addon.pot" "$VAR/pot/$addon.pot" 2>/dev/null \
            || fail "the export has no terms of $addon"
    done
else
    fail "exporting the terms of the suite's addons failed"
fi
if .venv/bin/python checks/translations.py --pot-dir "$VAR/pot" $(echo "${ADDONS//,/ }"); then
    add_result 1 0
else
    fail "translations are incomplete (see above)"
fi

collect_lane
finish
