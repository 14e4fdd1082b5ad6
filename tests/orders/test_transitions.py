"""The order status flow as a table: every (from, to) pair, moved or refused.

Allowed moves change the order and write one OrderEvent naming the actor and the time;
refused ones change nothing and say why in Chinese. Bulk moves skip ineligible orders,
the picked_up → arrived undo happens only when asked for by name, and ``store_id``
keeps a move inside one store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.factories import Line, gen_order
from workbench.models import Order, OrderEvent, OrderStatus
from workbench.orders import transitions
from workbench.orders.transitions import ALLOWED, EXPLICIT_ONLY, TransitionRefused, move, move_one

S = OrderStatus
STATUSES = list(S)
NOW = datetime(2031, 5, 20, 3, 30, tzinfo=UTC)
EARLIER = NOW - timedelta(days=1)

#: The flow as the issue states it, written out independently of transitions.ALLOWED.
EXPECTED = {
    ("placed", "paid"), ("placed", "cancelled"),
    ("paid", "grouped"), ("paid", "failed"), ("paid", "refunded"),
    ("grouped", "packed"), ("grouped", "refunded"),
    ("failed", "refunded"),
    ("packed", "shipped"), ("packed", "refunded"),
    ("shipped", "arrived"), ("shipped", "refunded"),
    ("arrived", "picked_up"), ("arrived", "refunded"),
    ("picked_up", "refunded"),
}
UNDO = ("picked_up", "arrived")


def make_order(db, world, status: str, store=None, **kw) -> Order:
    """An order of one line at 1 元, placed a day before ``NOW`` at the store's pickup point."""
    sw = store or world.a
    return gen_order(db.session, sw.store, sw.members[0], [Line(world.products[0], 1, 100, 100)],
                     code_prefix=f"T{status[:3].upper()}", status=status, pickup_point=sw.pickup_point,
                     placed_at=EARLIER, **kw)


def events(db, order_id: int) -> list[OrderEvent]:
    return list(db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)))


def status_of(db, order_id: int) -> str:
    return db.session.scalar(select(Order.status).where(Order.id == order_id))


def test_the_table_matches_the_issue():
    got = {(a.value, b.value) for a, targets in ALLOWED.items() for b in targets}
    assert got == EXPECTED | {UNDO}
    assert {(S.PICKED_UP, S.ARRIVED)} == EXPLICIT_ONLY
    assert ALLOWED[S.REFUNDED] == frozenset() and ALLOWED[S.CANCELLED] == frozenset()


@pytest.mark.parametrize("from_status", [s.value for s in STATUSES])
def test_every_pair(app, db, world, from_status):
    """All 10 targets from one source: each in its own fresh order, all in one test for speed."""
    for to_status in [s.value for s in STATUSES]:
        order = make_order(db, world, from_status,
                           picked_up_at=EARLIER if from_status == "picked_up" else None,
                           arrived_at=EARLIER if from_status in ("arrived", "picked_up") else None)
        pair = (from_status, to_status)
        if pair in EXPECTED:
            move_one(db.session, order.id, to_status, actor_id=world.hq.id, now=NOW, note="表格测试")
            assert status_of(db, order.id) == to_status, pair
            [event] = events(db, order.id)
            assert (event.from_status, event.to_status, event.actor_id) == (from_status, to_status, world.hq.id)
            assert event.at == NOW and event.note == "表格测试"
            assert transitions.can_move(from_status, to_status)
        else:
            with pytest.raises(TransitionRefused) as refused:
                move_one(db.session, order.id, to_status, actor_id=world.hq.id, now=NOW)
            assert status_of(db, order.id) == from_status, pair
            assert events(db, order.id) == [], pair
            with app.test_request_context(), force_locale("zh_CN"):
                message = refused.value.message
            assert order.code in message
            if from_status == to_status:
                assert "未做任何修改" in message or "已" in message, message
            assert not any("a" <= ch <= "z" for ch in message.replace(order.code, "")), message
    db.session.rollback()


def test_refused_message_names_both_statuses_in_chinese(app, db, world):
    order = make_order(db, world, "paid")
    with pytest.raises(TransitionRefused) as refused:
        move_one(db.session, order.id, "arrived", actor_id=None, now=NOW)
    with app.test_request_context(), force_locale("zh_CN"):
        message = refused.value.message
        assert transitions.label("paid") in message and transitions.label("arrived") in message
    assert "已付款" in message and "已到货" in message
    assert refused.value.current == "paid" and refused.value.wanted == "arrived"


def test_missing_order_is_refused_as_not_found(app, db, world):
    with pytest.raises(TransitionRefused) as refused:
        move_one(db.session, 987654, "paid", actor_id=None, now=NOW)
    assert refused.value.current is None
    with app.test_request_context(), force_locale("zh_CN"):
        assert "找不到" in refused.value.message or "不存在" in refused.value.message, refused.value.message


def test_undo_edge_only_when_named(db, world):
    order = make_order(db, world, "picked_up", picked_up_at=EARLIER, arrived_at=EARLIER - timedelta(hours=5))
    assert move(db.session, [order.id], "arrived", actor_id=world.owner_a.id, now=NOW) == []
    assert status_of(db, order.id) == "picked_up"
    assert move(db.session, [order.id], "arrived", actor_id=world.owner_a.id, now=NOW,
                from_statuses=["picked_up"]) == [order.id]
    db.session.expire_all()
    again = db.session.get(Order, order.id)
    assert again.status == "arrived" and again.picked_up_at is None
    assert again.arrived_at == EARLIER - timedelta(hours=5), "an undone pickup keeps its first arrival time"
    [event] = events(db, order.id)
    assert (event.from_status, event.to_status) == ("picked_up", "arrived")


