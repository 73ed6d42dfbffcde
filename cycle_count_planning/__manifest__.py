{
    "name": "Cycle Count Planning",
    "summary": "Plans what to count every day: rules, count tasks, count lines, reasons",
    "version": "18.0.1.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Inventory/Inventory",
    "depends": ["stock"],
    "data": [
        "security/cycle_count_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/cycle_count_reason_data.xml",
        "data/ir_cron_data.xml",
        "views/cycle_count_rule_views.xml",
        "views/cycle_count_line_views.xml",
        "views/cycle_count_task_views.xml",
        "views/cycle_count_reason_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/cycle_count_demo_users.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cycle_count_planning/static/tests/tours/*.js",
        ],
    },
    "application": True,
}
