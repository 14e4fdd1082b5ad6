"""补货 restock: days of cover per SKU with red / orange / yellow levels and what to order.

Cover = stock on hand (unexpired batches) ÷ the forecast mean for today. Levels are
``stocking.COVER_LEVELS``: red under 1 day, orange under 2, yellow under 3. The order
covers ``WINDOW_DAYS`` days (fewer when the shelf life is shorter, since more would
spoil), at the newsvendor's ratio of the window's demand: the expected units when an
unsold unit costs about what a sale earns, more when it keeps
(``stocking.order_quantity``). Cards are ranked by the margin the shortfall would lose.
"""

from __future__ import annotations

import math

from workbench.suggestions import stocking
from workbench.suggestions.cards import RestockMetrics
from workbench.suggestions.drafts import Draft, day_ranges, r1, shown_units
from workbench.suggestions.forecast import SeriesForecast
from workbench.suggestions.reasons import reason
from workbench.suggestions.storedata import Catalogue, StoreData

MAX_CARDS = 3
WINDOW_DAYS = 3
MIN_DAILY = 0.3  # units a day; below this a SKU is too slow for a restock card


def build(data: StoreData, catalogue: Catalogue, series: dict[int, SeriesForecast]) -> list[Draft]:
    """Up to ``MAX_CARDS`` restock cards, the largest lost margin first."""
    on_hand: dict[int, int] = {}
    for b in data.batches:
        on_hand[b.product_id] = on_hand.get(b.product_id, 0) + b.quantity
    out = []
    for pid, fc in series.items():
        info = catalogue.products.get(pid)
        daily = fc.mean[0]
        if info is None or daily < MIN_DAILY:
            continue
        have = on_hand.get(pid, 0)
        days = stocking.cover_days(have, daily)
        level = stocking.cover_level(days)
        if level is None:
            continue
        window = max(1, min(WINDOW_DAYS, info.shelf_life_days, len(fc.p50)))
        shown = day_ranges(fc)[:window]
        ratio = stocking.critical_ratio(info.price_fen, info.cost_fen, stocking.salvage_value(
            info.price_fen, info.cost_fen, info.shelf_life_days))
        qty = stocking.order_quantity(have, [d["mean"] for d in shown], [d["p10"] for d in shown],
                                      [d["p90"] for d in shown], ratio)
        if qty <= 0:
            continue
        short = max(0.0, sum(fc.mean[:window]) - have)
        lost = short * max(info.price_fen - info.cost_fen, 0)
        expected = shown_units(daily)
        metrics: RestockMetrics = {
            "category": info.category,
            "on_hand": have,
            "expected_units": expected,
            "low_units": r1(min(fc.p10[0], expected)),
            "high_units": r1(max(fc.p90[0], expected)),
            # One decimal, the same number the reason says (0.45 read "0.5 天" beside "只够 0.4 天").
            "cover_days": None if math.isinf(days) else round(days, 1),
            "level": level,
            "window_days": window,
            "order_units": qty,
            "order_cost_fen": qty * info.cost_fen,
            "lost_margin_fen": int(round(lost)),
            "days": day_ranges(fc),
        }
        reasons = []
        if fc.cold_start:
            reasons.append(reason("cold_start_sku", category=info.category) if fc.source == "category" else
                           reason("cold_start_store", stores=catalogue.profile_stores.get(data.profile, 0),
                                  profile=data.profile))
        if have <= 0:
            reasons.append(reason("out_of_stock", daily=r1(daily)))
        else:
            reasons.append(reason("low_cover", on_hand=have, days=round(days, 1), daily=r1(daily)))
        reasons.append(reason("order_up_to", units=qty, days=window))
        out.append(Draft(kind="restock", score=lost + (3 - days if not math.isinf(days) else 0), metrics=dict(metrics),
                         reasons=reasons[:3], product_id=pid, forecast=fc, cold_start=fc.cold_start, model=fc.source,
                         extra={"level": level}))
    out.sort(key=lambda d: (-d.score, d.product_id))
    return out[:MAX_CARDS]
