"""Outbox fixtures: rows written straight into the table, and channels that fail or count."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime
from itertools import count

import pytest

from workbench.models import OutboxMessage
from workbench.outbox.channels import ChannelError, get_channel, register_channel

#: 12:00 Shanghai on a weekday: outside quiet hours.
NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
_keys = count(1)


def add_message(db, member, *, send_after=NOON, kind="arrival_notice", channel="log", status="pending",
                body="到货了") -> OutboxMessage:
    row = OutboxMessage(store_id=member.store_id, member_id=member.id, channel=channel, kind=kind,
                        dedupe_key=f"test:{next(_keys)}", body=body, status=status, send_after=send_after,
                        created_at=send_after)
    db.session.add(row)
    db.session.commit()
    return row


class Failing:
    name = "failing"

    def send(self, message):
        raise ChannelError("provider said no")


class Counting:
    """Counts deliveries per dedupe key; slow enough that two senders overlap."""

    name = "counting"
    delay = 0.02

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.lock = threading.Lock()

    def send(self, message):
        time.sleep(self.delay)
        with self.lock:
            self.sent[message.dedupe_key] += 1


@pytest.fixture
def failing_channel():
    register_channel("failing", Failing)
    return get_channel("failing")


@pytest.fixture
def counting_channel():
    register_channel("counting", Counting)  # a fresh instance per test
    return get_channel("counting")


@pytest.fixture(autouse=True)
def log_channel(app):
    channel = get_channel("log")
    channel.sent.clear()
    yield channel
    channel.sent.clear()
