"""Sending what is due in the outbox, exactly once even with several workers.

Rows are claimed inside the batch's transaction: on PostgreSQL with
``SELECT … FOR UPDATE SKIP LOCKED`` (a second worker skips the rows the first holds),
on SQLite with one conditional ``UPDATE … WHERE status = 'pending'`` that takes the
database's write lock (a second worker waits, then finds nothing pending). A crash
before the batch commits leaves its rows pending, so a message may be sent again after
a crash but is never lost and never sent twice by two healthy workers.

At send time the sender looks again at what may have changed since the row was
written: the member may have opted out (→ ``skipped``), the clock may have crossed into
quiet hours (→ the row waits until 08:00).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workbench.members.models import Member
from workbench.outbox.channels import ChannelError, Message, get_channel
from workbench.outbox.models import OutboxMessage, OutboxStatus
from workbench.outbox.notices import next_send_time
from workbench.types import utcnow

log = logging.getLogger("workbench.outbox")

#: Kinds that must go out at once, quiet hours or not (a member is waiting for the code).
URGENT_KINDS = frozenset({"otp"})
ERROR_MAX = 200


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0  # put back to wait for the end of quiet hours

    def __add__(self, other: SendResult) -> SendResult:
        return SendResult(self.sent + other.sent, self.skipped + other.skipped,
                          self.failed + other.failed, self.deferred + other.deferred)

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.failed + self.deferred

    def line(self) -> str:
        return f"sent={self.sent} skipped={self.skipped} failed={self.failed}"


def _due(now: datetime):
    return (OutboxMessage.status == OutboxStatus.PENDING.value) & (OutboxMessage.send_after <= now)


def _claim(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """Lock up to ``limit`` due rows for this transaction (see the module docstring)."""
    if session.get_bind().dialect.name == "postgresql":
        stmt = (select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.send_after, OutboxMessage.id)
                .limit(limit).with_for_update(skip_locked=True))
        return list(session.scalars(stmt))
    # SQLite has no row locks: flip the rows to ``sent`` in one statement (this takes the
    # write lock until commit); a row that then fails or waits is set back below.
    ids = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.send_after, OutboxMessage.id).limit(limit)
    claimed = session.scalars(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids.scalar_subquery()), _due(now))
        .values(status=OutboxStatus.SENT.value, sent_at=now).returning(OutboxMessage.id)
    ).all()
    if not claimed:
        return []
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                                .order_by(OutboxMessage.send_after, OutboxMessage.id)
                                .execution_options(populate_existing=True)))


def _finish(row: OutboxMessage, status: OutboxStatus, now: datetime, error: str = "") -> None:
    row.status = status.value
    row.sent_at = now if status == OutboxStatus.SENT else None
    row.error = error[:ERROR_MAX]


def send_due(session: Session, now: datetime | None = None, limit: int = 500) -> SendResult:
    """Send up to ``limit`` due messages and commit; returns what happened to them."""
    now = now or utcnow()
    result = SendResult()
    rows = _claim(session, now, limit)
    members = {m.id: m for m in session.scalars(
        select(Member).where(Member.id.in_({r.member_id for r in rows if r.member_id})))} if rows else {}
    for row in rows:
        member = members.get(row.member_id) if row.member_id else None
        if row.kind in URGENT_KINDS:
            # Codes go out inline from the request that made them and only their hash is
            # kept, so a pending one here is a leftover of a crash: nothing to send.
            _finish(row, OutboxStatus.SKIPPED, now, "one-time codes are sent inline only")
            result.skipped += 1
            continue
        if member is not None and member.push_opt_out:
            _finish(row, OutboxStatus.SKIPPED, now, "opted out")
            result.skipped += 1
            continue
        wait_until = next_send_time(now)
        if wait_until > now:
            row.status = OutboxStatus.PENDING.value
            row.sent_at = None
            row.send_after = wait_until
            result.deferred += 1
            continue
        if member is None:
            _finish(row, OutboxStatus.FAILED, now, "no recipient")
            result.failed += 1
            continue
        try:
            get_channel(row.channel).send(Message(to=member.phone, body=row.body, kind=row.kind,
                                                  dedupe_key=row.dedupe_key))
        except ChannelError as exc:
            _finish(row, OutboxStatus.FAILED, now, str(exc) or exc.__class__.__name__)
            result.failed += 1
            continue
        except Exception as exc:  # one broken message must not stop the batch
            log.exception("outbox message %s failed", row.id)
            _finish(row, OutboxStatus.FAILED, now, f"{exc.__class__.__name__}: {exc}")
            result.failed += 1
            continue
        _finish(row, OutboxStatus.SENT, now)
        result.sent += 1
    session.commit()
    return result


def send_all_due(session: Session, now: datetime | None = None, batch: int = 500) -> SendResult:
    """Batches of ``send_due`` until nothing due is left (each batch its own transaction)."""
    total = SendResult()
    while True:
        result = send_due(session, now, limit=batch)
        total = total + result
        # Deferred rows are pending again but not due: they do not count as work left.
        if result.handled < batch:
            return total


def next_pending_at(session: Session) -> datetime | None:
    """When the earliest message still pending becomes due (None when none is pending)."""
    return session.scalar(select(OutboxMessage.send_after)
                          .where(OutboxMessage.status == OutboxStatus.PENDING.value)
                          .order_by(OutboxMessage.send_after).limit(1))


def _send_due_in_app(*, job_id: str | None = None) -> dict:
    from workbench.extensions import db
    from workbench.outbox.dispatch import kick

    result = send_all_due(db.session)
    later = next_pending_at(db.session)
    if result.deferred and later is not None:
        kick(at=later)  # wake up again when quiet hours end
    return {"sent": result.sent, "skipped": result.skipped, "failed": result.failed,
            "deferred": result.deferred}


def send_due_job() -> dict:
    """RQ entry point queued by ``dispatch.kick``: runs in the app context the runner gives."""
    from workbench.jobs.runner import run_job

    return run_job("workbench.outbox.sender._send_due_in_app")
