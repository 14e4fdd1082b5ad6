"""Where baskets come from: a store's orders in the database, or a basket file (CSV)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.orders.models import Order, OrderItem, OrderStatus
from workbench.timeutil import local_days_utc

# Orders that never became a sale say nothing about what is bought together.
EXCLUDED_STATUSES = (OrderStatus.CANCELLED.value, OrderStatus.FAILED.value)
LONG_HEADER = ("basket_id", "item")


class BasketFileError(ValueError):
    """A basket file that cannot be read; the message names the line and the problem."""


def store_baskets(session: Session, store_id: int, first: date, last: date) -> list[list[int]]:
    """Product ids per order placed in the store on local days first..last (by order id)."""
    start, end = local_days_utc(first, last)
    # store_id + placed_at range is served by ix_orders_store_placed; status is checked per row.
    query = (
        select(OrderItem.order_id, OrderItem.product_id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.store_id == store_id, Order.placed_at >= start, Order.placed_at < end,
               Order.status.not_in(EXCLUDED_STATUSES))
    )
    by_order: dict[int, set[int]] = {}
    for order_id, product_id in session.execute(query):
        by_order.setdefault(order_id, set()).add(product_id)
    return [sorted(by_order[order_id]) for order_id in sorted(by_order)]


def read_basket_file(path: str | Path) -> list[list[str]]:
    """Baskets from one-basket-per-line CSV, or long format with a ``basket_id,item`` header."""
    # Split on line ends only (str.splitlines also splits on form feeds and U+2028,
    # which would shift the line numbers the error messages give).
    text = _decode(Path(path).read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        # Chinese input methods type the full-width comma; it separates items just the same.
        line = line.replace("，", ",")
        if not line.strip():
            continue
        if '"' in line:  # quoted items (an item holding a comma); csv is slower, so only here
            try:
                cells = next(csv.reader([line], strict=True))
            except csv.Error as exc:
                raise BasketFileError(f"line {number}: cannot split into items ({exc})") from None
        else:
            cells = line.split(",")
        cells = [cell.strip() for cell in cells]
        if any(cells):  # spreadsheet exports pad short rows with commas; an all-empty row is blank
            rows.append((number, cells))
    if not rows:
        raise BasketFileError("the file is empty: no baskets to mine")
    header = [cell.lower() for cell in rows[0][1]]
    named = [name for name in LONG_HEADER if name in header]
    if len(named) == 2:
        return _long_format(rows[0][0], header, rows[1:])
    if named:
        missing = next(name for name in LONG_HEADER if name not in header)
        raise BasketFileError(f"line {rows[0][0]}: the header names {named[0]} but no {missing} column; "
                              "long format needs both basket_id and item")
    # One basket per line: empty cells (a trailing or doubled comma) are not items.
    return [[cell for cell in cells if cell] for _, cells in rows]


def _decode(raw: bytes) -> str:
    """Text of a basket file: UTF-8 (with or without BOM), else GB18030 as Excel saves it."""
    if b"\0" in raw[:4096]:
        raise BasketFileError("this is not a text file (an .xlsx? save it as CSV first)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise BasketFileError("the file is neither UTF-8 nor GB18030 (GBK) text") from None


def _long_format(header_line: int, header: list[str], rows: list[tuple[int, list[str]]]) -> list[list[str]]:
    """Baskets from ``basket_id,item[,…]`` rows, in order of each basket's first row."""
    for name in LONG_HEADER:
        if header.count(name) > 1:
            raise BasketFileError(f"line {header_line}: the header names {name} twice")
    basket_col, item_col = header.index("basket_id"), header.index("item")
    baskets: dict[str, list[str]] = {}
    for number, cells in rows:
        basket_id = cells[basket_col] if basket_col < len(cells) else ""
        item = cells[item_col] if item_col < len(cells) else ""
        if not basket_id:
            raise BasketFileError(f"line {number}: missing basket_id")
        if not item:
            raise BasketFileError(f"line {number}: basket {basket_id} has a missing item")
        baskets.setdefault(basket_id, []).append(item)
    if not baskets:
        raise BasketFileError(f"the file has only the header (line {header_line}): no baskets to mine")
    return list(baskets.values())
