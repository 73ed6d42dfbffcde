"""Every term an addon shows must have a Chinese translation.

Compares the terms of each addon (its committed i18n/<addon>.pot, or a fresh
export with --pot-dir) with i18n/zh_CN.po: every term translated, not fuzzy, and
with the same placeholders as the English text."""

import argparse
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sdf]|\{[a-z_]*\}")
# Acronyms read the same in Chinese; an empty translation falls back to them.
SAME_IN_CHINESE = re.compile(r"^[A-Z]{2,4}$")


def addons():
    return sorted(p.parent.name for p in ROOT.glob("cycle_count_*/__manifest__.py"))


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def problems(addon, pot_path):
    po_path = ROOT / addon / "i18n" / "zh_CN.po"
    if not po_path.exists():
        return [f"{addon}: i18n/zh_CN.po is missing"]
    if not pot_path.exists():
        return [f"{addon}: {pot_path} is missing"]
    pot = polib.pofile(str(pot_path))
    po = polib.pofile(str(po_path))
    translated = {
        (entry.msgctxt, entry.msgid): entry
        for entry in po
        if entry.msgstr and "fuzzy" not in entry.flags and not entry.obsolete
    }
    found = []
    for entry in pot:
        if not entry.msgid:
            continue
        done = translated.get((entry.msgctxt, entry.msgid))
        if done is None and SAME_IN_CHINESE.match(entry.msgid):
            continue
        if done is None:
            found.append(f"{addon}: not translated: {entry.msgid!r}")
        elif placeholders(entry.msgid) != placeholders(done.msgstr):
            found.append(
                f"{addon}: placeholders differ in {entry.msgid!r} → {done.msgstr!r}"
            )
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pot-dir", type=Path, help="fresh exports <addon>.pot")
    parser.add_argument("addons", nargs="*")
    args = parser.parse_args(argv)
    found = []
    for addon in args.addons or addons():
        pot_path = (
            args.pot_dir / f"{addon}.pot"
            if args.pot_dir
            else ROOT / addon / "i18n" / f"{addon}.pot"
        )
        found += problems(addon, pot_path)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} translation problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
