{
    "name": "Cycle Count Dashboard Spreadsheet",
    "summary": "The cycle count accuracy dashboard in Odoo's Dashboards app",
    "version": "18.0.2.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Hidden",
    "depends": ["cycle_count_dashboard", "spreadsheet_dashboard"],
    "data": [
        "data/dashboards.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cycle_count_dashboard_spreadsheet/static/tests/tours/*.js",
        ],
    },
    "auto_install": True,
}
