"""The RQ queue, and the one way to start background work: ``launch`` / ``launch_many``.

Launching writes a ``JobRecord`` in the caller's transaction and never commits: the
action's own commit makes the record real, and only then (an after-commit hook on the
session) is the job put on the queue. So a rolled-back action queues nothing, and the
worker always finds the record. Should Redis refuse the job, the record is marked failed
and the commit raises ``QueueUnavailable`` (a 503 with a Chinese message, like every
``ServiceError``): the action's writes stay committed, the job simply did not start.

A job's identity is its kind (the dotted job function), its scope (what it works on:
``store:<id>``, ``plan:<id>``, "" for the whole brand) and its period (the month or day).
At most one job per identity is queued or running, enforced by a partial unique index;
launching a job that is already under way returns the existing record, also when two
requests race (the loser's insert does nothing and it reads the winner's row). A record
that RQ has given up on (failed, abandoned, its worker dead) no longer blocks the identity:
``jobs.state.refresh`` brings it to "failed" first.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry
from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workbench.errors import Conflict, Unavailable
from workbench.extensions import db
from workbench.jobs.models import ACTIVE, JobRecord, JobStatus
from workbench.types import utcnow

log = logging.getLogger(__name__)

#: Where the records waiting for the caller's commit are kept (``Session.info``).
_PENDING = "workbench.jobs.pending"
_COMMITTED = "workbench.jobs.committed"
#: Seconds between rq's retries of a failed job (a killed work horse included).
DEFAULT_RETRY_INTERVALS = (5, 30)


class QueueUnavailable(Unavailable):
    """Redis did not take the job; nothing was queued and the record says so."""

    code = "queue_unavailable"
    fragment = "jobs/_error.html"

    def __init__(self, detail: str = "", message: str | None = None, **kwargs) -> None:
        super().__init__(message or str(_l("The background queue is not available right now, so the job did "
                                            "not start. Please try again in a few minutes.")), **kwargs)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail or self.message


@dataclass(frozen=True)
class JobSpec:
    """One job to launch: its kind, identity, who asked, and the job function's arguments."""

    kind: str
    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    user_id: int | None = None
    store_id: int | None = None
    scope: str | None = None  # default: "store:<id>" for a store's job, else "" (the brand)
    period: str = ""
    retries: int = 2
    timeout: int = 1800
    #: What the user reads should Redis refuse the job (a 503), and the page to go back to.
    unavailable: str | None = None
    back: str | None = None

    @property
    def identity(self) -> tuple[str, str, str]:
        scope = self.scope if self.scope is not None else (f"store:{self.store_id}" if self.store_id else "")
        return self.kind, scope, self.period


def init_queue(app: Flask) -> None:
    """Bind a Redis connection and the app's queue (connections open lazily)."""
    # socket_timeout: a paused Redis fails a web request after 3 s instead of hanging it
    # until gunicorn kills the worker (rq's Worker raises it for its own blocking reads).
    # One immediate retry (a stale pooled connection after a Redis restart), not redis-py's
    # default of three with backoff: that held a request for ~20 s. The worker and cron
    # loops do their own backoff (jobs/backoff.py).
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=3,
                                retry=RedisRetry(NoBackoff(), 1))
    app.extensions["rq_queue"] = Queue(app.config["RQ_QUEUE"], connection=connection)
    # The runner compares this with its own pid to tell a forked work horse (whose
    # pooled database connections belong to the parent) from an in-process worker.
    app.extensions["workbench_pid"] = os.getpid()


def get_queue() -> Queue:
    return current_app.extensions["rq_queue"]


def launch(kind: str, description: str, *args, user_id: int | None = None, store_id: int | None = None,
           scope: str | None = None, period: str = "", session: Session | None = None,
           unavailable: str | None = None, back: str | None = None, **kwargs) -> JobRecord:
    """Launch job function ``kind`` with ``args``/``kwargs`` (see the module doc); the record.

    The caller commits; the job is queued after that commit. ``unavailable`` is the message
    should Redis refuse it, ``back`` the page the error offers to return to.
    """
    spec = JobSpec(kind, description, args, kwargs, user_id=user_id, store_id=store_id, scope=scope, period=period,
                   unavailable=unavailable, back=back)
    return launch_many([spec], session=session)[0]


