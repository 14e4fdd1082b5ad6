"""How right the suggestions were, and how often owners took them.

建议准确率 (suggestion accuracy) is defined as **1 − WAPE of the expected units the
cards showed (``forecast_expected``, the forecast mean) against the units actually sold,
over the scored cards of the last 14 days, floored at 0**:

    accuracy = max(0, 1 − Σ|expected − actual| / Σ actual)

It scores the number the owner read, not the forecast median (``forecast_p50``), so the
figure on the card and the figure judged are one. A card counts once it is scored
(``actual_units`` filled the day after) and carries expected units. WAPE weighs each card by its volume, so a miss of 3 on a 60-unit card matters less
than a miss of 3 on a 4-unit card, and it is the figure the backtests report, so an owner
and HQ read the same number. When nothing was sold on any scored card the ratio is
undefined and the accuracy is shown as "—".

Acceptance rate is accepted cards / all cards in the window: a card left undecided counts
as not taken, because ignoring a card is an answer too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from workbench.catalog.models import Category, Product
from workbench.suggestions.models import Suggestion, SuggestionStatus

#: The rolling window of the accuracy and acceptance figures, in days.
WINDOW_DAYS = 14


@dataclass(frozen=True)
class Accuracy:
    """Accuracy over ``cards`` scored cards: ``value`` in 0..1 or None when undefined."""

    cards: int
    abs_error: float
    actual: float
    inside: int = 0  # cards whose actual fell inside P10–P90

    @property
    def wape(self) -> float | None:
        """Σ|expected − actual| / Σ actual (None when nothing was sold)."""
        return self.abs_error / self.actual if self.actual > 0 else None

    @property
    def value(self) -> float | None:
        """建议准确率: 1 − WAPE floored at 0."""
        wape = self.wape
        return None if wape is None else max(0.0, 1.0 - wape)

    @property
    def coverage(self) -> float | None:
        """Share of scored cards whose actual lay inside the P10–P90 range."""
        return self.inside / self.cards if self.cards else None


def accuracy_of(pairs: Iterable[tuple[float | None, float | None]]) -> Accuracy:
    """Accuracy of ``(expected, actual)`` pairs; pairs with a missing value are skipped."""
    cards, err, actual = 0, 0.0, 0.0
    for expected, units in pairs:
        if expected is None or units is None:
            continue
        cards += 1
        err += abs(expected - units)
        actual += units
    return Accuracy(cards, err, actual)


def window(today: date, days: int = WINDOW_DAYS) -> tuple[date, date]:
    """The ``days`` local days before ``today`` (today's cards are not scored yet)."""
    return today - timedelta(days=days), today - timedelta(days=1)


def _scored():
    return and_(Suggestion.actual_units.is_not(None), Suggestion.forecast_expected.is_not(None))


def _aggregates():
    """Columns: cards, accepted, dismissed, scored cards, Σ|error|, Σ actual, inside P10–P90."""
    scored = _scored()
    inside = and_(scored, Suggestion.forecast_p10.is_not(None),
                  Suggestion.actual_units >= Suggestion.forecast_p10,
                  Suggestion.actual_units <= Suggestion.forecast_p90)
    return (
        func.count(Suggestion.id),
        func.sum(case((Suggestion.status == SuggestionStatus.ACCEPTED, 1), else_=0)),
        func.sum(case((Suggestion.status == SuggestionStatus.DISMISSED, 1), else_=0)),
        func.sum(case((scored, 1), else_=0)),
        func.sum(case((scored, func.abs(Suggestion.forecast_expected - Suggestion.actual_units)), else_=0.0)),
        func.sum(case((scored, Suggestion.actual_units), else_=0.0)),
        func.sum(case((inside, 1), else_=0)),
    )


@dataclass(frozen=True)
class Rates:
    """Cards, decisions and accuracy of one store, category or the whole window."""

    key: object
    name: str
    cards: int
    accepted: int
    dismissed: int
    accuracy: Accuracy

    @property
    def acceptance(self) -> float | None:
        """Accepted / all cards (undecided cards count as not taken)."""
        return self.accepted / self.cards if self.cards else None


def _rates(key, name, cards, accepted, dismissed, scored, err, actual, inside) -> Rates:
    acc = Accuracy(int(scored or 0), float(err or 0.0), float(actual or 0.0), int(inside or 0))
    return Rates(key, name, int(cards or 0), int(accepted or 0), int(dismissed or 0), acc)


def store_accuracy(session: Session, store_id: int, today: date, days: int = WINDOW_DAYS) -> Rates:
    """The store's cards, acceptance and 建议准确率 over the ``days`` before ``today``."""
    first, last = window(today, days)
    row = session.execute(
        select(*_aggregates()).where(
            Suggestion.store_id == store_id, Suggestion.for_date >= first, Suggestion.for_date <= last
        )
    ).one()
    return _rates(store_id, "", *row)


def rates_by_store(session: Session, stores: Select, today: date, days: int = WINDOW_DAYS) -> dict[int, Rates]:
    """Rates per store id for the stores selected by ``stores`` (a ``select(Store.id)``): one query."""
    first, last = window(today, days)
    rows = session.execute(
        select(Suggestion.store_id, *_aggregates())
        .where(Suggestion.store_id.in_(stores), Suggestion.for_date >= first, Suggestion.for_date <= last)
        .group_by(Suggestion.store_id)
    )
    return {sid: _rates(sid, "", *rest) for sid, *rest in rows}


def rates_by_category(session: Session, stores: Select, today: date, days: int = WINDOW_DAYS) -> list[Rates]:
    """Rates per product category over the selected stores, most cards first; one query.

    Cards without a product (some bundles) are grouped under a ``None`` key.
    """
    first, last = window(today, days)
    rows = session.execute(
        select(Category.id, Category.name, *_aggregates())
        .select_from(Suggestion)
        .outerjoin(Product, Product.id == Suggestion.product_id)
        .outerjoin(Category, Category.id == Product.category_id)
        .where(Suggestion.store_id.in_(stores), Suggestion.for_date >= first, Suggestion.for_date <= last)
        .group_by(Category.id, Category.name)
    )
    out = [_rates(cid, name or "", *rest) for cid, name, *rest in rows]
    return sorted(out, key=lambda r: (-r.cards, r.name))


@dataclass(frozen=True)
class ScoredCard:
    """One of yesterday's cards with its forecast and what really sold."""

    id: int
    kind: str
    rank: int
    product: str | None
    unit: str | None
    status: str
    p10: float | None
    expected: float | None  # the units the card showed (forecast_expected)
    p90: float | None
    actual: float | None

    @property
    def scored(self) -> bool:
        return self.actual is not None and self.expected is not None

    @property
    def error(self) -> float | None:
        """Actual minus the expected units shown: positive when more sold than forecast."""
        return self.actual - self.expected if self.scored else None

    @property
    def inside(self) -> bool | None:
        """The actual lay inside the P10–P90 range (None when either is unknown)."""
        if self.actual is None or self.p10 is None or self.p90 is None:
            return None
        return self.p10 <= self.actual <= self.p90


KIND_ORDER = {"push": 0, "clear": 1, "restock": 2, "bundle": 3}


def scored_cards(session: Session, store_id: int, day: date) -> list[ScoredCard]:
    """The store's cards for local ``day`` that carry a forecast, in page order."""
    rows = session.execute(
        select(Suggestion.id, Suggestion.kind, Suggestion.rank, Product.name, Product.unit, Suggestion.status,
               Suggestion.forecast_p10, Suggestion.forecast_expected, Suggestion.forecast_p90, Suggestion.actual_units)
        .outerjoin(Product, Product.id == Suggestion.product_id)
        .where(Suggestion.store_id == store_id, Suggestion.for_date == day, Suggestion.forecast_expected.is_not(None))
    )
    cards = [ScoredCard(*r) for r in rows]
    return sorted(cards, key=lambda c: (KIND_ORDER.get(c.kind, 9), c.rank))


@dataclass(frozen=True)
class PushHits:
    """How often pushed products sold above their own 28-day average on their day."""

    cards: int
    above: int

    @property
    def rate(self) -> float | None:
        return self.above / self.cards if self.cards else None


def push_hits(session: Session, store_ids, first: date, last: date) -> PushHits:
    """Scored push cards of ``store_ids`` (a list or a subquery) for ``first``..``last``: how many
    sold more than the product's usual day (``usual_units``, its own 28-day average) —
    the push-choice backtest HQ's page and ``bench/push_backtest.py`` both print."""
    rows = session.execute(
        select(Suggestion.actual_units, Suggestion.metrics)
        .where(Suggestion.kind == "push", Suggestion.for_date >= first, Suggestion.for_date <= last,
               Suggestion.actual_units.is_not(None), Suggestion.store_id.in_(store_ids))
    ).all()
    usual = [(a, (m or {}).get("usual_units")) for a, m in rows]
    scored = [(a, u) for a, u in usual if u is not None]
    return PushHits(len(scored), sum(1 for a, u in scored if a > u))
