"""A busy store's day (600 orders, 1,200 lines): one query per list, and quick enough."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import event, insert

from tests.factories import Line, gen_campaign, gen_member, item_values, order_values
from tests.fulfilment.conftest import DAY
from workbench.fulfilment import lists
from workbench.models import Building, Order, OrderItem

N_ORDERS = 600


def busy_day(db, world):
    a = world.a
    campaign = gen_campaign(db.session, a.store, title="大促", starts_at=datetime(2031, 5, 15, tzinfo=UTC),
                            ends_at=datetime(2031, 5, 18, tzinfo=UTC), pickup_on=DAY, status="grouped")
    # The world already has 3栋; make the other 19.
    buildings = [a.building if i == 3 else
                 Building(community_id=a.community.id, name=f"{i}栋", household_type="mixed", households=80)
                 for i in range(1, 21)]
    db.session.add_all([b for b in buildings if b is not a.building])
    db.session.flush()
    members = [gen_member(db.session, a.store, a.community, building=buildings[i % 20], phone=f"1370000{i:04d}",
                          name=f"会员{i}", room=f"{i % 3 + 1}单元{(i % 12 + 1) * 100 + 1}", joined_on=DAY,
                          pickup_code=f"7{i:05d}", flush=False) for i in range(300)]
    db.session.flush()
    products = world.products
    placed = datetime(2031, 5, 18, tzinfo=UTC)
    # Bulk inserts of the builders' rows: 600 ORM orders would make the setup the slow part.
    order_ids = db.session.execute(insert(Order).returning(Order.id), [
        order_values(a.store, members[i % 300], code=f"S{i:07d}", campaign=campaign, pickup_point=a.pickup_point,
                     status="shipped", total_fen=0, placed_at=placed) for i in range(N_ORDERS)
    ]).scalars().all()
    db.session.execute(insert(OrderItem), [
        item_values(oid, Line(products[(k + j) % 3], 1 + j, 100, 100))
        for k, oid in enumerate(order_ids) for j in range(2)
    ])
    db.session.commit()


def test_busy_day(db, world, owner_client):
    busy_day(db, world)
    store_id = world.a.store.id
    selects = []
    count = lambda *args: selects.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    try:
        lines = lists.batch_lines(db.session, [store_id], DAY)
        plist = lists.purchase_list(lines)
        lists.sorting_list(lines, "building")
        slips = lists.delivery_slips(lines, "building-room-product")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    services = time.perf_counter() - started
    started = time.perf_counter()
    lists.delivery_slips(lists.batch_lines(db.session, [store_id], DAY), "building-room-product")
    print(f"\nsecond run {1000 * (time.perf_counter() - started):.0f} ms")
    assert len(lines) == 2 * N_ORDERS and len(selects) == 1
    assert plist.total == N_ORDERS * 3 and len(slips) == 20
    assert [s.title for s in slips][:3] == ["1栋", "2栋", "3栋"] and slips[-1].title == "20栋"
    started = time.perf_counter()
    response = owner_client.get(f"/store/fulfilment/slips?day={DAY}")
    page = time.perf_counter() - started
    assert response.status_code == 200
    print(f"\n600 orders / 1200 lines: services {services * 1000:.0f} ms, slips page {page * 1000:.0f} ms")
    assert services < 2 and page < 5, (services, page)
