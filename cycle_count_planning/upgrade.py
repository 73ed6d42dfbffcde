from odoo import SUPERUSER_ID, api


def reload_shipped_translations(cr, module):
    """An update keeps the translations already in the database, so the Chinese
    of a term whose English changed would stay the old one: the shipped
    translations of ``module`` are loaded over them. The suite's migration
    scripts call it when a release renames words."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["ir.module.module"].search([("name", "=", module)])._update_translations(
        overwrite=True
    )
