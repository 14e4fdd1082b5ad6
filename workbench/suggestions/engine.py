"""Cards for one store and day: build every kind, rank, and replace the day's new cards.

Re-running a store-day is idempotent: its cards still ``new`` are deleted and written
again, while accepted or dismissed ones stay as they are (the owner's decision and its
later score are history). A fresh card that repeats a decided one (same kind and
product / batch) is dropped, and fresh cards take the ranks decided cards leave free.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

import numpy as np
from sqlalchemy import delete, select

from workbench.forecasting.api import NextForecast
from workbench.suggestions import bundle, clear, push, restock
from workbench.suggestions.drafts import Draft, day_ranges
from workbench.suggestions.forecast import SeriesForecast, average_series, store_series
from workbench.suggestions.models import Suggestion, SuggestionStatus
from workbench.suggestions.storedata import Catalogue, StoreData, load_catalogue, load_store

#: A store with sales on fewer of the last 28 days is a cold start: its own forecasts are
#: replaced by the average of established stores with the same community profile.
COLD_SALES_DAYS = 14
NEW_SKU_DAYS = 14
KIND_ORDER = ("push", "clear", "restock", "bundle")


def generate_for_store(session, store_id: int, day: date, forecasts: NextForecast | None,
                       catalogue: Catalogue | None = None) -> list[Suggestion]:
    """Write the cards of ``store_id`` for ``day`` (flushes; the caller commits)."""
    catalogue = catalogue or load_catalogue(session, day)
    data = load_store(session, store_id, day, catalogue)
    drafts = build_drafts(data, catalogue, store_series(forecasts, store_id, day))
    return write_cards(session, store_id, day, drafts)


def build_drafts(data: StoreData, catalogue: Catalogue, series: dict[int, SeriesForecast]) -> list[Draft]:
    """Every kind's drafts for the store, cold starts filled in from averages."""
    horizon = max((len(s.mean) for s in series.values()), default=7)
    fallback = _sku_fallback(data, catalogue, horizon)
    if data.sales_days < COLD_SALES_DAYS or not series:
        series = profile_series(data, catalogue, horizon)
    else:
        # A SKU first sold here in the last NEW_SKU_DAYS has too short a series for the
        # model: its figures come from the store's category average instead. (A SKU not
        # sold at all in the loaded history keeps the model's near-zero forecast.)
        first = {}
        for p, off in zip(data.product.tolist(), data.offset.tolist(), strict=True):
            first[p] = min(off, first.get(p, 0))
        new = {p for p, off in first.items() if off > -NEW_SKU_DAYS}
        series = {pid: (fallback(pid) if pid in new else fc) for pid, fc in series.items()}
    return [*push.build(data, catalogue, series), *clear.build(data, catalogue, series, fallback),
            *restock.build(data, catalogue, series), *bundle.build(data, catalogue)]


def profile_series(data: StoreData, catalogue: Catalogue, horizon: int) -> dict[int, SeriesForecast]:
    """Forecasts of a new store: established stores of its community profile, per SKU."""
    n_stores = catalogue.profile_stores
    if n_stores.get(data.profile):
        rates = {pid: d for (prof, pid), d in catalogue.profile_daily.items() if prof == data.profile}
    else:  # no established store of this profile yet: all of them, weighted by store count
        total = sum(n_stores.values()) or 1
        rates = defaultdict(float)
        for (prof, pid), d in catalogue.profile_daily.items():
            rates[pid] += d * n_stores.get(prof, 0) / total
    return {pid: average_series(d, horizon, "profile") for pid, d in rates.items()
            if pid in catalogue.products and d > 0}


def _sku_fallback(data: StoreData, catalogue: Catalogue, horizon: int):
    """product → a forecast from this store's category average (a product new to the store)."""
    recent = data.offset >= -28
    per_product: dict[int, float] = defaultdict(float)
    for p, q in zip(data.product[recent].tolist(), data.qty[recent].tolist(), strict=True):
        per_product[p] += q / 28.0
    by_cat: dict[int, list[float]] = defaultdict(list)
    for p, rate in per_product.items():
        if p in catalogue.products:
            by_cat[catalogue.products[p].category_id].append(rate)

    def fallback(product_id: int) -> SeriesForecast:
        info = catalogue.products.get(product_id)
        rates = by_cat.get(info.category_id) if info else None
        if rates:
            return average_series(float(np.mean(rates)), horizon, "category")
        daily = catalogue.profile_daily.get((data.profile, product_id), 0.0)
        return average_series(daily, horizon, "profile")

    return fallback


def _same(draft: Draft, card: Suggestion) -> bool:
    if draft.kind != card.kind:
        return False
    if draft.kind == "bundle":
        return (card.metrics or {}).get("items") == draft.metrics.get("items")
    if draft.kind == "clear":
        return draft.stock_batch_id == card.stock_batch_id
    return draft.product_id == card.product_id


def write_cards(session, store_id: int, day: date, drafts: list[Draft]) -> list[Suggestion]:
    """Replace the store-day's new cards with ``drafts`` (ranked within each kind)."""
    session.execute(delete(Suggestion).where(
        Suggestion.store_id == store_id, Suggestion.for_date == day, Suggestion.status == SuggestionStatus.NEW))
    kept = session.scalars(select(Suggestion).where(Suggestion.store_id == store_id,
                                                    Suggestion.for_date == day)).all()
    taken: dict[str, set[int]] = defaultdict(set)
    for card in kept:
        taken[card.kind].add(card.rank)
    by_kind: dict[str, list[Draft]] = defaultdict(list)
    for d in drafts:
        by_kind[d.kind].append(d)
    cards = []
    for kind in KIND_ORDER:
        rank = 0
        for d in sorted(by_kind[kind], key=lambda d: -d.score):
            if any(_same(d, card) for card in kept):
                continue
            rank += 1
            while rank in taken[kind]:
                rank += 1
            # The expected units and band the card shows, and the median (see ``Suggestion``).
            shown = day_ranges(d.forecast)[0] if d.forecast else None
            median = min(max(_num(d.forecast.p50[0]), shown["p10"]), shown["p90"]) if shown else None
            card = Suggestion(
                store_id=store_id, for_date=day, kind=kind, rank=rank, product_id=d.product_id,
                stock_batch_id=d.stock_batch_id,
                forecast_p10=_num(shown["p10"]) if shown else None,
                forecast_expected=_num(shown["mean"]) if shown else None,
                forecast_p50=median,
                forecast_p90=_num(shown["p90"]) if shown else None,
                metrics=_plain(d.metrics), reasons=_plain(d.reasons), cold_start=d.cold_start,
                model=(d.model or "")[:40], status=SuggestionStatus.NEW,
            )
            session.add(card)
            cards.append(card)
    session.flush()
    return cards


def _num(value: float) -> float:
    return round(float(value), 3)


def _plain(value):
    """JSON-safe copy: numpy scalars to Python, non-finite floats to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer | bool):
        return value if isinstance(value, bool) else int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value
