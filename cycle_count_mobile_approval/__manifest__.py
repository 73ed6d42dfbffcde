{
    "name": "Cycle Count Mobile Approval",
    "summary": "Approve and reject variance reports on the counting app and the API",
    "version": "18.0.2.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Hidden",
    "depends": ["cycle_count_mobile", "cycle_count_approval"],
    "auto_install": True,
    "assets": {
        "cycle_count_mobile.assets_app": [
            "cycle_count_mobile_approval/static/src/approvals/**/*",
        ],
        "web.assets_tests": [
            "cycle_count_mobile_approval/static/tests/tours/**/*",
        ],
    },
}
