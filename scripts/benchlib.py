"""What the benchmark commands share: their log, their own database of the
suite's addons (created once, no demo data, kept for later runs) and its
registry. Imported by the scripts/benchmark_*.py next to it; runs with the
Python of the ``odoo`` command."""

import functools
import subprocess
import sys

import odoo
from odoo.tools import config

ADDONS = (
    "cycle_count_planning,cycle_count_mobile,cycle_count_approval,"
    "cycle_count_accounting,cycle_count_dashboard"
)


def log(message):
    print(message, file=sys.stderr, flush=True)


def database_exists(db):
    out = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    )
    return db in out.stdout.split()


@functools.cache
def registry(db, addons_path):
    config.parse_config(["-d", db, f"--addons-path={addons_path}", "--log-level=warn"])
    return odoo.modules.registry.Registry(db)


def ensure_database(db, addons_path, addons=ADDONS):
    """Install ``addons`` in a new database ``db`` unless it exists."""
    if database_exists(db):
        return
    log(f"Creating {db} with {addons} (no demo data)…")
    subprocess.run(
        [
            "odoo",
            "-d",
            db,
            "-i",
            addons,
            "--without-demo=all",
            "--stop-after-init",
            f"--addons-path={addons_path}",
            "--log-level=warn",
        ],
        check=True,
    )
