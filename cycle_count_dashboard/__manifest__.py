{
    "name": "Cycle Count Dashboard",
    "summary": "Inventory record accuracy by task and warehouse, by count and by value",
    "version": "18.0.2.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Inventory/Inventory",
    "depends": ["cycle_count_planning"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "security/cycle_count_dashboard_security.xml",
        "report/cycle_count_accuracy_report_views.xml",
        "report/cycle_count_plan_report_views.xml",
        "report/cycle_count_productivity_report_views.xml",
        "views/cycle_count_task_views.xml",
        "data/ir_cron_data.xml",
        "views/cycle_count_proposal_views.xml",
        "wizard/cycle_count_analysis_export_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cycle_count_dashboard/static/tests/tours/*.js",
        ],
    },
}
