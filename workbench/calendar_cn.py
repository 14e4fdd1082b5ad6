"""Chinese public holidays and make-up workdays (调休), for any year.

Up to the last year ``chinesecalendar`` knows (it publishes the State Council's official
schedule, currently through 2026) the answers are official. For later years the
schedule has not been published yet, so the days off come from ``holidays.China``
(statutory days plus its observed-day rules) and the make-up workdays are ESTIMATES
made with this documented rule:

* a break is a run of consecutive days off (holidays and weekends) containing a holiday;
* the Spring Festival and National Day breaks are stretched to at least
  ``LONG_BREAK_DAYS`` (7) days by giving the following weekdays off, as the State
  Council has done every year; each weekday given is "borrowed";
* every borrowed day is paid back by turning the nearest weekend day outside the break
  into a make-up workday, alternating: the weekend day just before the break, then the
  one just after, then the next one before, and so on;
* other holidays get no make-up workdays (a guess there is more often wrong than right).

Day kinds: ``workday``, ``weekend``, ``holiday`` (a day off of a public-holiday break,
weekend days inside the break included) and ``makeup_workday`` (a weekend day worked).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays as holidays_lib

WORKDAY = "workday"
WEEKEND = "weekend"
HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"
DAY_KINDS = (WORKDAY, WEEKEND, HOLIDAY, MAKEUP_WORKDAY)

#: Minimum length of the Spring Festival and National Day breaks in estimated years.
LONG_BREAK_DAYS = 7
_LONG_BREAKS = ("春节", "国庆节")

# chinesecalendar's short Chinese names, aligned with holidays.China's zh_CN names.
_NAME_FIX = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节", "农历除夕": "春节"}


@lru_cache(maxsize=64)
def _official_year(year: int) -> bool:
    """Whether chinesecalendar publishes ``year``'s official schedule."""
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


def _clean_name(name: str) -> str:
    name = name.replace("（补假）", "").strip()
    if "; " in name:
        name = "、".join(_NAME_FIX.get(p, p) for p in name.split("; "))
    return _NAME_FIX.get(name, name)


@lru_cache(maxsize=64)
def _official_table(year: int) -> dict[date, tuple[str, str | None]]:
    """Special days of an official year: holidays and make-up workdays, with names."""
    table: dict[date, tuple[str, str | None]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        off, holiday = chinese_calendar.get_holiday_detail(day)
        name = None
        if holiday is not None:
            name = _clean_name(chinese_calendar.Holiday(holiday).chinese)
        if off and name:
            table[day] = (HOLIDAY, name)
        elif not off and day.weekday() >= 5:
            table[day] = (MAKEUP_WORKDAY, None)
        day += timedelta(days=1)
    return table


def _is_off(day: date, named: dict[date, str]) -> bool:
    return day.weekday() >= 5 or day in named


@lru_cache(maxsize=64)
def _estimated_table(year: int) -> dict[date, tuple[str, str | None]]:
    """Special days of a year chinesecalendar does not know yet (see the module doc)."""
    named: dict[date, str] = {}
    # Neighbouring years too, so a break crossing New Year is seen whole.
    for y in (year - 1, year, year + 1):
        for day, raw in holidays_lib.China(years=y, language="zh_CN").items():
            named[day] = raw
    # Substitute days off ("休息日（由 X 调休）") are named after their break below.
    named = {d: ("" if n.startswith("休息日") else _clean_name(n)) for d, n in named.items()}

    table: dict[date, tuple[str, str | None]] = {}
    makeup: set[date] = set()
    seen: set[date] = set()
    for start in sorted(named):
        if start in seen:
            continue
        first = start
        while _is_off(first - timedelta(days=1), named):
            first -= timedelta(days=1)
        last = start
        while _is_off(last + timedelta(days=1), named):
            last += timedelta(days=1)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        names = [named[d] for d in days if named.get(d)]
        break_name = max(set(names), key=names.count) if names else "节假日"
        borrowed = 0
        if any(n in _LONG_BREAKS for n in names):
            while (last - first).days + 1 < LONG_BREAK_DAYS:
                last += timedelta(days=1)
                if last.weekday() < 5 and last not in named:
                    borrowed += 1
                while _is_off(last + timedelta(days=1), named):
                    last += timedelta(days=1)
            days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        for d in days:
            seen.add(d)
            table[d] = (HOLIDAY, named.get(d) or break_name)
        makeup.update(_payback_days(first, last, borrowed))
    for d in makeup:
        if d not in table:
            table[d] = (MAKEUP_WORKDAY, None)
    return {d: v for d, v in table.items() if d.year == year}


def _payback_days(first: date, last: date, borrowed: int) -> list[date]:
    """The ``borrowed`` nearest weekend days outside [first, last], alternating before/after."""
    before = [d for d in (first - timedelta(days=i) for i in range(1, 22)) if d.weekday() >= 5]
    after = [d for d in (last + timedelta(days=i) for i in range(1, 22)) if d.weekday() >= 5]
    chosen: list[date] = []
    for i in range(borrowed):
        chosen.append(before[i // 2] if i % 2 == 0 else after[i // 2])
    return chosen


def _special(day: date) -> tuple[str, str | None] | None:
    table = _official_table(day.year) if _official_year(day.year) else _estimated_table(day.year)
    return table.get(day)



def day_kind(day: date) -> str:
    """One of ``workday``, ``weekend``, ``holiday``, ``makeup_workday`` for a local date."""
    special = _special(day)
    if special is not None:
        return special[0]
    return WEEKEND if day.weekday() >= 5 else WORKDAY


def is_holiday(day: date) -> bool:
    """Whether ``day`` is a day off of a public-holiday break (weekends inside it included)."""
    return day_kind(day) == HOLIDAY


def is_workday(day: date) -> bool:
    """Whether people work on ``day``; make-up workdays (调休) count as workdays."""
    return day_kind(day) in (WORKDAY, MAKEUP_WORKDAY)


def holiday_name(day: date) -> str | None:
    """The Chinese name of the holiday break ``day`` belongs to (e.g. 春节), else None."""
    special = _special(day)
    return special[1] if special is not None and special[0] == HOLIDAY else None


def is_estimated(day: date) -> bool:
    """Whether ``day``'s year is past the official schedule, so make-up days are estimates."""
    return not _official_year(day.year)
