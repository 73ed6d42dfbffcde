"""Keep every addon's i18n/<addon>.pot and i18n/zh_CN.po in step with its code.

    scripts/i18n.py export DB        export fresh .pot files from database DB
                                     (the five addons installed), then merge
    scripts/i18n.py merge            merge each zh_CN.po with its .pot: new terms
                                     are added untranslated, gone terms removed,
                                     translations kept

checks/translations.py then lists what still needs a translation. Runs with any
Python that has polib (the .venv of scripts/test.sh has it)."""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
ADDONS = sorted(p.parent.name for p in ROOT.glob("cycle_count_*/__manifest__.py"))


def export(db):
    addons_path = subprocess.run(
        [
            "bash",
            "-c",
            f"source {ROOT}/scripts/lib.sh; ODOO_PY=$(odoo_python); addons_path",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    for addon in ADDONS:
        pot = ROOT / addon / "i18n" / f"{addon}.pot"
        pot.parent.mkdir(exist_ok=True)
        subprocess.run(
            [
                "odoo",
                "-d",
                db,
                f"--addons-path={addons_path}",
                f"--i18n-export={pot}",
                f"--modules={addon}",
                "--language=en_US",
                "--log-level=warn",
                "--stop-after-init",
            ],
            check=True,
        )


def merge():
    for addon in ADDONS:
        pot = polib.pofile(str(ROOT / addon / "i18n" / f"{addon}.pot"))
        po_path = ROOT / addon / "i18n" / "zh_CN.po"
        old = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
        known = {(e.msgctxt, e.msgid): e.msgstr for e in old if e.msgstr}
        by_text = {e.msgid: e.msgstr for e in old if e.msgstr}
        po = polib.POFile(wrapwidth=78)
        po.metadata = {
            "Project-Id-Version": "Odoo Server 18.0",
            "Language": "zh_CN",
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "",
            "Plural-Forms": "",
        }
        for entry in pot:
            entry.msgstr = known.get((entry.msgctxt, entry.msgid)) or by_text.get(
                entry.msgid, ""
            )
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            if entry.msgstr == entry.msgid:  # Odoo falls back to the source text
                entry.msgstr = ""
            po.append(entry)
        # The layout OCA's po-pretty-format check expects: sorted, 78 columns.
        po.sort(key=lambda entry: entry.msgid)
        po_path.write_text(str(po), encoding="utf-8")
        missing = sum(1 for e in po if not e.msgstr)
        print(f"{addon}: {len(po)} terms, {missing} without translation")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "export":
        export(sys.argv[2])
        merge()
    elif sys.argv[1:] == ["merge"]:
        merge()
    else:
        sys.exit(__doc__)
