"""推品 push: the SKU that earns most extra today by being pushed, with whom to target and when."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from workbench.forecasting.dbsource import topic_categories
from workbench.suggestions import signals, stocking
from workbench.suggestions.cards import PushMetrics
from workbench.suggestions.drafts import Draft, day_ranges, r1, shown_units
from workbench.suggestions.forecast import SeriesForecast
from workbench.suggestions.reasons import reason
from workbench.suggestions.storedata import Catalogue, ProductInfo, StoreData

MAX_CARDS = 2
MIN_PUSH_UNITS = 2.0  # expected units today: below this pushing is not worth a card
MIN_EXTRA_UNITS = 0.5  # above the product's usual day, or pushing it adds nothing
USUAL_DAYS = 28
MAX_TAGS = 3
MIN_SURGE_COUNT = 3
MIN_SURGE_RATIO = 1.3
MIN_HOT_LIFT = 0.10
MIN_HOUR_EVENTS = 20  # fewer live views than this: use clicks, then order times


def build(data: StoreData, catalogue: Catalogue, series: dict[int, SeriesForecast]) -> list[Draft]:
    """Up to ``MAX_CARDS`` push cards, the largest expected extra profit from pushing today first.

    The extra is what today's forecast says above the product's own 28-day average
    (group talk, weather, season, a group buy, the trend: whatever lifts the forecast)
    times the unit margin; a product must be expected to sell ``MIN_PUSH_UNITS`` today.
    """
    usual = data.usual_units(USUAL_DAYS)
    scored = []
    for pid, fc in series.items():
        info = catalogue.products.get(pid)
        if info is None:
            continue
        price = data.campaign_price.get(pid, info.price_fen)
        margin = price - info.cost_fen
        expected = shown_units(fc.mean[0])
        extra = expected - usual.get(pid, 0.0)
        if margin <= 0 or expected < MIN_PUSH_UNITS or extra < MIN_EXTRA_UNITS:
            continue
        scored.append((r1(extra) * margin, pid))  # the units the card shows × the margin
    scored.sort(key=lambda t: (-t[0], t[1]))
    hour = _best_hour(data)
    return [_card(data, catalogue, catalogue.products[pid], series[pid], value, hour, usual.get(pid, 0.0))
            for value, pid in scored[:MAX_CARDS]]


def _best_hour(data: StoreData) -> dict | None:
    for source, hours in (("live_view", data.talk_hour[data.talk_kind == "live_view"]),
                          ("click", data.talk_hour[data.talk_kind == "click"]),
                          ("orders", data.hour)):
        if len(hours) >= MIN_HOUR_EVENTS or source == "orders":
            found = signals.best_hour(hours)
            if found:
                return {"hour": found[0], "share": round(found[1], 3), "source": source, "events": int(len(hours))}
    return None


def _card(data: StoreData, catalogue: Catalogue, info: ProductInfo, fc: SeriesForecast, value: float,
          hour: dict | None, usual: float) -> Draft:
    campaign_price = data.campaign_price.get(info.id)
    price = campaign_price or info.price_fen
    expected = shown_units(fc.mean[0])
    low, high = min(fc.p10[0], expected), max(fc.p90[0], expected)
    nv = stocking.newsvendor(low, min(max(fc.p50[0], low), high), high, price, info.cost_fen, info.shelf_life_days)
    in_cat = np.array([catalogue.products[int(p)].category_id == info.category_id
                       if int(p) in catalogue.products else False for p in data.product], dtype=bool)
    brand = {tag: lift for (tag, cid), lift in catalogue.brand_tag_lift.items() if cid == info.category_id}
    tags = signals.credible_tags(data.tag_members, data.member, data.order, in_cat, brand)[:MAX_TAGS]
    # No group standing out is the common case in a small store: the owner then messages the
    # members who bought the category lately (the same reach ``clear`` caps demand by).
    targeted = len(set().union(*(data.tag_members[t.tag] for t in tags))) if tags else \
        data.reachable_buyers({info.category_id}, catalogue, USUAL_DAYS)
    metrics: PushMetrics = {
        "category": info.category,
        "price_fen": price,
        "list_price_fen": info.price_fen,
        "cost_fen": info.cost_fen,
        "unit_margin_fen": price - info.cost_fen,
        "spoil_loss_fen": int(round(info.cost_fen - nv.salvage_fen)),
        "expected_units": expected,
        "low_units": r1(low),
        "high_units": r1(high),
        "expected_sales_fen": int(round(expected * price)),
        "usual_units": r1(usual),
        "extra_units": r1(expected - usual),
        "extra_profit_fen": int(round(value)),
        "stock_units": nv.units,
        "target_tags": [{"tag": t.tag, "members": t.members, "lift": round(t.lift, 2), "lift_low": round(t.lift_low, 2)}
                        for t in tags],
        "target_members": targeted,
        "target_group": "tags" if tags else "recent_buyers",
        "best_hour": hour["hour"] if hour else None,
        "days": day_ranges(fc),
    }
    reasons = []
    if fc.cold_start:
        reasons.append(_cold_reason(data, catalogue, info, fc))
    surge = _talk_surge(data, catalogue, info)
    if surge:
        reasons.append(surge)
    hot = _hot_day(data, catalogue, info)
    if hot:
        reasons.append(hot)
    if campaign_price:
        reasons.append(reason("campaign_price", price_fen=campaign_price,
                              discount_pct=round(1 - campaign_price / info.price_fen, 3)))
    reasons.append(reason("above_usual", units=expected, usual=r1(usual)))
    if tags:
        t = tags[0]
        reasons.append(reason("tag_more_often", count=t.members, tag=t.tag, category=info.category,
                              lift_x=round(t.lift, 2)))
    more = metrics["unit_margin_fen"] >= metrics["spoil_loss_fen"]
    reasons.append(reason("stock_more" if more else "stock_less", margin_fen=metrics["unit_margin_fen"],
                          loss_fen=metrics["spoil_loss_fen"], units=metrics["stock_units"]))
    return Draft(kind="push", score=value, metrics=dict(metrics), reasons=reasons[:3], product_id=info.id,
                 forecast=fc, cold_start=fc.cold_start, model=fc.source)


def _cold_reason(data: StoreData, catalogue: Catalogue, info: ProductInfo, fc: SeriesForecast) -> dict:
    if fc.source == "profile":
        stores = catalogue.profile_stores.get(data.profile) or sum(catalogue.profile_stores.values())
        return reason("cold_start_store", stores=stores, profile=data.profile)
    return reason("cold_start_sku", category=info.category)


def _topics_for(data: StoreData, catalogue: Catalogue, info: ProductInfo) -> set[str]:
    """Chat topics about the product's category (learned as the forecaster does) or attributes."""
    topics = sorted({t for t in data.talk_topic if t})
    if not topics:
        return set()
    products = {p.id: SimpleNamespace(category_id=p.category_id, name=p.category, code=p.category_code)
                for p in catalogue.products.values()}
    named = [(t, int(p)) for t, p in zip(data.talk_topic, data.talk_product, strict=True) if t and p >= 0]
    about = topic_categories(topics, products, named)
    return {t for t, cats in about.items() if info.category_id in cats} | (set(info.attributes) & set(topics))