def launch_many(specs: Iterable[JobSpec], session: Session | None = None) -> list[JobRecord]:
    """Launch each job (or find the one already under way); the records, in order. Never commits."""
    session = session or db.session
    records = []
    for spec in specs:
        record, new = _claim(session, spec)
        if new:
            session.info.setdefault(_PENDING, []).append((record.id, spec))
        records.append(record)
    return records


def active_record(session: Session, kind: str, scope: str = "", period: str = "") -> JobRecord | None:
    """The queued or running job of this identity, if any (as the database says; see ``state``)."""
    return session.scalar(select(JobRecord).where(JobRecord.name == kind, JobRecord.scope == scope,
                                                  JobRecord.period == period, JobRecord.status.in_(ACTIVE)))


def _claim(session: Session, spec: JobSpec, attempts: int = 3) -> tuple[JobRecord, bool]:
    """The identity's active record (``False``), or a new one inserted for this launch (``True``)."""
    from workbench.jobs.state import refresh

    kind, scope, period = spec.identity
    existing = active_record(session, kind, scope, period)
    if existing is not None:
        refresh(session, existing)  # a job RQ gave up on frees its identity
        if existing.active:
            return existing, False
        session.flush()
    job_id = uuid.uuid4().hex
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(JobRecord)
    # RETURNING says whether the row went in (the ORM reports no rowcount for this on PostgreSQL).
    inserted = session.scalar(insert.values(
        id=job_id, name=kind, scope=scope, period=period, description=spec.description[:200],
        user_id=spec.user_id, store_id=spec.store_id, status=JobStatus.QUEUED, progress=0, error="",
        created_at=utcnow()).on_conflict_do_nothing().returning(JobRecord.id))
    if inserted == job_id:
        return session.get(JobRecord, job_id), True
    # A racing request launched the same job between our read and our insert: theirs wins.
    winner = active_record(session, kind, scope, period)
    if winner is None:  # it finished in between; very unlikely, but then this launch is new
        if attempts <= 1:
            raise Conflict(str(_l("This is being started elsewhere right now. Please try again in a moment.")))
        return _claim(session, spec, attempts - 1)
    return winner, False


def _retry(spec: JobSpec) -> Retry | None:
    if spec.retries <= 0:
        return None
    intervals = list(current_app.config.get("JOB_RETRY_INTERVALS", DEFAULT_RETRY_INTERVALS))
    return Retry(max=spec.retries, interval=intervals[:spec.retries] or 0)


def _enqueue(session: Session, pending: list[tuple[str, JobSpec]]) -> None:
    """Put committed records' jobs on the queue; mark those Redis refused failed, then raise."""
    failed: list[str] = []
    error: RedisError | None = None
    refused: JobSpec | None = None
    queue = get_queue()
    for job_id, spec in pending:
        if error is not None:
            failed.append(job_id)
            continue
        try:
            queue.enqueue("workbench.jobs.runner.run_job", spec.kind, *spec.args, job_id=job_id,
                          retry=_retry(spec), job_timeout=spec.timeout, **spec.kwargs)
        except RedisError as exc:
            error, refused = exc, spec
            failed.append(job_id)
    if error is None:
        return
    log.error("queue unavailable, %d job(s) not started: %s", len(failed), error)
    # The session's transaction is over; its engine takes one short transaction of its own.
    with session.get_bind().begin() as conn:
        conn.execute(update(JobRecord).where(JobRecord.id.in_(failed), JobRecord.status.in_(ACTIVE)).values(
            status=JobStatus.FAILED, error=f"queue unavailable: {error}"[:2000], finished_at=utcnow()))
    for job_id in failed:  # the caller's copies read the failure on next access
        record = session.identity_map.get(session.identity_key(JobRecord, job_id))
        if record is not None:
            session.expire(record)
    raise QueueUnavailable(str(error), refused.unavailable if refused else None, back=refused.back if refused else None)


@event.listens_for(Session, "after_commit")
def _note_commit(session: Session) -> None:
    # Queue in after_transaction_end, once the transaction is fully closed: an error
    # raised there leaves the session usable, one raised here would not.
    if session.info.get(_PENDING):
        session.info[_COMMITTED] = session.info.pop(_PENDING)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    session.info.pop(_PENDING, None)  # rolled back or closed uncommitted: nothing to queue
    committed = session.info.pop(_COMMITTED, None)
    if committed:
        _enqueue(session, committed)
