{
    "name": "Cycle Count Demo",
    "summary": "Demo only: ninety days of the Shenzhen DC (stock, counts, approvals, "
    "postings) generated on install with demo data",
    "version": "18.0.2.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Hidden",
    "depends": [
        "cycle_count_planning",
        "cycle_count_mobile",
        "cycle_count_approval",
        "cycle_count_accounting",
        "cycle_count_dashboard",
        # The story's company is Chinese: Odoo's Chinese chart of accounts.
        "l10n_cn",
    ],
    "demo": [
        "demo/cycle_count_demo_company.xml",
        "demo/cycle_count_demo_planning.xml",
        "demo/cycle_count_demo_history.xml",
    ],
}
