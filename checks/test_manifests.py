import ast
import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DESIGNED_DEPENDS = {
    "cycle_count_planning": {"stock"},
    "cycle_count_mobile": {
        "cycle_count_planning",
        "barcodes",
        "barcodes_gs1_nomenclature",
    },
    "cycle_count_approval": {
        "cycle_count_planning",
        "base_tier_validation",
        "base_tier_validation_server_action",
        "base_tier_validation_forward",
    },
    "cycle_count_accounting": {
        "cycle_count_approval",
        "stock_account",
        # OCA: shows core's automatic (real-time) valuation option in Community.
        "stock_account_show_automatic_valuation",
    },
    "cycle_count_dashboard": {"cycle_count_planning"},
    "cycle_count_queue": {"cycle_count_approval", "queue_job"},
    "cycle_count_mobile_approval": {"cycle_count_mobile", "cycle_count_approval"},
    "cycle_count_dashboard_spreadsheet": {
        "cycle_count_dashboard",
        "spreadsheet_dashboard",
    },
    "cycle_count_dashboard_accounting": {
        "cycle_count_dashboard",
        "cycle_count_accounting",
    },
    # Demo only: the story of a warehouse, never installed in production.
    "cycle_count_demo": {
        "cycle_count_planning",
        "cycle_count_mobile",
        "cycle_count_approval",
        "cycle_count_accounting",
        "cycle_count_dashboard",
        # The story's company is Chinese, on Odoo's Chinese chart of accounts.
        "l10n_cn",
    },
}
# Bridges: hidden, installed by themselves when what they join is there.
BRIDGES = {
    "cycle_count_accounting",
    "cycle_count_queue",
    "cycle_count_mobile_approval",
    "cycle_count_dashboard_spreadsheet",
    "cycle_count_dashboard_accounting",
}


def manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())


def test_the_addons_exist():
    found = {p.parent.name for p in ROOT.glob("cycle_count_*/__manifest__.py")}
    assert found == set(DESIGNED_DEPENDS)


@pytest.mark.parametrize("addon", sorted(DESIGNED_DEPENDS))
def test_manifest(addon):
    data = manifest(addon)
    assert data["version"] == "18.0.2.0.0"
    assert data["license"] == "LGPL-3"
    assert set(data["depends"]) == DESIGNED_DEPENDS[addon]
    assert data.get("installable", True)
    for path in data.get("data", []) + data.get("demo", []):
        assert (ROOT / addon / path).is_file(), path
    assert (ROOT / addon / "static/description/icon.png").is_file()
    assert (ROOT / addon / "i18n/zh_CN.po").is_file()


@pytest.mark.parametrize(
    "addon",
    sorted(
        a
        for a in DESIGNED_DEPENDS
        if (ROOT / a / "security/ir.model.access.csv").exists()
    ),
)
def test_access_rules_name_groups_and_grant_reading(addon):
    path = ROOT / addon / "security" / "ir.model.access.csv"
    rows = list(csv.DictReader(path.open()))
    assert rows
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert row["group_id:id"], f"{row['id']} gives rights to everybody"
        assert row["perm_read"] == "1"


def test_only_the_planning_addon_is_an_application():
    apps = [a for a in DESIGNED_DEPENDS if manifest(a).get("application")]
    assert apps == ["cycle_count_planning"]


@pytest.mark.parametrize("addon", sorted(DESIGNED_DEPENDS))
def test_bridges_are_hidden_and_install_themselves(addon):
    data = manifest(addon)
    assert bool(data.get("auto_install")) == (addon in BRIDGES)
    if addon in BRIDGES or addon == "cycle_count_demo":
        assert data["category"] == "Hidden"
