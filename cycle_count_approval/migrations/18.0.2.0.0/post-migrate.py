from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """18.0.2.0.0 renames words throughout (variance report, applied to stock,
    sync records, route): an update keeps the translations already in the
    database, so the Chinese of a term whose English changed would stay the old
    one. The shipped translations of this addon are loaded over them."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["ir.module.module"].search(
        [("name", "=", "cycle_count_approval")]
    )._update_translations(overwrite=True)
