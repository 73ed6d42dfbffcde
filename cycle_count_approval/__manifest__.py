{
    "name": "Cycle Count Approval",
    "summary": "Every difference becomes a valued variance report, approved by value "
    "tiers and applied to stock",
    "version": "18.0.2.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Inventory/Inventory",
    "depends": [
        "cycle_count_planning",
        "base_tier_validation",
        "base_tier_validation_server_action",
    ],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "security/cycle_count_approval_security.xml",
        "data/ir_sequence_data.xml",
        "data/ir_actions_server_data.xml",
        "data/tier_definition_data.xml",
        "data/ir_cron_data.xml",
        "views/cycle_count_adjustment_views.xml",
        "views/cycle_count_task_views.xml",
        "views/stock_quant_views.xml",
        "views/tier_definition_views.xml",
        "views/cycle_count_approval_policy_views.xml",
        "views/cycle_count_adjustment_line_views.xml",
        "views/cycle_count_tolerance_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
        "report/cycle_count_adjustment_report.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cycle_count_approval/static/tests/tours/*.js",
        ],
    },
}
