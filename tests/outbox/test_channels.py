"""Channel adapters: the log adapter, the registry, and an unknown channel caught at start-up."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.outbox.conftest import NOON, add_message
from workbench.outbox.channels import LogChannel, Message, UnknownChannel, get_channel


def test_log_channel_masks_the_phone_in_the_log_and_keeps_messages_under_testing(app, caplog):
    channel = get_channel("log")
    assert isinstance(channel, LogChannel) and get_channel("log") is channel
    with caplog.at_level(logging.INFO, logger="workbench.outbox"):
        channel.send(Message(to="13812345678", body="到货了", kind="arrival_notice", dedupe_key="k1"))
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text and "到货了" in caplog.text
    assert channel.last_to("13812345678").body == "到货了"
    assert channel.last_to("13900000000") is None


def test_log_channel_keeps_nothing_outside_testing(app):
    channel = LogChannel()
    app.testing = False
    try:
        channel.send(Message(to="13812345678", body="x", kind="otp", dedupe_key="k"))
    finally:
        app.testing = True
    assert not channel.sent


def test_unknown_channel_is_a_clear_error():
    with pytest.raises(UnknownChannel, match="unknown outbox channel 'sms'.*log"):
        get_channel("sms")


def test_unknown_outbox_channel_stops_the_app_at_start_up(database_url, redis_url):
    from tests.conftest import _Config
    from workbench import create_app

    config = _Config(database_url, redis_url)
    config.OUTBOX_CHANNEL = "smss"
    with pytest.raises(UnknownChannel, match="smss"):
        create_app(config)


def test_kick_then_the_worker_sends(app, db, world, monkeypatch):
    """The real path: dispatch.kick queues the job, an RQ worker runs it in the app."""
    from rq import SimpleWorker

    from workbench.jobs.queue import get_queue
    from workbench.models import OutboxMessage
    from workbench.outbox import dispatch

    monkeypatch.setattr("workbench.outbox.sender.utcnow", lambda: NOON)
    row = add_message(db, world.a.members[0], send_after=NOON - timedelta(minutes=1))
    assert dispatch.kick()
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row.id).status == "sent"
    assert get_channel("log").last_to(world.a.members[0].phone).body == "到货了"
