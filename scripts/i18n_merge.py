"""Extract, update, fill and compile both catalogs in one step (serialised by a file lock).

Chinese translations come from ``workbench/translations/pending/*.json`` files
(``{"English msgid": "中文"}``); English gets the msgid itself. Entries that already have
a translation keep it unless a pending file gives a new one. Run from the repository root:
``.venv/bin/python scripts/i18n_merge.py``.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "workbench" / "translations"
POT = TRANSLATIONS / "messages.pot"
PENDING = TRANSLATIONS / "pending"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def _fill(locale: str, chinese: dict[str, str]) -> list[str]:
    po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if locale == "en":
            wanted = message.id if isinstance(message.id, str) else tuple(message.id)
        else:
            wanted = chinese.get(key)
            if isinstance(message.id, tuple) and wanted is not None:
                wanted = (wanted,)
        current = message.string
        empty = not current or (isinstance(current, tuple) and not all(current))
        if wanted is not None and (empty or message.fuzzy or locale != "en"):
            message.string = wanted
            message.flags.discard("fuzzy")
        elif empty or message.fuzzy:
            missing.append(key)
    with po.open("wb") as f:
        write_po(f, catalog)
    with po.with_suffix(".mo").open("wb") as f:
        write_mo(f, catalog)
    return missing


def main() -> int:
    with (TRANSLATIONS / ".merge.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.chdir(ROOT)  # relative source paths in the catalogs, as the documented command writes them
        _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(POT.relative_to(ROOT)), ".")
        _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")
        chinese: dict[str, str] = {}
        for path in sorted(PENDING.glob("*.json")):
            chinese.update(json.loads(path.read_text(encoding="utf-8")))
        status = 0
        for locale in ("zh_Hans_CN", "en"):
            missing = _fill(locale, chinese)
            if missing:
                status = 1
                print(f"{locale}: {len(missing)} untranslated:", *missing[:40], sep="\n  ")
    return status


if __name__ == "__main__":
    sys.exit(main())
