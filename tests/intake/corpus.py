"""The 接龙 corpus (jielong_corpus.json): load it and read every line as the preview would.

Shared by tests/intake/test_corpus.py and bench/jielong_parse.py. Pure: parser and
matching only, the store and campaign come from the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from workbench.intake.matching import MemberIndex, MemberRef, ProductIndex, ProductRef, match_line
from workbench.intake.parser import parse_paste

PATH = Path(__file__).with_name("jielong_corpus.json")


@dataclass
class Corpus:
    members: MemberIndex
    products: ProductIndex
    lines: list[dict]


def load(path: Path = PATH) -> Corpus:
    data = json.loads(path.read_text(encoding="utf-8"))
    members = [MemberRef(m["id"], m["name"], m["phone"], m["building"], m["room"]) for m in data["members"]]
    products = [ProductRef(p["id"], p["id"] + 1000, p["name"], tuple(p["aliases"]), p["spec"], p["unit"], 1000, 1200,
                           f"SKU{p['id']}") for p in data["products"]]
    return Corpus(MemberIndex(members), ProductIndex(products), data["lines"])


@dataclass
class Reading:
    status: str  # "ready", "flag" or "ignored"
    member: int | str | None = None  # member id, "new" for a new member's full phone
    items: dict[str, int] = field(default_factory=dict)  # product name → quantity
    problems: list[str] = field(default_factory=list)


def read(corpus: Corpus, text: str) -> Reading:
    """What the preview makes of one line: ready with its member and items, flagged, or ignored."""
    lines = parse_paste(text)
    if len(lines) != 1 or not lines[0].is_order:
        return Reading("ignored")
    m = match_line(lines[0], corpus.members, corpus.products)
    items: dict[str, int] = {}
    for it in m.items:
        if it.product is not None:
            items[it.product.name] = items.get(it.product.name, 0) + it.quantity
    member = m.member.member.id if m.member.member else ("new" if m.member.status == "new" else None)
    return Reading("flag" if m.problems else "ready", member, items, m.problems)


def right(row: dict, got: Reading) -> bool:
    """Read exactly as expected: the member and items of a ready line, or not ready at all."""
    if row["expect"] == "ready":
        return got.status == "ready" and got.member == row["member"] and got.items == row["items"]
    if row["expect"] == "ignored":
        return got.status == "ignored"
    return got.status == "flag"


def wrong_but_ready(row: dict, got: Reading) -> bool:
    """The one failure that must never happen: a line marked ready that is not what was written."""
    return got.status == "ready" and not right(row, got)


@dataclass
class Report:
    lines: int = 0
    order_lines: int = 0  # expected ready or flagged (the others are chat, headers, cancels)
    right: int = 0  # of the order lines
    flagged: int = 0
    wrong_ready: int = 0
    misses: list[str] = field(default_factory=list)


def evaluate(corpus: Corpus) -> Report:
    report = Report()
    for row in corpus.lines:
        got = read(corpus, row["line"])
        report.lines += 1
        report.flagged += got.status == "flag"
        ok = right(row, got)
        if row["expect"] != "ignored":
            report.order_lines += 1
            report.right += ok
        report.wrong_ready += wrong_but_ready(row, got)
        if not ok:
            report.misses.append(f"{row['line']} → {got.status} {got.member} {got.items} {got.problems}")
    return report
