"""Property-based checks of the small pieces every page relies on: money and local days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from workbench.formatting import SHANGHAI, money
from workbench.timeutil import local_days_utc

MONEY = re.compile(r"^(-?)¥(\d{1,3}(?:,\d{3})*)\.(\d{2})$")


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_money_is_exact_and_reversible(fen):
    """Every fen amount prints as ¥x,xxx.yy and reads back to the same integer."""
    match = MONEY.match(money(fen))
    assert match, money(fen)
    sign, yuan, cents = match.groups()
    back = int(yuan.replace(",", "")) * 100 + int(cents)
    assert (-back if sign else back) == fen
    assert sign == ("-" if fen < 0 else "")


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40),
    st.datetimes(min_value=datetime(2019, 12, 1), max_value=datetime(2031, 2, 1)),
)
def test_local_days_range_holds_exactly_the_instants_of_those_shanghai_days(first, span, naive):
    """An instant is in [start, end) exactly when its Shanghai date lies in first..last."""
    last = first + timedelta(days=span)
    start, end = local_days_utc(first, last)
    assert end - start == timedelta(days=span + 1)  # Shanghai has no daylight saving
    instant = naive.replace(tzinfo=UTC)
    local_day = instant.astimezone(SHANGHAI).date()
    assert (start <= instant < end) == (first <= local_day <= last)


@given(st.datetimes(min_value=datetime(2026, 9, 25), max_value=datetime(2026, 11, 5)))
def test_the_fast_day_finder_agrees_with_the_time_zone_conversion(naive_utc):
    """Closing finds each pickup's local day by bisecting the month's day boundaries."""
    from workbench.commission.periods import day_finder

    assert day_finder("2026-10")(naive_utc) == naive_utc.replace(tzinfo=UTC).astimezone(SHANGHAI).date()


def test_the_day_finder_at_local_midnight():
    from workbench.commission.periods import day_finder

    find = day_finder("2026-10")
    assert find(datetime(2026, 9, 30, 16, 0)) == date(2026, 10, 1)  # 00:00 on the 1st in Shanghai
    assert find(datetime(2026, 9, 30, 15, 59, 59, 999999)) == date(2026, 9, 30)
    assert find(datetime(2026, 10, 31, 15, 59, 59)) == date(2026, 10, 31)
    assert find(datetime(2026, 10, 31, 16, 0)) == date(2026, 11, 1)
