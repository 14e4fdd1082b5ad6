"""HQ's marks as a service: one step per mark, reminders on arrival, quiet hours, scoping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.fulfilment.conftest import DAY
from workbench.fulfilment import marking
from workbench.models import Order, OutboxMessage

DAYTIME = datetime(2031, 5, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NIGHT = datetime(2031, 5, 20, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai


def statuses(db, batch, *keys):
    return [db.session.scalar(select(Order.status).where(Order.id == batch.orders[k].id)) for k in keys]


def test_parse_target():
    assert marking.parse_target("12-3") == (12, 3)
    assert marking.parse_target("12-0") == (12, None)
    for bad in ("", "12", "x-1", "-1-2", "0-1", "1-", "1--2"):
        with pytest.raises(ValueError):
            marking.parse_target(bad)


def test_point_rows(db, world, batch):
    rows = marking.point_rows(db.session, [world.a.store.id, world.b.store.id], DAY)
    by_point = {r.point_name: r for r in rows}
    main = by_point[world.a.pickup_point.name]
    assert main.counts == {"shipped": 3, "picked_up": 1}
    assert main.can("arrived") and not main.can("shipped") and not main.can("packed")
    assert by_point[batch.point2.name].counts == {"grouped": 1, "packed": 1}
    assert by_point[world.b.pickup_point.name].target == f"{world.b.store.id}-{world.b.pickup_point.id}"
    assert marking.point_rows(db.session, [], DAY) == []


def test_arrival_in_the_day(db, world, batch):
    a = world.a
    result = marking.mark(db.session, [a.store.id], DAY, [(a.store.id, a.pickup_point.id)], "arrived",
                          actor_id=world.hq.id, now=DAYTIME)
    assert sorted(result.moved) == sorted(batch.orders[k].id for k in ("wang", "li", "zhang"))
    assert (result.notices, result.opted_out, result.delayed) == (3, 1, False)
    messages = list(db.session.scalars(select(OutboxMessage)))
    assert {m.send_after for m in messages} == {DAYTIME}
    assert statuses(db, batch, "wang", "picked", "zhao") == ["arrived", "picked_up", "grouped"]


def test_arrival_at_night_waits_for_eight(db, world, batch):
    a = world.a
    result = marking.mark(db.session, [a.store.id], DAY, [(a.store.id, a.pickup_point.id)], "arrived",
                          actor_id=world.hq.id, now=NIGHT)
    assert result.delayed
    [send_after] = {m.send_after for m in db.session.scalars(select(OutboxMessage))}
    assert send_after == datetime(2031, 5, 21, 0, 0, tzinfo=UTC)  # 08:00 Shanghai next morning


def test_each_mark_moves_one_step(db, world, batch):
    a, p2 = world.a, (world.a.store.id, batch.point2.id)
    assert marking.mark(db.session, [a.store.id], DAY, [p2], "arrived", actor_id=world.hq.id, now=DAYTIME).moved == []
    assert len(marking.mark(db.session, [a.store.id], DAY, [p2], "shipped", actor_id=world.hq.id, now=DAYTIME).moved) == 1
    assert len(marking.mark(db.session, [a.store.id], DAY, [p2], "packed", actor_id=world.hq.id, now=DAYTIME).moved) == 1
    assert statuses(db, batch, "zhao", "packed") == ["packed", "shipped"]
    assert db.session.scalars(select(OutboxMessage)).all() == []
    with pytest.raises(ValueError):
        marking.mark(db.session, [a.store.id], DAY, [p2], "picked_up", actor_id=world.hq.id, now=DAYTIME)


def test_orders_of_another_day_or_store_are_untouched(db, world, batch):
    a = world.a
    marking.mark(db.session, [a.store.id, world.b.store.id], DAY, [(a.store.id, a.pickup_point.id)], "arrived",
                 actor_id=world.hq.id, now=DAYTIME)
    assert db.session.scalar(select(Order.status).where(Order.id == batch.other_store_order.id)) == "shipped"


def test_targets_outside_the_visible_stores(db, world, batch):
    a, b = world.a, world.b
    with pytest.raises(marking.TargetNotVisible):
        marking.mark(db.session, [a.store.id], DAY, [(b.store.id, b.pickup_point.id)], "arrived", actor_id=world.hq.id,
                     now=DAYTIME)
    with pytest.raises(marking.TargetNotVisible):  # a visible store with another store's point
        marking.mark(db.session, [a.store.id, b.store.id], DAY, [(a.store.id, b.pickup_point.id)], "arrived",
                     actor_id=world.hq.id, now=DAYTIME)
    assert db.session.scalar(select(Order.status).where(Order.id == batch.other_store_order.id)) == "shipped"
