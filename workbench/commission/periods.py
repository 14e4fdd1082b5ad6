"""Statement periods: calendar months named "YYYY-MM", in local (Shanghai) days."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, datetime, timedelta

from workbench.timeutil import day_start_utc, local_day, local_days_utc

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadPeriod(ValueError):
    """Not a "YYYY-MM" month."""


def parse(period: str) -> tuple[date, date]:
    """First and last local day of ``period``."""
    m = _PERIOD.match((period or "").strip())
    if not m:
        raise BadPeriod(period)
    first = date(int(m[1]), int(m[2]), 1)
    return first, next_first(first) - timedelta(days=1)


def of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_first(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def following(period: str) -> str:
    return of(next_first(parse(period)[0]))


def preceding(period: str) -> str:
    return of(parse(period)[0] - timedelta(days=1))


def utc_bounds(period: str) -> tuple[datetime, datetime]:
    """Half-open UTC range [start, end) of the period's local days."""
    first, last = parse(period)
    return local_days_utc(first, last)


def day_finder(period: str) -> Callable[[datetime], date]:
    """``local day of a UTC instant`` (naive UTC, as the database gives it), fast for
    instants inside ``period``.

    Closing converts ~900,000 pickup times a month; bisecting the month's day boundaries
    is several times cheaper than a time-zone conversion each time. Outside the period
    (closing never asks) it converts.
    """
    first, last = parse(period)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    starts = [day_start_utc(d).replace(tzinfo=None) for d in days]
    end = day_start_utc(last + timedelta(days=1)).replace(tzinfo=None)

    def local_day_of(moment: datetime) -> date:
        index = bisect_right(starts, moment) - 1
        if index < 0 or moment >= end:
            return local_day(moment)
        return days[index]

    return local_day_of