def _talk_surge(data: StoreData, catalogue: Catalogue, info: ProductInfo) -> dict | None:
    best = None
    for topic in sorted(_topics_for(data, catalogue, info)):
        mask = (data.talk_kind == "group_message") & (data.talk_topic == topic)
        found = signals.talk_surge(data.talk_offset[mask])
        if found and found[0] >= MIN_SURGE_COUNT and found[1] >= MIN_SURGE_RATIO and (
                best is None or found[1] > best[2]):
            best = (topic, found[0], found[1])
    if best is None:
        return None
    ratio = best[2] if best[2] != float("inf") else float(best[1])
    return reason("talk_surge", topic=best[0], count=best[1], ratio_x=round(ratio, 2))


def _hot_day(data: StoreData, catalogue: Catalogue, info: ProductInfo) -> dict | None:
    if data.temp_today is None or data.temp_today <= signals.HOT_C:
        return None
    n = -int(data.offset.min()) if len(data.offset) else 0
    if n == 0:
        return None
    in_cat = np.array([catalogue.products[int(p)].category_id == info.category_id
                       if int(p) in catalogue.products else False for p in data.product], dtype=bool)
    units = np.bincount(data.offset[in_cat] + n, weights=data.qty[in_cat], minlength=n)[:n]
    temps = np.array([data.temp_by_offset.get(k - n, np.nan) for k in range(n)], dtype=float)
    lift = signals.hot_day_lift(units, temps)
    if lift is None or lift < MIN_HOT_LIFT:
        return None
    return reason("hot_day", temp=data.temp_today, category=info.category, lift_chg_pct=round(lift, 3))


def _same_weekday(data: StoreData, product_id: int, p50: float) -> dict | None:
    """Last week's sales on this weekday, when they back the forecast (at least half of it)."""
    sel = (data.product == product_id) & (data.offset == -7)
    units = int(data.qty[sel].sum())
    if units <= 0 or units < 0.5 * p50:
        return None
    return reason("same_weekday", units=units, weekday=data.day.weekday())
