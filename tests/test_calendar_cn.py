"""Chinese holidays and make-up workdays: official through 2026, estimated after."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workbench import calendar_cn as cal


@pytest.mark.parametrize(
    ("day", "kind", "name"),
    [
        (date(2025, 1, 29), cal.HOLIDAY, "春节"),
        (date(2025, 2, 8), cal.MAKEUP_WORKDAY, None),  # Saturday worked for Spring Festival
        (date(2025, 10, 6), cal.HOLIDAY, "中秋节"),
        (date(2025, 9, 28), cal.MAKEUP_WORKDAY, None),
        (date(2026, 2, 17), cal.HOLIDAY, "春节"),
        (date(2026, 2, 21), cal.HOLIDAY, "春节"),  # a Saturday inside the break
        (date(2026, 2, 14), cal.MAKEUP_WORKDAY, None),
        (date(2026, 2, 28), cal.MAKEUP_WORKDAY, None),
        (date(2026, 10, 1), cal.HOLIDAY, "国庆节"),
        (date(2026, 10, 10), cal.MAKEUP_WORKDAY, None),
        (date(2026, 5, 1), cal.HOLIDAY, "劳动节"),
        (date(2026, 11, 20), cal.WORKDAY, None),  # a Friday
        (date(2026, 11, 21), cal.WEEKEND, None),
    ],
)
def test_official_years(day, kind, name):
    assert cal.day_kind(day) == kind
    assert cal.holiday_name(day) == name
    assert cal.is_holiday(day) == (kind == cal.HOLIDAY)
    assert cal.is_workday(day) == (kind in (cal.WORKDAY, cal.MAKEUP_WORKDAY))
    assert not cal.is_estimated(day)


def test_2027_spring_festival_and_national_day_are_holidays():
    assert cal.is_estimated(date(2027, 2, 6))
    for day in (date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 8), date(2027, 2, 10)):
        assert cal.is_holiday(day) and cal.holiday_name(day) == "春节", day
    for day in (date(2027, 10, 1), date(2027, 10, 4), date(2027, 10, 5)):
        assert cal.is_holiday(day) and cal.holiday_name(day) == "国庆节", day
    assert not cal.is_workday(date(2027, 10, 1))


def test_estimated_long_breaks_are_a_week_and_paid_back_on_weekends():
    for anchor in (date(2027, 2, 6), date(2027, 10, 1), date(2028, 1, 26), date(2028, 10, 1)):
        first = last = anchor
        while cal.is_holiday(first - timedelta(days=1)):
            first -= timedelta(days=1)
        while cal.is_holiday(last + timedelta(days=1)):
            last += timedelta(days=1)
        assert (last - first).days + 1 >= cal.LONG_BREAK_DAYS, anchor
    # National Day 2027 (Fri 1 Oct) borrows two weekdays: two weekend days are worked.
    makeups = [d for d in (date(2027, 9, 15) + timedelta(days=i) for i in range(40))
               if cal.day_kind(d) == cal.MAKEUP_WORKDAY]
    assert len(makeups) == 2 and all(d.weekday() >= 5 for d in makeups)
    assert all(cal.is_workday(d) for d in makeups)


def test_every_day_of_2027_and_2028_has_an_answer():
    day = date(2027, 1, 1)
    kinds = set()
    while day.year <= 2028:
        kind = cal.day_kind(day)
        assert kind in cal.DAY_KINDS
        assert cal.is_workday(day) == (kind in (cal.WORKDAY, cal.MAKEUP_WORKDAY))
        kinds.add(kind)
        day += timedelta(days=1)
    assert kinds == set(cal.DAY_KINDS)
