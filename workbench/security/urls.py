"""URL converters with bounds the database can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: Ids are SQL INTEGER columns; a bigger number is no record, never a query.
MAX_ID = 2**31 - 1


def parse_id(value: str | None) -> int | None:
    """A record id from a form or query string: digits within ``MAX_ID``, else None."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if number <= MAX_ID else None


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that matches only 0 … 2³¹−1: ``/x/99999999999999999999`` is a 404, not an
    ``OverflowError`` (SQLite) or an out-of-range error (PostgreSQL) deep in a query."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's signature)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
