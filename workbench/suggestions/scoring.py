"""Score a day's cards against what happened: units of the card's product sold that day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from workbench.orders.models import Order, OrderItem
from workbench.suggestions.models import Suggestion
from workbench.timeutil import day_start_utc
from workbench.types import utcnow

EXCLUDED = ("cancelled", "failed")  # never demand (failed group buys returned the money)


def score_day(session, day: date, store_ids: list[int] | None = None) -> int:
    """Fill ``actual_units`` and ``scored_at`` of ``day``'s cards with a product; returns how many.

    Idempotent: a re-run recomputes the same numbers (late orders of the day included).
    """
    query = select(Suggestion).where(Suggestion.for_date == day, Suggestion.product_id.is_not(None))
    if store_ids is not None:
        query = query.where(Suggestion.store_id.in_(store_ids))
    cards = session.scalars(query).all()
    if not cards:
        return 0
    stores = sorted({c.store_id for c in cards})
    products = sorted({c.product_id for c in cards})
    sold: dict[tuple[int, int], float] = defaultdict(float)
    for store_id, product_id, units in session.execute(
        select(Order.store_id, OrderItem.product_id, func.sum(OrderItem.quantity))
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.store_id.in_(stores), OrderItem.product_id.in_(products),
               Order.placed_at >= day_start_utc(day), Order.placed_at < day_start_utc(day + timedelta(days=1)),
               Order.status.not_in(EXCLUDED))
        .group_by(Order.store_id, OrderItem.product_id)
    ).all():
        sold[(store_id, product_id)] = float(units)
    now = utcnow()
    for card in cards:
        card.actual_units = sold.get((card.store_id, card.product_id), 0.0)
        card.scored_at = now
    session.flush()
    return len(cards)