def test_stamps(db, world):
    placed = make_order(db, world, "placed")
    shipped = make_order(db, world, "shipped")
    arrived = make_order(db, world, "arrived", arrived_at=EARLIER)
    move(db.session, [placed.id], "paid", actor_id=None, now=NOW)
    move(db.session, [shipped.id], "arrived", actor_id=None, now=NOW)
    move(db.session, [arrived.id], "picked_up", actor_id=None, now=NOW)
    db.session.expire_all()
    assert db.session.get(Order, placed.id).paid_at == NOW
    assert db.session.get(Order, shipped.id).arrived_at == NOW
    assert db.session.get(Order, arrived.id).picked_up_at == NOW
    assert db.session.get(Order, arrived.id).arrived_at == EARLIER


def test_bulk_move_leaves_ineligible_orders_alone(db, world):
    shipped = [make_order(db, world, "shipped") for _ in range(3)]
    others = [make_order(db, world, s) for s in ("paid", "picked_up", "refunded", "arrived")]
    ids = [o.id for o in shipped + others]
    moved = move(db.session, ids, "arrived", actor_id=world.hq.id, now=NOW)
    assert moved == sorted(o.id for o in shipped)
    assert [status_of(db, o.id) for o in others] == ["paid", "picked_up", "refunded", "arrived"]
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id.in_(ids))) == 3
    # Again: nothing moves, nothing is written.
    assert move(db.session, ids, "arrived", actor_id=world.hq.id, now=NOW) == []
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id.in_(ids))) == 3


def test_from_statuses_narrows_the_sources(db, world):
    grouped = make_order(db, world, "grouped")
    shipped = make_order(db, world, "shipped")
    moved = move(db.session, [grouped.id, shipped.id], "refunded", actor_id=None, now=NOW, from_statuses=["shipped"])
    assert moved == [shipped.id]
    assert status_of(db, grouped.id) == "grouped"


def test_store_id_keeps_a_move_in_one_store(db, world):
    mine = make_order(db, world, "shipped")
    theirs = make_order(db, world, "shipped", store=world.b)
    moved = move(db.session, [mine.id, theirs.id], "arrived", actor_id=world.owner_a.id, now=NOW,
                 store_id=world.a.store.id)
    assert moved == [mine.id]
    assert status_of(db, theirs.id) == "shipped" and events(db, theirs.id) == []
    with pytest.raises(TransitionRefused) as refused:
        move_one(db.session, theirs.id, "arrived", actor_id=world.owner_a.id, now=NOW, store_id=world.a.store.id)
    assert refused.value.current is None, "another store's order is 'not found', not described"


def test_large_bulk_move_in_chunks(db, world):
    orders = [make_order(db, world, "packed") for _ in range(520)]
    moved = move(db.session, [o.id for o in orders], "shipped", actor_id=None, now=NOW)
    assert len(moved) == 520
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.status == "shipped",
                                                                           Order.id.in_(moved))) == 520


def test_loaded_objects_see_the_new_status(db, world):
    order = make_order(db, world, "grouped")
    assert order.status == "grouped"
    move(db.session, [order.id], "packed", actor_id=None, now=NOW)
    assert order.status == "packed"


def test_nothing_commits(app, db, world):
    order = make_order(db, world, "grouped")
    db.session.commit()
    move(db.session, [order.id], "packed", actor_id=None, now=NOW)
    db.session.rollback()
    assert status_of(db, order.id) == "grouped" and events(db, order.id) == []


def test_refund_after_pickup_keeps_the_pickup_time(db, world):
    """Bug found and fixed: leaving picked_up for refunded used to clear picked_up_at too."""
    order = make_order(db, world, "picked_up", picked_up_at=EARLIER, arrived_at=EARLIER)
    assert move(db.session, [order.id], "refunded", actor_id=None, now=NOW) == [order.id]
    db.session.expire_all()
    assert db.session.get(Order, order.id).picked_up_at == EARLIER


def test_two_devices_racing_move_an_order_once(app, db, world):
    """PostgreSQL: the second conditional UPDATE waits for the first and then finds nothing."""
    import threading

    from sqlalchemy.orm import Session

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers on the file; the row-lock race needs PostgreSQL")
    order = make_order(db, world, "shipped")
    db.session.commit()
    order_id, hq_id, regional_id = order.id, world.hq.id, world.regional.id  # no lazy loads in the thread
    first, second = Session(db.engine), Session(db.engine)
    try:
        assert move(first, [order_id], "arrived", actor_id=hq_id, now=NOW) == [order_id]
        result = {}
        thread = threading.Thread(target=lambda: result.setdefault(
            "moved", move(second, [order_id], "arrived", actor_id=regional_id, now=NOW)))
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive(), "the second UPDATE should wait on the first one's row lock"
        first.commit()
        thread.join(timeout=10)
        second.commit()
        assert result["moved"] == []
    finally:
        first.close()
        second.close()
    assert [(e.actor_id, e.to_status) for e in events(db, order_id)] == [(hq_id, "arrived")]
