"""Counter data on top of the shared world: arrived orders with items for store A's members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from workbench.models import Order, OrderItem

_seq = count(1)


def make_order(session, sw, member, *, status="arrived", arrived_at=None, picked_up_at=None, items=None,
               products=None, placed_at=None) -> Order:
    """An order of ``member`` in store ``sw`` with its lines (``items``: [(product, qty)])."""
    now = datetime.now(UTC)
    items = items or [(products[0], 2)]
    total = sum(p.price_fen * q for p, q in items)
    order = Order(code=f"P{sw.store.code}{next(_seq):05d}", store_id=sw.store.id, member_id=member.id,
                  pickup_point_id=sw.pickup_point.id, status=status, source="demo", total_fen=total,
                  placed_at=placed_at or now - timedelta(days=1), arrived_at=arrived_at, picked_up_at=picked_up_at)
    session.add(order)
    session.flush()
    for p, q in items:
        session.add(OrderItem(order_id=order.id, product_id=p.id, quantity=q, unit_price_fen=p.price_fen,
                              list_price_fen=p.price_fen, amount_fen=q * p.price_fen))
    session.flush()
    return order


@pytest.fixture
def order_factory(db, world):
    def build(sw=None, member=None, **kw):
        sw = sw or world.a
        order = make_order(db.session, sw, member or sw.members[1], products=world.products, **kw)
        db.session.commit()
        return order
    return build
