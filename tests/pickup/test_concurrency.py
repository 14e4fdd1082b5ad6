"""Simultaneous taps against the real database (SQLite file, or PostgreSQL with DATABASE_URL).

Each thread (or process) has its own connection and Session, waits at a barrier, then
taps: the database's conditional UPDATE and the partial unique index must leave exactly
one live verification per order, and every loser must get a clean "already" outcome.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.extensions import db as _db
from workbench.models import Order, OrderEvent, PickupVerification
from workbench.pickup import services
from workbench.types import utcnow

N = 8


def race(app, n, action):
    """Run ``action(session)`` in ``n`` threads released together; return each outcome."""
    barrier = threading.Barrier(n)
    outcomes: list[object] = [None] * n

    def worker(i: int) -> None:
        with app.app_context(), app.test_request_context("/?lang=en"):
            session = Session(_db.engine)
            try:
                barrier.wait(timeout=30)
                outcomes[i] = action(session)
                session.commit()
            except Exception as exc:  # recorded and asserted on: nothing may leak unexamined
                session.rollback()
                outcomes[i] = exc
            finally:
                session.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a racing thread hung"
    return outcomes


def live_count(db, order_id):
    return db.session.scalar(select(func.count()).select_from(PickupVerification).where(
        PickupVerification.order_id == order_id, PickupVerification.undone_at.is_(None)))


def already(outcome) -> bool:
    """A losing tap: refused by the conditional UPDATE, or stopped by the unique index."""
    if isinstance(outcome, services.PickupRefused):
        return "already picked up" in outcome.message
    return isinstance(outcome, IntegrityError)


def test_same_order_tapped_on_many_devices_gives_one_verification(app, db, world):
    a = world.a
    order_id, member_id, owner_id, store_id = a.orders[1].id, a.members[1].id, a.owner.id, a.store.id
    db.session.commit()

    def tap(session):
        return services.verify(session, store_id=store_id, member_id=member_id, order_ids=[order_id],
                               actor_id=owner_id, method="manual", now=utcnow())

    outcomes = race(app, N, tap)
    winners = [o for o in outcomes if isinstance(o, services.PickupResult)]
    losers = [o for o in outcomes if already(o)]
    assert len(winners) == 1 and len(losers) == N - 1, outcomes
    db.session.expire_all()
    assert live_count(db, order_id) == 1
    assert db.session.get(Order, order_id).status == "picked_up"
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(
        OrderEvent.order_id == order_id, OrderEvent.to_status == "picked_up")) == 1


def test_member_taps_with_overlapping_orders(app, db, world, order_factory):
    a = world.a
    extra = [order_factory().id for _ in range(3)]
    ids = [a.orders[1].id, *extra]
    member_id, owner_id, store_id = a.members[1].id, a.owner.id, a.store.id

    def tap(session):  # the member-level tap: all waiting orders
        return services.verify(session, store_id=store_id, member_id=member_id, order_ids=None,
                               actor_id=owner_id, method="manual", now=utcnow())

    outcomes = race(app, N, tap)
    assert all(isinstance(o, (services.PickupResult, services.PickupRefused, IntegrityError)) for o in outcomes)
    moved = sorted(oid for o in outcomes if isinstance(o, services.PickupResult) for oid in o.moved)
    assert moved == sorted(ids)  # every order handed over exactly once across the winners
    db.session.expire_all()
    assert all(live_count(db, oid) == 1 for oid in ids)


def test_undo_racing_undo_undoes_once(app, db, world):
    a = world.a
    with app.test_request_context("/?lang=en"):
        result = services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id, order_ids=None,
                                 actor_id=a.owner.id, method="manual", now=utcnow())
    db.session.commit()
    vid, store_id, owner_id, order_id = result.verification_ids[0], a.store.id, a.owner.id, a.orders[1].id

    def undo(session):
        return services.undo(session, store_id=store_id, verification_id=vid, actor_id=owner_id, now=utcnow())

    outcomes = race(app, N, undo)
    done = [o for o in outcomes if isinstance(o, services.UndoResult)]
    refused = [o for o in outcomes if isinstance(o, services.UndoRefused) and "already undone" in o.message]
    assert len(done) == 1 and len(refused) == N - 1, outcomes
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == "arrived"
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(
        OrderEvent.order_id == order_id, OrderEvent.to_status == "arrived")) == 1


def test_tap_racing_undo_stays_consistent(app, db, world):
    """Undo and a re-tap at once: whatever wins, the order and its live verifications agree."""
    a = world.a
    with app.test_request_context("/?lang=en"):
        result = services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id, order_ids=None,
                                 actor_id=a.owner.id, method="manual", now=utcnow() - timedelta(seconds=10))
    db.session.commit()
    vid, store_id, owner_id, order_id, member_id = (result.verification_ids[0], a.store.id, a.owner.id,
                                                    a.orders[1].id, a.members[1].id)

    turns = itertools.count()  # next() on it is atomic under the GIL: half undo, half re-tap

    def either(session):
        if next(turns) % 2:
            return services.undo(session, store_id=store_id, verification_id=vid, actor_id=owner_id, now=utcnow())
        return services.verify(session, store_id=store_id, member_id=member_id, order_ids=[order_id],
                               actor_id=owner_id, method="manual", now=utcnow())

    outcomes = race(app, N, either)
    assert all(isinstance(o, (services.PickupResult, services.PickupRefused, services.UndoResult,
                              services.UndoRefused, IntegrityError)) for o in outcomes), outcomes
    db.session.expire_all()
    status = db.session.get(Order, order_id).status
    assert live_count(db, order_id) == (1 if status == "picked_up" else 0)


# ------------------------------------------------------------------ processes


def _process_tap(app, barrier, queue, store_id, member_id, order_id, owner_id):
    """In a forked child: its own engine connection, one tap, the outcome's name."""
    with app.app_context(), app.test_request_context("/?lang=en"):
        _db.engine.dispose(close=False)  # never reuse the parent's connections
        session = Session(_db.engine)
        try:
            barrier.wait(timeout=30)
            services.verify(session, store_id=store_id, member_id=member_id, order_ids=[order_id],
                            actor_id=owner_id, method="manual", now=utcnow())
            session.commit()
            queue.put("won")
        except services.PickupRefused as exc:
            session.rollback()
            queue.put("already" if "already picked up" in exc.message else f"refused: {exc.message}")
        except IntegrityError:
            session.rollback()
            queue.put("already")
        except Exception as exc:
            session.rollback()
            queue.put(f"error: {exc!r}")
        finally:
            session.close()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_same_order_tapped_from_processes(app, db, world):
    a = world.a
    args = (a.store.id, a.members[1].id, a.orders[1].id, a.owner.id)
    db.session.commit()
    db.session.close()
    _db.engine.dispose()
    ctx = multiprocessing.get_context("fork")
    n = 4
    barrier, queue = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_process_tap, args=(app, barrier, queue, *args)) for _ in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    outcomes = sorted(queue.get(timeout=5) for _ in range(n))
    assert outcomes == ["already"] * (n - 1) + ["won"], outcomes
    assert live_count(db, args[2]) == 1
