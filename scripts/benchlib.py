"""What the benchmark commands share: their log, their own database of the
suite's addons (created once, no demo data, kept for later runs), its registry
and environments, and the ``odoo`` command with the database options given.
Imported by the scripts/benchmark_*.py next to it; runs with the Python of the
``odoo`` command."""

import functools
import subprocess
import sys
from contextlib import contextmanager

import odoo
from odoo.tools import config

DB_OPTIONS = ("db_host", "db_port", "db_user", "db_password")

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


def _db_arguments(args):
    return [
        f"--{option}={getattr(args, option)}"
        for option in DB_OPTIONS
        if getattr(args, option, None)
    ]


def odoo_setup(args):
    """Odoo's configuration from the command's ``--addons-path`` and database
    options; returns the ``odoo`` package."""
    config.parse_config(
        [f"--addons-path={args.addons_path}", "--log-level=warn", *_db_arguments(args)]
    )
    return odoo


def odoo_command(args, *extra):
    """Run the ``odoo`` command (install, update) with the same options."""
    command = [
        "odoo",
        f"--addons-path={args.addons_path}",
        "--log-level=warn",
        *_db_arguments(args),
    ]
    subprocess.run([*command, *extra], check=True)


@contextmanager
def environment(odoo, db, commit=False):
    """A superuser environment on ``db``: committed at the end when ``commit``,
    rolled back otherwise."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            yield env
            if commit:
                env.flush_all()
                cr.commit()
        finally:
            if not commit:
                cr.rollback()
