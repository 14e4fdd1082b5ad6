"""The outbox sender: due rows only, opt-out and quiet hours at send time, failures, exactly-once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.outbox.conftest import NOON, add_message
from tests.outbox.test_notices import sh
from workbench.models import OutboxMessage
from workbench.outbox.sender import SendResult, send_all_due, send_due


def _status(db, row):
    db.session.expire_all()
    return db.session.get(OutboxMessage, row.id)


def test_sends_what_is_due_and_leaves_the_rest(db, world, log_channel):
    due = add_message(db, world.a.members[0], send_after=NOON - timedelta(minutes=5))
    later = add_message(db, world.a.members[1], send_after=NOON + timedelta(minutes=5))
    result = send_due(db.session, NOON)
    assert (result.sent, result.skipped, result.failed) == (1, 0, 0)
    row = _status(db, due)
    assert (row.status, row.sent_at, row.error) == ("sent", NOON, "")
    assert _status(db, later).status == "pending"
    [message] = log_channel.sent
    assert message.to == world.a.members[0].phone and message.body == "到货了"
    assert send_due(db.session, NOON).handled == 0  # nothing is sent twice
    assert send_due(db.session, NOON + timedelta(minutes=5)).sent == 1


def test_already_final_rows_are_never_touched(db, world, log_channel):
    for status in ("sent", "skipped", "failed"):
        add_message(db, world.a.members[0], status=status)
    assert send_due(db.session, NOON).handled == 0
    assert not log_channel.sent


def test_member_who_opted_out_after_the_row_was_written_is_skipped(db, world, log_channel):
    row = add_message(db, world.a.members[0])
    world.a.members[0].push_opt_out = True
    db.session.commit()
    assert send_due(db.session, NOON).skipped == 1
    row = _status(db, row)
    assert (row.status, row.error, row.sent_at) == ("skipped", "opted out", None)
    assert not log_channel.sent


@pytest.mark.parametrize(("now", "waits_until"), [
    (sh(21, 0), sh(8, 0, day=24)), (sh(7, 59), sh(8, 0)),
])
def test_a_row_that_comes_due_in_quiet_hours_waits(db, world, log_channel, now, waits_until):
    """Written at 20:50 for 20:55 but the worker only ran at 21:00: it waits for the morning."""
    row = add_message(db, world.a.members[0], send_after=now - timedelta(minutes=5))
    result = send_due(db.session, now)
    assert (result.sent, result.deferred) == (0, 1)
    row = _status(db, row)
    assert (row.status, row.send_after, row.sent_at) == ("pending", waits_until, None)
    assert send_due(db.session, waits_until).sent == 1


def test_one_time_codes_ignore_quiet_hours_but_are_never_resent_by_the_worker(db, world, log_channel):
    row = add_message(db, world.a.members[0], kind="otp", send_after=sh(23, 0))
    assert send_due(db.session, sh(23, 0)).skipped == 1
    assert _status(db, row).status == "skipped"
    assert not log_channel.sent


def test_failure_is_recorded_and_the_batch_goes_on(db, world, log_channel, failing_channel):
    bad = add_message(db, world.a.members[0], channel="failing")
    unknown = add_message(db, world.a.members[1], channel="carrier-pigeon")
    good = add_message(db, world.a.members[2])
    result = send_due(db.session, NOON)
    assert (result.sent, result.skipped, result.failed) == (1, 0, 2)
    assert (_status(db, bad).status, _status(db, bad).error) == ("failed", "provider said no")
    assert _status(db, unknown).status == "failed" and "carrier-pigeon" in _status(db, unknown).error
    assert _status(db, good).status == "sent"


def test_limit_and_send_all_due_in_batches(db, world, log_channel):
    for i in range(7):
        add_message(db, world.a.members[i % 3])
    assert send_due(db.session, NOON, limit=3).sent == 3
    total = send_all_due(db.session, NOON, batch=2)
    assert total.sent == 4
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == "pending")) is None


def test_cli_prints_the_counts(app, db, world, runner, failing_channel, monkeypatch):
    monkeypatch.setattr("workbench.outbox.sender.utcnow", lambda: NOON)
    add_message(db, world.a.members[0], send_after=NOON - timedelta(days=1))
    add_message(db, world.a.members[1], send_after=NOON - timedelta(days=1), channel="failing")
    world.a.members[2].push_opt_out = True
    add_message(db, world.a.members[2], send_after=NOON - timedelta(days=1))
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent=1 skipped=1 failed=1"


def test_the_rq_job_runs_in_the_app_and_reports(app, db, world, monkeypatch, log_channel):
    from workbench.outbox import sender

    monkeypatch.setattr(sender, "utcnow", lambda: NOON)
    monkeypatch.setattr(sender, "send_all_due", lambda session, now=None, batch=500: send_all_due(session, NOON))
    add_message(db, world.a.members[0])
    assert sender.send_due_job() == {"sent": 1, "skipped": 0, "failed": 0, "deferred": 0}


def test_send_result_line():
    assert SendResult(3, 2, 1, 5).line() == "sent=3 skipped=2 failed=1"
    assert (SendResult(1, 1, 1, 1) + SendResult(1, 0, 0, 0)).handled == 5


def test_two_senders_at_once_send_each_message_once(app, db, world, counting_channel, database_url):
    """Two workers (threads with their own connections) on the same due rows."""
    keys = {add_message(db, world.a.members[i % 3], channel="counting").dedupe_key for i in range(40)}
    db.session.remove()
    results, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            with app.app_context():
                from workbench.extensions import db as _db

                start.wait()
                results.append(send_all_due(_db.session, NOON, batch=5))
                _db.session.remove()
        except Exception as exc:  # surfaced below with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(r.sent for r in results) == len(keys)
    assert set(counting_channel.sent) == keys
    assert max(counting_channel.sent.values()) == 1, "a message was sent twice"
    if database_url.startswith("postgres"):
        # With SKIP LOCKED both workers get work; SQLite serialises whole batches instead.
        assert all(r.sent for r in results), results
