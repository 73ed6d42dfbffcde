#!/usr/bin/env python3
"""Write cycle_count_dashboard_spreadsheet/data/files/cycle_count_accuracy_dashboard.json,
the shipped spreadsheet dashboard (Odoo's Dashboards app), from this description.

    scripts/build_dashboard.py

The figures are the report models' own server-side ratios (ratio of sums): the
spreadsheet reads them through pivots and never averages percentages; only the
Pareto's cumulative share is a formula, a running sum over the pivot's rows
(sorted by variance value) divided by the pivot's total. Every figure is a
pivot cell, so clicking it in the dashboard opens the lines behind it."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = (
    ROOT
    / "cycle_count_dashboard_spreadsheet/data/files/cycle_count_accuracy_dashboard.json"
)

ACCURACY = "cycle.count.accuracy.report"
PLAN = "cycle.count.plan.report"
PRODUCTIVITY = "cycle.count.productivity.report"

F_PERIOD = "6b6f2a3e-0c1d-4c64-9d0e-2f1c0a7c1001"
F_WAREHOUSE = "6b6f2a3e-0c1d-4c64-9d0e-2f1c0a7c1002"
F_CATEG = "6b6f2a3e-0c1d-4c64-9d0e-2f1c0a7c1003"
F_TEAM = "6b6f2a3e-0c1d-4c64-9d0e-2f1c0a7c1004"
F_COUNTER = "6b6f2a3e-0c1d-4c64-9d0e-2f1c0a7c1005"

GLOBAL_FILTERS = [
    {
        "id": F_PERIOD,
        "type": "date",
        "label": "Period",
        "defaultValue": "last_three_months",
        "rangeType": "relative",
    },
    {
        "id": F_WAREHOUSE,
        "type": "relation",
        "label": "Warehouse",
        "modelName": "stock.warehouse",
        "defaultValue": [],
        "defaultValueDisplayNames": [],
    },
    {
        "id": F_CATEG,
        "type": "relation",
        "label": "Product Category",
        "modelName": "product.category",
        "defaultValue": [],
        "defaultValueDisplayNames": [],
        "includeChildren": True,
    },
    {
        "id": F_TEAM,
        "type": "relation",
        "label": "Counting Team",
        "modelName": "cycle.count.team",
        "defaultValue": [],
        "defaultValueDisplayNames": [],
    },
    {
        "id": F_COUNTER,
        "type": "relation",
        "label": "Counter",
        "modelName": "res.users",
        "defaultValue": [],
        "defaultValueDisplayNames": [],
    },
]

# The field of each model each global filter matches (none: not filtered).
MATCHING = {
    ACCURACY: {
        F_PERIOD: "date",
        F_WAREHOUSE: "warehouse_id",
        F_CATEG: "categ_id",
        F_TEAM: "team_id",
        F_COUNTER: "counter_id",
    },
    PLAN: {
        F_PERIOD: "due_date",
        F_WAREHOUSE: "warehouse_id",
        F_CATEG: "categ_id",
        F_TEAM: "team_id",
        F_COUNTER: "counter_id",
    },
    PRODUCTIVITY: {
        F_PERIOD: "date",
        F_WAREHOUSE: "warehouse_id",
        F_TEAM: "team_id",
        F_COUNTER: "counter_id",
    },
}
# The window action a click opens the lines in (its views and search).
ACTIONS = {
    ACCURACY: "cycle_count_dashboard.cycle_count_accuracy_report_action",
    PLAN: "cycle_count_dashboard.cycle_count_plan_report_action",
    PRODUCTIVITY: "cycle_count_dashboard.cycle_count_productivity_report_action",
}


def field_matching(model):
    return {
        fid: (
            {"chain": chain, "type": "date", "offset": 0}
            if fid == F_PERIOD
            else {"chain": chain, "type": "many2one"}
        )
        for fid, chain in MATCHING[model].items()
    }


PIVOTS = {}


def pivot(pid, name, model, row, measures, sort, domain=()):
    PIVOTS[pid] = {
        "type": "ODOO",
        "id": pid,
        "formulaId": pid,
        "name": name,
        "model": model,
        "domain": list(domain),
        "context": {},
        "measures": [{"id": m, "fieldName": m} for m in measures],
        "columns": [],
        "rows": [{"fieldName": row}] if row else [],
        "sortedColumn": {"groupId": [[], []], "measure": sort, "order": "desc"},
        "fieldMatching": field_matching(model),
    }
    if model in ACTIONS:
        PIVOTS[pid]["actionXmlId"] = ACTIONS[model]


ACC_MEASURES = [
    "line_count",
    "ira",
    "exact_rate",
    "first_pass_accuracy",
    "value_variance_gross",
    "value_variance_net",
    "abs_variance_value",
]
pivot(
    "1", "Accuracy by warehouse", ACCURACY, "warehouse_id", ACC_MEASURES, "line_count"
)
pivot("2", "Accuracy by category", ACCURACY, "categ_id", ACC_MEASURES, "line_count")
pivot(
    "3",
    "Reason Pareto",
    ACCURACY,
    "reason_id",
    ["line_count", "abs_variance_value"],
    "abs_variance_value",
    domain=[["reason_id", "!=", False]],
)
pivot(
    "4",
    "Counters' productivity",
    PRODUCTIVITY,
    "counter_id",
    [
        "line_count",
        "work_hours",
        "lines_per_hour",
        "hours_per_task",
        "recount_rate",
        "task_count",
    ],
    "line_count",
)
pivot(
    "5",
    "Coverage and plan adherence",
    PLAN,
    "warehouse_id",
    [
        "planned_count",
        "on_time_count",
        "adherence",
        "required_count",
        "covered_count",
        "coverage",
    ],
    "planned_count",
)

# Styles and formats (ids as strings, as o-spreadsheet stores them).
STYLES = {
    "1": {"fontSize": 16, "textColor": "#01666B", "bold": True},
    "2": {"textColor": "#434343", "bold": True, "fontSize": 11, "wrapping": "wrap"},
    "3": {"fontSize": 18, "bold": True, "textColor": "#01666B", "align": "left"},
    "4": {"textColor": "#434343", "fontSize": 10},
    "5": {
        "textColor": "#434343",
        "bold": True,
        "fontSize": 11,
        "align": "right",
        "wrapping": "wrap",
    },
}
FORMATS = {"1": "0.0", "2": "#,##0", "3": "#,##0.00", "4": "0.0%"}
KIND_FORMAT = {"pct": 1, "int": 2, "money": 3, "cum": 4}

COLS = [240, 105, 105, 105, 105, 105, 105, 105]
LETTERS = "ABCDEFGH"

cells, styles, formats, rows_size, figures = {}, {}, {}, {}, []
row_cursor = [0]  # 0-based index of the next free row


def t(text):
    escaped = text.replace('"', '""')
    return f'=_t("{escaped}")'


def put(col, row, content, style=None, fmt=None):
    ref = f"{LETTERS[col]}{row + 1}"
    cells[ref] = {"content": content}
    if style:
        styles[ref] = int(style)
    if fmt:
        formats[ref] = KIND_FORMAT[fmt]


def row_y(row):
    return sum(rows_size.get(r, 23) for r in range(row))


def heading(text):
    row = row_cursor[0]
    rows_size[row] = 40
    put(0, row, t(text), style="1")
    row_cursor[0] += 1
    return row


def table(pid, dim, title, columns, size):
    """A heading, a header row, then ``size`` rows of the pivot's groups."""
    heading(title)
    header = row_cursor[0]
    rows_size[header] = 40
    put(0, header, t(dim), style="2")
    for col, (label, __, __) in enumerate(columns, start=1):
        put(col, header, t(label), style="5")
    first = header + 1
    last = header + size
    row_field = PIVOTS[pid]["rows"][0]["fieldName"]
    for i in range(1, size + 1):
        row = header + i
        put(0, row, f'=PIVOT.HEADER({pid},"#{row_field}",{i})', style="4")
        for col, (__, measure, kind) in enumerate(columns, start=1):
            if callable(measure):
                put(col, row, measure(row + 1, first + 1, last + 1), fmt=kind)
            else:
                put(
                    col,
                    row,
                    f'=PIVOT.VALUE({pid},"{measure}","#{row_field}",{i})',
                    fmt=kind,
                )
    row_cursor[0] = last + 2
    return header, first, last


