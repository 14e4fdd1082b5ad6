"""Asking the worker to send what is due in the outbox, now or at a later time.

Called after the commit that wrote the messages. If Redis is down the messages stay
``pending`` and the next kick (or ``flask outbox send``) sends them: nothing is lost.
"""

from __future__ import annotations

import logging
from datetime import datetime

from redis.exceptions import RedisError

from workbench.jobs.queue import get_queue
from workbench.types import utcnow

log = logging.getLogger(__name__)
SENDER = "workbench.outbox.sender.send_due_job"


def kick(at: datetime | None = None) -> bool:
    """Queue the sender (at ``at`` when that is in the future); False when Redis refused."""
    try:
        queue = get_queue()
        if at is not None and at > utcnow():
            queue.enqueue_at(at, SENDER)
        else:
            queue.enqueue(SENDER)
    except RedisError as exc:
        log.warning("outbox sender not queued (messages stay pending): %s", exc)
        return False
    return True
