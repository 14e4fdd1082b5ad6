"""到货提醒 written into the outbox: one per member, idempotent, opt-out, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import gen_order
from workbench.formatting import SHANGHAI
from workbench.models import OutboxMessage
from workbench.outbox.notices import enqueue_arrival_notices, next_send_time


def sh(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(("now", "expected"), [
    (sh(20, 59), sh(20, 59)),  # still allowed
    (sh(21, 0), sh(8, 0, day=24)),  # quiet from 21:00 sharp
    (sh(23, 30), sh(8, 0, day=24)),
    (sh(0, 0), sh(8, 0)),  # after midnight: 08:00 the same day
    (sh(7, 59), sh(8, 0)),
    (sh(8, 0), sh(8, 0)),  # 08:00 sharp is allowed
    (sh(12, 0), sh(12, 0)),
])
def test_quiet_hours_boundaries(now, expected):
    assert next_send_time(now) == expected


@pytest.fixture
def arrived(world):
    """Store A's arrived order and picked-up order (members 1 and 0)."""
    return [world.a.orders[1].id, world.a.orders[0].id]


def _rows(db):
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_one_notice_per_member_and_idempotent(app, db, world, arrived):
    with app.test_request_context():
        assert enqueue_arrival_notices(db.session, arrived, sh(10)) == 2
        db.session.commit()
        assert enqueue_arrival_notices(db.session, arrived, sh(11)) == 0  # marked arrived twice
        db.session.commit()
    rows = _rows(db)
    assert len(rows) == 2
    assert {r.member_id for r in rows} == {world.a.members[0].id, world.a.members[1].id}
    assert all(r.status == "pending" and r.kind == "arrival_notice" and r.send_after == sh(10) for r in rows)
    assert world.a.orders[1].code in next(r.body for r in rows if r.member_id == world.a.members[1].id)


def test_two_orders_of_one_member_make_one_notice(app, db, world):
    second = gen_order(db.session, world.a.store, world.a.members[1], code="A-EXTRA-1", total_fen=100,
                       pickup_point=world.a.pickup_point, status="arrived", placed_at=sh(9))
    db.session.commit()
    with app.test_request_context():
        assert enqueue_arrival_notices(db.session, [world.a.orders[1].id, second.id], sh(10)) == 1
    body = _rows(db)[0].body
    assert world.a.orders[1].code in body and "A-EXTRA-1" in body


def test_opted_out_member_gets_a_skipped_row(app, db, world, arrived):
    world.a.members[1].push_opt_out = True
    db.session.commit()
    with app.test_request_context():
        enqueue_arrival_notices(db.session, arrived, sh(10))
    by_member = {r.member_id: r for r in _rows(db)}
    assert by_member[world.a.members[1].id].status == "skipped"
    assert by_member[world.a.members[1].id].error == "opted out"
    assert by_member[world.a.members[0].id].status == "pending"


@pytest.mark.parametrize(("now", "send_after"), [
    (sh(20, 59), sh(20, 59)), (sh(21, 0), sh(8, 0, day=24)), (sh(7, 59), sh(8, 0)), (sh(8, 0), sh(8, 0)),
])
def test_notices_in_quiet_hours_wait_until_eight(app, db, world, arrived, now, send_after):
    with app.test_request_context():
        enqueue_arrival_notices(db.session, arrived, now)
    assert {r.send_after for r in _rows(db)} == {send_after}
    assert {r.created_at for r in _rows(db)} == {now}


def test_no_orders_no_rows(app, db, world):
    with app.test_request_context():
        assert enqueue_arrival_notices(db.session, [], sh(10)) == 0
    assert _rows(db) == []


def test_kick_queues_the_sender_now_or_later(app):
    from rq.registry import ScheduledJobRegistry

    from workbench.jobs.queue import get_queue
    from workbench.outbox.dispatch import SENDER, kick

    queue = get_queue()
    assert kick() is True
    assert [job.func_name for job in queue.jobs] == [SENDER]
    assert kick(datetime.now(UTC) + timedelta(hours=2)) is True
    assert len(ScheduledJobRegistry(queue=queue)) == 1


def test_kick_without_redis_keeps_messages_pending(database_url):
    from tests.conftest import _Config
    from workbench import create_app
    from workbench.embedded_redis import free_port
    from workbench.extensions import db
    from workbench.outbox.dispatch import kick

    app = create_app(_Config(database_url, f"redis://127.0.0.1:{free_port()}/0"))
    try:
        with app.app_context():
            assert kick() is False
    finally:
        with app.app_context():
            db.engine.dispose()


def test_notices_are_chinese_without_a_request_and_for_an_english_speaking_hq_user(app, db, world, arrived):
    """A worker or CLI has no request (this raised before); an HQ user on English still tells members in Chinese."""
    assert enqueue_arrival_notices(db.session, [arrived[0]], sh(10)) == 1  # app context only
    with app.test_request_context("/?lang=en"):
        enqueue_arrival_notices(db.session, [arrived[1]], sh(10))
    bodies = [r.body for r in _rows(db)]
    assert len(bodies) == 2 and all("请及时来取" in b for b in bodies), bodies
