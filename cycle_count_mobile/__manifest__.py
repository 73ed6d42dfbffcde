{
    "name": "Cycle Count Mobile",
    "summary": "Count from PDAs, phones and integrations: the counting API",
    "version": "18.0.1.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Inventory/Inventory",
    "depends": ["cycle_count_planning", "barcodes", "barcodes_gs1_nomenclature"],
}
