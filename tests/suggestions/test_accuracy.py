"""建议准确率 and acceptance on hand-made cards with known answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.owner.suggestion_cards import card
from workbench.formatting import local_today
from workbench.stores.models import Store
from workbench.suggestions import accuracy


def test_accuracy_is_one_minus_wape():
    acc = accuracy.accuracy_of([(10, 8), (5, 5), (20, 25)])
    # |10−8| + |5−5| + |20−25| = 7 over 38 sold
    assert acc.cards == 3
    assert acc.wape == pytest.approx(7 / 38)
    assert acc.value == pytest.approx(1 - 7 / 38)


def test_accuracy_is_floored_at_zero_and_undefined_without_sales():
    assert accuracy.accuracy_of([(10, 1)]).value == 0.0  # WAPE 9 → 0, not −8
    assert accuracy.accuracy_of([(3, 0), (2, 0)]).value is None
    assert accuracy.accuracy_of([]).value is None


def test_missing_values_are_skipped():
    acc = accuracy.accuracy_of([(10, None), (None, 4), (4, 4)])
    assert (acc.cards, acc.value) == (1, 1.0)


def test_window_is_the_14_days_before_today():
    today = local_today()
    assert accuracy.window(today) == (today - timedelta(days=14), today - timedelta(days=1))


@pytest.fixture
def history(db, world):
    """Store A: 3 scored cards in the window, one too old, one today; store B: one card."""
    today = local_today()
    a, grapes, yogurt = world.a.store, world.products[0], world.products[1]
    card(db.session, a, grapes, for_date=today - timedelta(days=1), forecast_p10=6, forecast_expected=10,
         forecast_p90=14, actual_units=8, status="accepted")
    card(db.session, a, yogurt, for_date=today - timedelta(days=2), forecast_p10=3, forecast_expected=5,
         forecast_p90=7, actual_units=5, status="dismissed", dismiss_reason="other")
    card(db.session, a, grapes, for_date=today - timedelta(days=14), forecast_p10=12, forecast_expected=20,
         forecast_p90=24, actual_units=25)
    card(db.session, a, grapes, for_date=today - timedelta(days=15), forecast_expected=1, forecast_p10=1,
         forecast_p90=1, actual_units=100)  # outside the window
    card(db.session, a, grapes, for_date=today, actual_units=None)  # not scored yet
    card(db.session, world.b.store, grapes, for_date=today - timedelta(days=1), forecast_p10=1, forecast_expected=2,
         forecast_p90=3, actual_units=50, status="accepted")
    db.session.commit()
    return world


def test_store_accuracy_and_acceptance(db, history):
    r = accuracy.store_accuracy(db.session, history.a.store.id, local_today())
    assert (r.cards, r.accepted, r.dismissed) == (3, 1, 1)
    assert r.acceptance == pytest.approx(1 / 3)
    assert r.accuracy.cards == 3
    assert r.accuracy.value == pytest.approx(1 - 7 / 38)
    assert r.accuracy.coverage == pytest.approx(2 / 3)  # 25 lies above 12–24


def test_rates_by_store_and_category(db, history):
    stores = select(Store.id)
    by_store = accuracy.rates_by_store(db.session, stores, local_today())
    assert by_store[history.a.store.id].accuracy.value == pytest.approx(1 - 7 / 38)
    assert by_store[history.b.store.id].accuracy.value == pytest.approx(1 - 48 / 50)
    assert history.c.store.id not in by_store
    cats = {r.name: r for r in accuracy.rates_by_category(db.session, stores, local_today())}
    assert cats["水果"].cards == 3 and cats["水果"].accepted == 2
    assert cats["水果"].accuracy.value == pytest.approx(1 - (2 + 5 + 48) / 83)
    assert cats["乳品"].accuracy.value == 1.0


def test_scored_cards_of_yesterday(db, history):
    cards = accuracy.scored_cards(db.session, history.a.store.id, local_today() - timedelta(days=1))
    assert [(c.product, c.expected, c.actual, c.error, c.inside) for c in cards] == [("阳光玫瑰葡萄", 10, 8, -2, True)]