# ---- the figures of the period, each a pivot total (click: its lines)
KPIS = [
    ("Lines counted", "1", "line_count", "int"),
    ("IRA (%)", "1", "ira", "pct"),
    ("Exact match (%)", "1", "exact_rate", "pct"),
    ("First-pass accuracy (%)", "1", "first_pass_accuracy", "pct"),
    ("Value var. gross (%)", "1", "value_variance_gross", "pct"),
    ("Coverage (%)", "5", "coverage", "pct"),
    ("Adherence (%)", "5", "adherence", "pct"),
]
# A2, the first figure, is the sheet's first clickable cell (the tour's).
rows_size[0] = 40
rows_size[1] = 44
for col, (label, pid, measure, kind) in enumerate(KPIS):
    put(col, 0, t(label), style="2")
    put(col, 1, f'=PIVOT.VALUE({pid},"{measure}")', style="3", fmt=kind)
row_cursor[0] = 3

# ---- IRA trend by month (an Odoo chart: a click opens the month's lines)
heading("IRA trend by month")
chart_row = row_cursor[0]
figures.append(
    {
        "id": "c1a5e7d2-7a39-4b0e-9f6b-1d2c3e4f5001",
        "x": 0,
        "y": row_y(chart_row),
        "width": sum(COLS),
        "height": 300,
        "tag": "chart",
        "data": {
            "title": {"text": "IRA (%) by month"},
            "background": "#FFFFFF",
            "legendPosition": "none",
            "metaData": {
                "groupBy": ["date:month"],
                "measure": "ira",
                "order": None,
                "resModel": ACCURACY,
                "mode": "line",
            },
            "searchParams": {
                "comparison": None,
                "context": {},
                "domain": [],
                "groupBy": ["date:month"],
                "orderBy": [],
            },
            "type": "odoo_line",
            "verticalAxisPosition": "left",
            "stacked": False,
            "fillArea": True,
            "fieldMatching": field_matching(ACCURACY),
        },
    }
)
row_cursor[0] = chart_row + 14

