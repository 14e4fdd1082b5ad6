"""Counter data on top of the shared world: arrived orders with items for store A's members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import gen_order
from workbench.models import Order


def make_order(session, sw, member, *, status="arrived", arrived_at=None, picked_up_at=None, items=None,
               products=None, placed_at=None) -> Order:
    """An order of ``member`` in store ``sw`` with its lines (``items``: [(product, qty)])."""
    return gen_order(session, sw.store, member, items or [(products[0], 2)], code_prefix=f"P{sw.store.code}",
                     status=status, pickup_point=sw.pickup_point,
                     placed_at=placed_at or datetime.now(UTC) - timedelta(days=1), arrived_at=arrived_at,
                     picked_up_at=picked_up_at)


@pytest.fixture
def order_factory(db, world):
    def build(sw=None, member=None, **kw):
        sw = sw or world.a
        order = make_order(db.session, sw, member or sw.members[1], products=world.products, **kw)
        db.session.commit()
        return order
    return build
