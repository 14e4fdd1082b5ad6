"""HQ's view of the suggestions: today's cards across stores, how they fare, the backtests.

Every query goes through ``scoped`` on ``Store``, so a regional manager sees their
region only; each table is one query (grouped where it aggregates), whatever the number
of stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workbench.auth.models import User
from workbench.auth.scoping import scoped
from workbench.catalog.models import Product
from workbench.forecasting.models import BacktestRun
from workbench.stores.models import Region, Store
from workbench.suggestions.accuracy import (
    KIND_ORDER,
    PushHits,
    Rates,
    push_hits,
    rates_by_category,
    rates_by_store,
)
from workbench.suggestions.models import Suggestion

#: How many of today's cards the table shows at most; 200 stores × 8 cards would be a
#: 1,600-row page, too long to read. The filters narrow it down.
ROW_LIMIT = 400
#: The reference method every backtest figure is compared against.
BASELINE = "seasonal_naive"


@dataclass(frozen=True)
class CardRow:
    id: int
    store_code: str
    store_name: str
    region: str
    kind: str
    rank: int
    product: str | None
    p10: float | None
    expected: float | None
    p90: float | None
    status: str
    dismiss_reason: str | None
    cold_start: bool
    reasons: list


@dataclass(frozen=True)
class TodayCards:
    rows: list[CardRow]
    total: int
    by_status: dict[str, int]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def _stores(user: User, region_id: int | None):
    stmt = select(Store.id).where(Store.is_active.is_(True))
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    return scoped(stmt, Store, user)


def todays_cards(session: Session, user: User, today: date, region_id: int | None = None,
                 kind: str | None = None, limit: int = ROW_LIMIT) -> TodayCards:
    """Today's cards of the visible stores (optionally one region and kind), store by store."""
    where = [Suggestion.for_date == today, Suggestion.store_id.in_(_stores(user, region_id))]
    if kind:
        where.append(Suggestion.kind == kind)
    stmt = (
        select(Suggestion.id, Store.code, Store.name, Region.name, Suggestion.kind, Suggestion.rank, Product.name,
               Suggestion.forecast_p10, Suggestion.forecast_expected, Suggestion.forecast_p90, Suggestion.status,
               Suggestion.dismiss_reason, Suggestion.cold_start, Suggestion.reasons)
        .join(Store, Store.id == Suggestion.store_id)
        .join(Region, Region.id == Store.region_id)
        .outerjoin(Product, Product.id == Suggestion.product_id)
        .where(*where)
        .order_by(Store.code, case(KIND_ORDER, value=Suggestion.kind, else_=9), Suggestion.rank)
        .limit(limit)
    )
    rows = [CardRow(*r) for r in session.execute(stmt)]
    counts = dict(session.execute(select(Suggestion.status, func.count()).where(*where).group_by(Suggestion.status)).all())
    return TodayCards(rows, sum(counts.values()), {k: int(v) for k, v in counts.items()})


@dataclass(frozen=True)
class StoreRates:
    code: str
    name: str
    region: str
    rates: Rates | None


def store_rates(session: Session, user: User, today: date, region_id: int | None = None) -> list[StoreRates]:
    """Acceptance and accuracy over the last 14 days for each visible store: two queries."""
    stores = _stores(user, region_id)
    rates = rates_by_store(session, stores, today)
    names = session.execute(
        select(Store.id, Store.code, Store.name, Region.name)
        .join(Region, Region.id == Store.region_id)
        .where(Store.id.in_(stores))
        .order_by(Store.code)
    )
    return [StoreRates(code, name, region, rates.get(sid)) for sid, code, name, region in names]


def category_rates(session: Session, user: User, today: date, region_id: int | None = None) -> list[Rates]:
    """Acceptance and accuracy over the last 14 days per product category: one query."""
    return rates_by_category(session, _stores(user, region_id), today)


def total_rates(rows: list[StoreRates]) -> Rates | None:
    """The sum over the stores' figures (the table's footer)."""
    from workbench.suggestions.accuracy import Accuracy

    present = [r.rates for r in rows if r.rates is not None]
    if not present:
        return None
    acc = Accuracy(sum(r.accuracy.cards for r in present), sum(r.accuracy.abs_error for r in present),
                   sum(r.accuracy.actual for r in present), sum(r.accuracy.inside for r in present))
    return Rates(None, "", sum(r.cards for r in present), sum(r.accepted for r in present),
                 sum(r.dismissed for r in present), acc)


@dataclass(frozen=True)
class BacktestRow:
    method: str
    wape: float | None
    mase: float | None
    bias: float | None
    coverage80: float | None
    series: int
    seconds: float
    horizon: int
    holdout_days: int
    source: str
    ran_at: object
    vs_baseline: float | None  # this WAPE / the latest seasonal-naive WAPE (None without one)

    @property
    def is_baseline(self) -> bool:
        return self.method == BASELINE or self.method.startswith("ma")


def latest_backtests(session: Session) -> list[BacktestRow]:
    """The newest ``BacktestRun`` of each method, the model first, with its WAPE ratio to seasonal naive.

    Backtests are brand-wide (they judge the model, not a store), so every staff member
    sees the same figures.
    """
    newest = select(func.max(BacktestRun.id)).group_by(BacktestRun.method)
    runs = session.scalars(select(BacktestRun).where(BacktestRun.id.in_(newest))).all()
    base = next((r for r in runs if r.method == BASELINE), None)

    def ratio(r: BacktestRun) -> float | None:
        if base is None or r.wape is None or not base.wape:
            return None
        return r.wape / base.wape

    rows = [BacktestRow(r.method, r.wape, r.mase, r.bias, r.coverage80, r.series, r.seconds, r.horizon,
                        r.holdout_days, r.source, r.ran_at, ratio(r)) for r in runs]
    return sorted(rows, key=lambda r: (r.is_baseline, r.method))


def push_hit_rate(session: Session, user: User, today: date) -> PushHits:
    """Scored push cards of the visible stores over the last 14 days: sold above the usual day?"""
    from workbench.suggestions.accuracy import window

    return push_hits(session, _stores(user, None), *window(today))

