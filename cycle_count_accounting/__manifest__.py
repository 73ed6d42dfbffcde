{
    "name": "Cycle Count Accounting",
    "summary": "Cycle count gains and losses on their own accounts, checked before "
    "stock is corrected; the variance report shows its journal entries",
    "version": "18.0.2.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Hidden",
    "depends": [
        "cycle_count_approval",
        "stock_account",
        "stock_account_show_automatic_valuation",
    ],
    "data": [
        "security/cycle_count_accounting_security.xml",
        "security/ir.model.access.csv",
        "views/cycle_count_adjustment_views.xml",
        "views/res_config_settings_views.xml",
        "views/cycle_count_account_settings_views.xml",
        "views/cycle_count_reason_views.xml",
        "views/cycle_count_suspense_report_views.xml",
        "report/cycle_count_documents.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cycle_count_accounting/static/tests/tours/*.js",
        ],
    },
    # Installed with approval and stock_account; the OCA option comes along.
    "auto_install": ["cycle_count_approval", "stock_account"],
    "demo": [
        "demo/cycle_count_accounting_demo.xml",
    ],
}
