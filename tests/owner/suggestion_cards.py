"""Hand-made suggestion cards for the page tests (no engine involved)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from workbench.formatting import local_today
from workbench.suggestions.models import Suggestion

#: Hand-made metrics that follow the contract in ``workbench/suggestions/cards.py``.
PUSH_METRICS = {
    "category": "水果", "price_fen": 4716, "list_price_fen": 4716, "cost_fen": 3120, "unit_margin_fen": 1596,
    "spoil_loss_fen": 936, "expected_units": 22.0, "low_units": 14.0, "high_units": 31.0,
    "expected_sales_fen": 103752, "usual_units": 15.0, "extra_units": 7.0, "extra_profit_fen": 11172,
    "stock_units": 26, "target_tags": [{"tag": "有孩家庭", "members": 48, "lift": 1.6, "lift_low": 1.2},
                                       {"tag": "品质生活", "members": 31, "lift": 1.3, "lift_low": 1.05}],
    "target_members": 70, "target_group": "tags", "best_hour": 19,
    "days": [{"mean": 22.0, "p10": 14.0, "p90": 31.0}] * 7,
}
CLEAR_METRICS = {
    "category": "水果", "quantity": 12, "expires_on": "2026-11-24", "days_left": 1, "price_fen": 3990,
    "cost_fen": 2394, "base_demand": 6.5, "reachable_buyers": 40, "response": 1.8, "response_low": 1.2,
    "response_high": 2.4, "response_source": "store", "discount": 0.3, "discount_price_fen": 2793,
    "expected_units": 9, "expected_left": 3, "expected_revenue_fen": 25137, "full_price_units": 5,
    "full_price_left": 7, "full_price_revenue_fen": 19950, "cost_at_risk_fen": 16758,
    "curve": [{"discount": d / 10, "units": 5.0 + d, "revenue_fen": r}
              for d, r in enumerate([18000, 21500, 24100, 25137, 23800, 20000])],
}
RESTOCK_METRICS = {
    "category": "乳品", "on_hand": 4, "expected_units": 5.2, "low_units": 3.0, "high_units": 8.0, "cover_days": 0.77,
    "level": "red", "window_days": 3, "order_units": 30, "order_cost_fen": 23220, "lost_margin_fen": 4180,
    "days": [{"mean": 5.2, "p10": 3.0, "p90": 8.0}] * 5,
}
BUNDLE_METRICS = {
    "antecedent": [2], "consequent": 1, "items": [{"product_id": 1, "name": "阳光玫瑰葡萄"}, {"product_id": 2, "name": "低糖酸奶"}],
    "support": 0.042, "confidence": 0.38, "lift": 2.3, "count": 21, "baskets": 500, "window_days": 56,
    "bundle_price_fen": 5280,
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
    values = {"forecast_p10": 14.0, "forecast_expected": 22.0, "forecast_p90": 31.0} if kind != "bundle" else {}
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
