{
    "name": "Cycle Count Accounting",
    "summary": "On approval, stock is corrected and inventory gains and losses are posted",
    "version": "18.0.1.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Inventory/Inventory",
    "depends": ["cycle_count_approval", "stock_account"],
    "data": [
        "security/cycle_count_accounting_security.xml",
        "security/ir.model.access.csv",
        "views/cycle_count_adjustment_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cycle_count_accounting/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/cycle_count_accounting_demo.xml",
    ],
}
