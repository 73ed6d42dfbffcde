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
        "base_tier_validation_forward",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/cycle_count_approval_security.xml",
        "data/ir_sequence_data.xml",
        "data/tier_definition_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "views/cycle_count_adjustment_views.xml",
        "views/cycle_count_approval_delegation_views.xml",
        "views/cycle_count_approval_duration_views.xml",
        "views/tier_definition_views.xml",
        "views/cycle_count_task_views.xml",
        "views/stock_quant_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cycle_count_approval/static/tests/tours/*.js",
        ],
    },
}