ACC_COLUMNS = [
    ("Lines", "line_count", "int"),
    ("IRA (%)", "ira", "pct"),
    ("Exact (%)", "exact_rate", "pct"),
    ("First pass (%)", "first_pass_accuracy", "pct"),
    ("Value var. gross (%)", "value_variance_gross", "pct"),
    ("Value var. net (%)", "value_variance_net", "pct"),
    ("Variance value", "abs_variance_value", "money"),
]
table("1", "Warehouse", "Accuracy by warehouse", ACC_COLUMNS, 5)
table("2", "Product Category", "Accuracy by category", ACC_COLUMNS, 10)


def cumulative(col):
    def formula(row, first, last):
        return (
            f'=IF(A{row}="","",IFERROR(SUM({col}${first}:{col}{row})'
            f'/PIVOT.VALUE(3,"{"line_count" if col == "B" else "abs_variance_value"}"),""))'
        )

    return formula


__, p_first, p_last = table(
    "3",
    "Reason",
    "Reason Pareto (by variance value)",
    [
        ("Lines", "line_count", "int"),
        ("Variance value", "abs_variance_value", "money"),
        ("Cumulative value", cumulative("C"), "cum"),
        ("Cumulative lines", cumulative("B"), "cum"),
    ],
    10,
)
figures.append(
    {
        "id": "c1a5e7d2-7a39-4b0e-9f6b-1d2c3e4f5002",
        "x": sum(COLS[:5]) + 10,
        "y": row_y(p_first - 1),
        "width": sum(COLS[5:]) - 10,
        "height": row_y(p_last + 1) - row_y(p_first - 1),
        "tag": "chart",
        "data": {
            "type": "bar",
            "title": {"text": "Variance value by reason"},
            "dataSetsHaveTitle": False,
            "dataSets": [{"dataRange": f"C{p_first + 1}:C{p_last + 1}"}],
            "labelRange": f"A{p_first + 1}:A{p_last + 1}",
            "legendPosition": "none",
            "background": "#FFFFFF",
            "stacked": False,
            "aggregated": False,
        },
    }
)
table(
    "4",
    "Counter",
    "Counters' productivity",
    [
        ("Lines", "line_count", "int"),
        ("Hours", "work_hours", "money"),
        ("Lines per hour", "lines_per_hour", "money"),
        ("Hours per task", "hours_per_task", "money"),
        ("Recount rate (%)", "recount_rate", "pct"),
        ("Tasks", "task_count", "int"),
    ],
    10,
)
table(
    "5",
    "Warehouse",
    "Coverage and plan adherence",
    [
        ("Planned", "planned_count", "int"),
        ("On time", "on_time_count", "int"),
        ("Adherence (%)", "adherence", "pct"),
        ("Required", "required_count", "int"),
        ("Covered", "covered_count", "int"),
        ("Coverage (%)", "coverage", "pct"),
    ],
    5,
)

sheet = {
    "id": "sheet1",
    "name": "Dashboard",
    "colNumber": len(COLS),
    "rowNumber": row_cursor[0] + 2,
    "rows": {str(r): {"size": s} for r, s in sorted(rows_size.items())},
    "cols": {str(c): {"size": s} for c, s in enumerate(COLS)},
    "merges": [],
    "cells": cells,
    "styles": styles,
    "formats": formats,
    "borders": {},
    "conditionalFormats": [],
    "figures": figures,
    "tables": [],
    "areGridLinesVisible": False,
    "isVisible": True,
    "headerGroups": {"ROW": [], "COL": []},
    "dataValidationRules": [],
    "comments": {},
}
data = {
    "version": 21,
    "sheets": [sheet],
    "styles": STYLES,
    "formats": FORMATS,
    "borders": {},
    "revisionId": "START_REVISION",
    "uniqueFigureIds": True,
    "settings": {
        "locale": {
            "name": "English (US)",
            "code": "en_US",
            "thousandsSeparator": ",",
            "decimalSeparator": ".",
            "dateFormat": "mm/dd/yyyy",
            "timeFormat": "hh:mm:ss",
            "formulaArgSeparator": ",",
            "weekStart": 7,
        }
    },
    "pivots": PIVOTS,
    "pivotNextId": len(PIVOTS) + 1,
    "customTableStyles": {},
    "odooVersion": 12,
    "globalFilters": GLOBAL_FILTERS,
    "lists": {},
    "listNextId": 1,
    "chartOdooMenusReferences": {},
}
OUT.write_text(json.dumps(data, indent=4, ensure_ascii=False) + "\n")
print(OUT)
