"""Hand-made suggestion cards for the page tests (no engine involved)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from workbench.formatting import local_today
from workbench.suggestions.models import Suggestion

PUSH_METRICS = {
    "stock_units": 26, "critical_ratio": 0.62, "expected_gmv_fen": 103740, "best_hour": {"hour": 19, "share": 0.21, "source": "live", "events": 80},
    "unit_margin_fen": 1596, "target_tags": [{"tag": "有孩家庭", "members": 48, "lift": 1.6}, {"tag": "品质生活", "members": 31, "lift": 1.3}],
}
CLEAR_METRICS = {
    "discount": 0.3, "discount_price_fen": 2793, "expected_revenue_fen": 25130, "full_price_revenue_fen": 17955,
    "days_left": 1, "quantity": 12, "expected_units": 9.0, "expected_unsold": 3.0, "cost_at_risk_fen": 7182,
    "elasticity": -1.8, "elasticity_source": "store",
    "curve": [{"discount": d / 10, "revenue_fen": r} for d, r in enumerate([18000, 21500, 24100, 25130, 23800, 20000])],
}
RESTOCK_METRICS = {
    "on_hand": 4, "daily_demand": 5.2, "cover_days": 0.77, "level": "red", "order_units": 30, "order_cost_fen": 23220,
    "lost_margin_fen": 4180, "days": [{"p10": 3, "p50": 5, "p90": 8}] * 5,
}
BUNDLE_METRICS = {
    "antecedent": [2], "consequent": 1, "items": [{"product_id": 1, "name": "阳光玫瑰葡萄"}, {"product_id": 2, "name": "低糖酸奶"}],
    "support": 0.042, "confidence": 0.38, "lift": 2.3, "count": 21, "baskets": 500, "bundle_price_fen": 5280,
}
REASONS = [
    {"code": "talk_surge", "params": {"topic": "低糖", "count": 18, "ratio_x": 2.4}},
    {"code": "hot_day", "params": {"temp": 33, "category": "水果", "lift_chg_pct": 0.35}},
    {"code": "same_weekday", "params": {"units": 31, "weekday": 0}},
]


def card(session, store, product=None, *, kind: str = "push", rank: int | None = None, for_date: date | None = None,
         **kw) -> Suggestion:
    """One card of ``kind`` for ``store`` (today by default) with believable numbers.

    Without ``rank`` the card takes the next free rank of its store, day and kind, so it
    never collides with a card the shared test world may already hold.
    """
    for_date = for_date or local_today()
    if rank is None:
        rank = 1 + (session.scalar(select(func.max(Suggestion.rank)).where(
            Suggestion.store_id == store.id, Suggestion.for_date == for_date, Suggestion.kind == kind)) or 0)
    metrics = {"push": PUSH_METRICS, "clear": CLEAR_METRICS, "restock": RESTOCK_METRICS,
               "bundle": BUNDLE_METRICS}[kind]
    values = {"forecast_p10": 14.0, "forecast_p50": 22.0, "forecast_p90": 31.0} if kind != "bundle" else {}
    values.update(kw)
    s = Suggestion(store_id=store.id, for_date=for_date, kind=kind, rank=rank,
                   product_id=product.id if product is not None else None, metrics=dict(metrics),
                   reasons=list(REASONS), model="lightgbm", **values)
    session.add(s)
    session.flush()
    return s


def todays_cards(session, world, store_world=None):
    """A push, a clear, a restock and a bundle card for store A (or ``store_world``) today."""
    sw = store_world or world.a
    p = world.products
    cards = [
        card(session, sw.store, p[0], kind="push"),
        card(session, sw.store, p[0], kind="clear", stock_batch_id=sw.stock.id),
        card(session, sw.store, p[1], kind="restock", cold_start=True),
        card(session, sw.store, p[1], kind="bundle"),
    ]
    session.commit()
    return cards
