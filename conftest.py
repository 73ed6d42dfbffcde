"""pytest hooks for the suite's Odoo tests (run by pytest-odoo).

Odoo logs an ERROR when its test framework is imported outside test mode, and
pytest imports it while collecting. Test mode is switched on for collection only:
switched on while the registry loads, Odoo would run every installed module's
at-install tests first."""

try:
    from odoo.tools import config as odoo_config
except ImportError:  # the static checks run without Odoo
    odoo_config = None


def pytest_collection(session):
    if odoo_config is not None:
        odoo_config["test_enable"] = True


def pytest_collection_finish(session):
    if odoo_config is not None:
        odoo_config["test_enable"] = False
