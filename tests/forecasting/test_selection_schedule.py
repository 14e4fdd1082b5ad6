"""The weekly re-choice is spread over the week: each night carries about a seventh of it."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from workbench.forecasting.api import SELECTION_DAYS, selection_due

DAY = date(2026, 12, 6)


def test_a_store_without_a_recent_choice_chooses_at_once():
    assert selection_due(3, DAY, None)
    assert selection_due(3, DAY, DAY - timedelta(days=SELECTION_DAYS))


def test_a_store_chooses_on_its_own_night_only():
    slot = next(s for s in range(1, 8) if s % 7 == DAY.toordinal() % 7)
    assert selection_due(slot, DAY, DAY - timedelta(days=3))
    assert not selection_due(slot + 1, DAY, DAY - timedelta(days=3))
    assert not selection_due(slot, DAY, DAY)  # already chosen today (a re-run of the night)


def test_steady_state_spreads_200_stores_over_the_week():
    last = {s: DAY - timedelta(days=SELECTION_DAYS) for s in range(1, 201)}  # all chose on one night
    per_night = Counter()
    for k in range(1, 15):
        day = DAY + timedelta(days=k)
        for s in last:
            if selection_due(s, day, last[s]):
                last[s] = day
                per_night[day] += 1
    week_two = [per_night[DAY + timedelta(days=k)] for k in range(8, 15)]
    assert max(week_two) <= 29 and sum(week_two) == 200
    assert all(day - last[s] < timedelta(days=SELECTION_DAYS) for s in last)
