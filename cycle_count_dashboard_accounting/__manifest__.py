{
    "name": "Cycle Count Dashboard Accounting",
    "summary": "The year-end pack: share of items and stock value counted, IRA by "
    "month, the adjustments posted with their approvals and entries (PDF, XLSX)",
    "version": "18.0.2.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Hidden",
    "depends": ["cycle_count_dashboard", "cycle_count_accounting"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "wizard/cycle_count_year_end_pack_views.xml",
        "report/cycle_count_year_end_pack_report.xml",
    ],
    "auto_install": True,
}
