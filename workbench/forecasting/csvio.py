"""Read a long-format sales CSV: ``store_id,sku_id,date,units[,price,on_promo]``.

Header order is free and other columns are ignored. Every problem is reported with the
line number as a text editor shows it (the header is line 1).
"""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

import numpy as np

from workbench.forecasting.panel import Panel, panel_from_long

REQUIRED = ("store_id", "sku_id", "date", "units")
OPTIONAL = ("price", "on_promo")
MAX_REPORTED = 10  # enough to show a pattern without flooding the terminal
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class InputError(ValueError):
    """The input cannot be used; the message is meant for the person who supplied it."""


def _parse_date(text: str) -> date:
    text = text.strip()
    if len(text) == 10 and text[4] in "-/" and text[7] == text[4]:
        return date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    raise ValueError


def _parse_number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError
    return value


def read_rows(path: str | Path) -> dict[str, list]:
    """Parse and validate the file into column lists; raise InputError listing bad lines."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror or exc})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not a readable UTF-8 CSV file ({exc})") from None
        if header is None or not any(cell.strip() for cell in header):
            raise InputError(f"{path}: the file is empty; expected a header line "
                             f"'{','.join(REQUIRED)}[,price,on_promo]'")
        names = [cell.strip().lower() for cell in header]
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            raise InputError(
                f"{path}: line 1: the header lacks column(s) {', '.join(missing)}; "
                f"expected {','.join(REQUIRED)} (optional price,on_promo), got {','.join(names)}"
            )
        index = {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}
        width = max(index.values()) + 1
        out: dict[str, list] = {"store": [], "sku": [], "date": [], "units": [],
                                "price": [], "on_promo": []}
        has_price, has_promo = "price" in index, "on_promo" in index
        errors: list[str] = []
        n_errors = 0
        dates: dict[str, date] = {}  # a few hundred distinct strings, parsed once each
        line = 1
        try:
            for line, cells in enumerate(reader, start=2):
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue  # blank lines, e.g. a trailing newline
                problem = None
                if len(cells) < width:
                    problem = f"expected at least {width} fields, found {len(cells)}"
                else:
                    store = cells[index["store_id"]].strip()
                    sku = cells[index["sku_id"]].strip()
                    raw_date = cells[index["date"]].strip()
                    raw_units = cells[index["units"]].strip()
                    if not store:
                        problem = "store_id is empty"
                    elif not sku:
                        problem = "sku_id is empty"
                    if problem is None:
                        day = dates.get(raw_date)
                        if day is None:
                            try:
                                day = dates[raw_date] = _parse_date(raw_date)
                            except ValueError:
                                problem = f"bad date {raw_date!r} (expected YYYY-MM-DD)"
                    if problem is None:
                        try:
                            units = _parse_number(raw_units)
                        except ValueError:
                            problem = f"units {raw_units!r} is not a number"
                    price = math.nan
                    if problem is None and has_price:
                        raw = cells[index["price"]].strip()
                        if raw:
                            try:
                                price = _parse_number(raw)
                                if price < 0:
                                    problem = f"price {raw!r} is negative"
                            except ValueError:
                                problem = f"price {raw!r} is not a number"
                    promo = math.nan
                    if problem is None and has_promo:
                        raw = cells[index["on_promo"]].strip().lower()
                        if raw in _TRUE:
                            promo = 1.0
                        elif raw in _FALSE:
                            promo = 0.0 if raw else math.nan
                        else:
                            problem = f"on_promo {raw!r} is not 0/1/true/false"
                if problem is not None:
                    n_errors += 1
                    if len(errors) < MAX_REPORTED:
                        errors.append(f"line {line}: {problem}")
                    continue
                out["store"].append(store)
                out["sku"].append(sku)
                out["date"].append(day)
                out["units"].append(units)
                out["price"].append(price)
                out["on_promo"].append(promo)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: line {line + 1}: unreadable ({exc})") from None
    if errors:
        more = f"\n… and {n_errors - len(errors)} more bad line(s)" if n_errors > len(errors) else ""
        raise InputError(f"{path}: {n_errors} bad line(s):\n" + "\n".join(errors) + more)
    if not out["units"]:
        raise InputError(f"{path}: the header is fine but there are no data rows")
    if not has_price:
        out["price"] = None
    if not has_promo:
        out["on_promo"] = None
    return out


def read_csv(path: str | Path) -> Panel:
    """Read a long-format CSV into a dense Panel (see ``read_rows`` for validation)."""
    rows = read_rows(path)
    return panel_from_long(
        np.array(rows["store"]),
        np.array(rows["sku"]),
        np.array(rows["date"], dtype="datetime64[D]"),
        rows["units"],
        price=rows["price"],
        on_promo=rows["on_promo"],
    )
