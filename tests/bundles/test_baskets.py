"""``store_baskets``: one store's orders, by Shanghai local day, without cancelled or failed ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.factories import gen_order
from workbench.bundles.apriori import mine
from workbench.bundles.baskets import store_baskets
from workbench.models import Order, OrderStatus

FIRST, LAST = date(2026, 3, 10), date(2026, 3, 11)


def _order(db, store_world, placed_at: datetime, products, status=OrderStatus.PAID) -> Order:
    """One line of quantity 1 per product (a product listed twice is two lines)."""
    return gen_order(db.session, store_world.store, store_world.members[0], products, status=status,
                     placed_at=placed_at)


def test_local_day_boundaries_statuses_and_stores(db, world):
    grape, yogurt, cherry = world.products
    a, b = world.a, world.b
    # 2026-03-10 00:00 in Shanghai is 03-09 16:00 UTC; 03-12 00:00 is 03-11 16:00 UTC.
    _order(db, a, datetime(2026, 3, 9, 16, 0, tzinfo=UTC), [grape, yogurt])
    _order(db, a, datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC), [cherry])  # 03-09 23:59:59 local
    _order(db, a, datetime(2026, 3, 11, 15, 59, 59, tzinfo=UTC), [cherry, grape])
    _order(db, a, datetime(2026, 3, 11, 16, 0, tzinfo=UTC), [yogurt])  # 03-12 00:00 local
    _order(db, a, datetime(2026, 3, 10, 4, 0, tzinfo=UTC), [grape], OrderStatus.CANCELLED)
    _order(db, a, datetime(2026, 3, 10, 5, 0, tzinfo=UTC), [yogurt], OrderStatus.FAILED)
    _order(db, a, datetime(2026, 3, 10, 6, 0, tzinfo=UTC), [yogurt, grape, yogurt],
                      OrderStatus.REFUNDED)  # it sold; a product on two lines counts once
    _order(db, a, datetime(2026, 3, 10, 7, 0, tzinfo=UTC), [yogurt], OrderStatus.PICKED_UP)
    _order(db, b, datetime(2026, 3, 10, 8, 0, tzinfo=UTC), [grape, cherry])  # another store
    db.session.commit()

    baskets = store_baskets(db.session, a.store.id, FIRST, LAST)
    # By order id: the first instant, the last instant, the refunded, the picked-up one.
    assert baskets == [sorted([grape.id, yogurt.id]), sorted([cherry.id, grape.id]),
                       sorted([yogurt.id, grape.id]), [yogurt.id]]

    assert store_baskets(db.session, a.store.id, FIRST, FIRST) == [
        sorted([grape.id, yogurt.id]), sorted([yogurt.id, grape.id]), [yogurt.id]]
    assert store_baskets(db.session, a.store.id, date(2026, 3, 12), date(2026, 3, 12)) == [[yogurt.id]]
    assert store_baskets(db.session, b.store.id, FIRST, LAST) == [sorted([grape.id, cherry.id])]
    assert store_baskets(db.session, a.store.id, date(2025, 1, 1), date(2025, 1, 31)) == []

    # The miner takes them as they are: grape with yogurt in 2 of 4 baskets.
    result = mine(baskets, 0.5, 0.5)
    assert {(r.antecedent, r.consequent) for r in result.rules} == {((grape.id,), yogurt.id),
                                                                   ((yogurt.id,), grape.id)}
