# Shared by scripts/demo.sh and scripts/test.sh: find Odoo, PostgreSQL, the addons path.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ADDONS="cycle_count_planning,cycle_count_mobile,cycle_count_approval,cycle_count_accounting,cycle_count_dashboard,cycle_count_mobile_approval,cycle_count_dashboard_spreadsheet,cycle_count_dashboard_accounting"
VAR="$ROOT/var"
# Logs and reports of the tests; the demo writes none, so a checkout it may not
# write into (the Docker demo runs as the image's odoo user) is fine.
mkdir -p "$VAR" 2>/dev/null || true

say() { printf '\033[1m==> [%s] %s\033[0m\n' "$(date +%H:%M:%S)" "$*"; }
warn() { printf '\033[33m!!! %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

# The Python that runs the `odoo` command: its shebang (pip, deb and the official
# image all install `odoo` as a Python script).
odoo_python() {
    local odoo_bin py
    odoo_bin=$(command -v odoo) || return 1
    py=$(head -n1 "$odoo_bin" | sed -n 's/^#!\s*//p' | awk '{print $1}')
    case "$py" in
        */env) py=$(head -n1 "$odoo_bin" | awk '{print $2}'); py=$(command -v "$py") ;;
    esac
    [ -x "$py" ] && "$py" -c 'import odoo.release, sys; sys.exit(odoo.release.version_info[:2] != (18, 0))' 2>/dev/null || return 1
    echo "$py"
}

# Odoo's default addons path (where its own addons are) plus this repository.
addons_path() {
    local default
    default=$("$ODOO_PY" -c 'from odoo.tools import config; config._parse_config([]); print(config["addons_path"])' 2>/dev/null)
    echo "${default:+$default,}$ROOT"
}

pip_install() {
    # A system Python (Debian's) refuses plain pip installs.
    "$ODOO_PY" -m pip install -q "$@" 2>/dev/null || "$ODOO_PY" -m pip install -q --break-system-packages "$@"
}

# Install what is missing from Odoo's Python: arguments are "module=requirement".
ensure_python_packages() {
    local pair module missing=()
    for pair in "$@"; do
        module=${pair%%=*}
        "$ODOO_PY" -c "import $module" 2>/dev/null || missing+=("${pair#*=}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing into $ODOO_PY: ${missing[*]}"
    pip_install "${missing[@]}"
}

# The OCA addons the suite depends on (the addons import no Python package beyond
# Odoo's own requirements: requirements.txt lists none).
ensure_runtime_packages() {
    if ! "$ODOO_PY" -c 'import odoo.addons.base_tier_validation, odoo.addons.base_tier_validation_server_action, odoo.addons.base_tier_validation_forward, odoo.addons.stock_account_show_automatic_valuation, odoo.addons.queue_job' 2>/dev/null; then
        say "Installing OCA addons from PyPI into $ODOO_PY"
        pip_install --no-deps -r "$ROOT/requirements-oca.txt" || return 1
    fi
}

# PostgreSQL on localhost, with a role for the current user.
ensure_postgres() {
    # Without PGHOST, the local socket: Debian lets a role of the same name in.
    if pg_isready -q 2>/dev/null && psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v pg_ctlcluster >/dev/null && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        say "Installing PostgreSQL (Debian package)"
        as_root apt-get update -q >/dev/null || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null || return 1
    fi
    if ! pg_isready -q 2>/dev/null; then
        say "Starting PostgreSQL"
        local cluster
        cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
        if [ -n "$cluster" ]; then
            as_root pg_ctlcluster $cluster start || true
        else
            as_root service postgresql start || true
        fi
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
    fi
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        say "Creating PostgreSQL role $(id -un)"
        as_root su postgres -c "createuser --superuser $(id -un)" || return 1
    fi
    psql -d postgres -tAc 'select 1' >/dev/null 2>&1
}

# Odoo's database options from the usual PG* variables (none: the local socket).
odoo_db_args() {
    local args=()
    [ -n "${PGHOST:-}" ] && args+=("--db_host=$PGHOST")
    [ -n "${PGPORT:-}" ] && args+=("--db_port=$PGPORT")
    [ -n "${PGUSER:-}" ] && args+=("--db_user=$PGUSER")
    [ -n "${PGPASSWORD:-}" ] && args+=("--db_password=$PGPASSWORD")
    echo "${args[@]}"
}
