from odoo.addons.cycle_count_planning.upgrade import reload_shipped_translations


def migrate(cr, version):
    # 18.0.2.0.0 renames words throughout (variance report, applied to stock,
    # sync records, route).
    reload_shipped_translations(cr, "cycle_count_mobile")
