"""The lists as CSV files that Excel on a Chinese Windows opens correctly.

UTF-8 with a byte-order mark (without it Excel guesses GBK and shows mojibake), CRLF
line ends, every field quoted when needed by the csv module, and text that Excel would
run as a formula (starting with = + - @) prefixed with an apostrophe. Phones are the
masked ones the lists carry.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _

from workbench.fulfilment.lists import Line, PurchaseList, Slip, SortingPoint

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def point_label(store_name: str, point_name: str, with_store: bool) -> str:
    point = point_name or _("No pickup point")
    return f"{store_name} · {point}" if with_store else point


def purchase_csv(plist: PurchaseList, with_store: bool = False) -> bytes:
    """One row per SKU: supplier, SKU, product, spec, unit, total, then one column per point."""
    header = [_("Supplier"), _("SKU"), _("Product"), _("Spec"), _("Unit"), _("Total quantity")]
    header += [point_label(p.store_name, p.name, with_store) for p in plist.points]
    rows = []
    for block in plist.suppliers:
        for r in block.rows:
            rows.append([block.name, r.sku, r.product, r.spec, r.unit, r.total,
                         *[r.by_point.get(p.key, 0) for p in plist.points]])
    return to_csv(header, rows)


def _line_cells(ln: Line) -> list[object]:
    return [ln.building, ln.room, ln.member_name, ln.phone, ln.product, ln.spec, ln.quantity, ln.order_code]


def _line_header() -> list[str]:
    return [_("Building"), _("Room"), _("Member"), _("Phone"), _("Product"), _("Spec"), _("Quantity"),
            _("Order")]


def sorting_csv(points: list[SortingPoint], with_store: bool = False) -> bytes:
    header = [_("Pickup point"), _("Group")] + _line_header()
    rows = []
    for sp in points:
        label = point_label(sp.point.store_name, sp.point.name, with_store)
        for group in sp.groups:
            for ln in group.lines:
                rows.append([label, group.title or _("No building"), *_line_cells(ln)])
    return to_csv(header, rows)


def slips_csv(slips: list[Slip]) -> bytes:
    header = [_("Slip")] + _line_header()
    rows = [[slip.title or _("No building"), *_line_cells(ln)] for slip in slips for ln in slip.lines]
    return to_csv(header, rows)


def filename(kind: str, day: date) -> str:
    """ASCII file name with the day: ``purchase-2026-11-25.csv``."""
    return f"{kind}-{day.isoformat()}.csv"
