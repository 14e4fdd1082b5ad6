"""A job record follows RQ's truth: what RQ says about a job is what the page shows.

The runner keeps the record while the job runs (running, progress, finished, failed).
What it cannot record is its own death: a work horse killed by ``kill -9`` or the OOM
killer, or a whole worker gone. RQ knows — its worker marks a job whose horse died failed
once the retries are spent, and its ``StartedJobRegistry`` cleanup moves a job whose
heartbeat lapsed (the worker died with it) to failed — so ``refresh`` asks RQ whenever a
record still says queued or running: when its status is polled, when the same job is
launched again, and at worker start for every open record. No timer of our own: the
only grace is for the instant between the commit and the enqueue (``LOST_AFTER``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.job import JobStatus as RqStatus
from rq.registry import StartedJobRegistry
from rq.worker import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.jobs.models import ACTIVE, JobRecord, JobStatus
from workbench.types import utcnow

log = logging.getLogger(__name__)

#: A record whose RQ job does not exist is lost (Redis flushed or restarted without its
#: data) — unless it was committed a moment ago and its enqueue is still on its way.
LOST_AFTER = timedelta(seconds=30)
_GIVEN_UP = (RqStatus.FAILED, RqStatus.STOPPED, RqStatus.CANCELED)
_WAITING = (RqStatus.QUEUED, RqStatus.SCHEDULED, RqStatus.DEFERRED)


def _last_error(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else "") or ""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else "failed in the queue")[:2000]


def _worker_gone(job: Job, connection) -> bool:
    """True when the worker RQ says runs ``job`` is dead (its heartbeat key expired) or runs something else."""
    if not job.worker_name:
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name, connection=connection)
    if worker is None:
        return True
    return worker.get_current_job_id() != job.id


def verdict(record: JobRecord, connection) -> tuple[str, str] | None:
    """(status, error) the record should take from RQ, or None when it is right as it is."""
    try:
        job = Job.fetch(record.id, connection=connection)
    except NoSuchJobError:
        if utcnow() - record.created_at < LOST_AFTER:
            return None
        return JobStatus.FAILED, "lost: the queue no longer has this job"
    status = job.get_status(refresh=False)
    if status == RqStatus.STARTED:
        # rq's own abandoned-job handling: jobs whose heartbeat lapsed go to failed (or
        # are retried when they have retries left).
        StartedJobRegistry(job.origin, connection=connection).cleanup()
        status = job.get_status()
        if status == RqStatus.STARTED and _worker_gone(job, connection) and job.get_status() == RqStatus.STARTED:
            return JobStatus.FAILED, "the worker running this job stopped"
    if status in _GIVEN_UP:
        return JobStatus.FAILED, _last_error(job)
    if status in _WAITING and record.status == JobStatus.RUNNING:
        return JobStatus.QUEUED, ""  # its work horse died; RQ retries it
    return None


def refresh(session: Session, record: JobRecord) -> JobRecord:
    """Bring an open record in line with RQ (in the caller's transaction); Redis away: unchanged."""
    if record.status not in ACTIVE:
        return record
    from workbench.jobs.queue import get_queue

    try:
        found = verdict(record, get_queue().connection)
    except RedisError as exc:
        log.warning("cannot ask the queue about job %s: %s", record.id, exc)
        return record
    if found is not None:
        status, error = found
        log.warning("job %s (%s): %s per the queue: %s", record.id, record.name, status, error)
        record.status = status
        if status == JobStatus.FAILED:
            record.error = error
            record.finished_at = utcnow()
    return record


def refresh_open(session: Session) -> int:
    """Refresh every open record (a worker starting after a crash); how many changed."""
    changed = 0
    for record in session.scalars(select(JobRecord).where(JobRecord.status.in_(ACTIVE))).all():
        before = record.status
        if refresh(session, record).status != before:
            changed += 1
    return changed
