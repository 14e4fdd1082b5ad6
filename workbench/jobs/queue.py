"""The RQ queue, built in the factory, and launching jobs with a ``JobRecord`` row."""

from __future__ import annotations

import os
import uuid

from flask import Flask, current_app
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry
from sqlalchemy import select

from workbench.extensions import db
from workbench.jobs.models import JobRecord, JobStatus
from workbench.types import utcnow


class QueueUnavailable(RuntimeError):
    """Redis did not take the job; nothing was queued and the record says so."""


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


def launch(
    name: str,
    description: str,
    *args,
    user_id: int | None = None,
    store_id: int | None = None,
    **kwargs,
) -> JobRecord:
    """Queue the job function at dotted path ``name`` and record it.

    A job of the same name and store that is still queued or running is returned
    instead of launching a duplicate. The record is committed before the job is queued,
    so the worker always finds it.
    """
    running = db.session.scalar(
        select(JobRecord).where(
            JobRecord.name == name,
            JobRecord.store_id.is_(None) if store_id is None else JobRecord.store_id == store_id,
            JobRecord.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
        )
    )
    if running is not None:
        return running
    record = JobRecord(
        id=uuid.uuid4().hex,
        name=name,
        description=description,
        user_id=user_id,
        store_id=store_id,
        status=JobStatus.QUEUED,
    )
    db.session.add(record)
    db.session.commit()
    try:
        get_queue().enqueue(
            "workbench.jobs.runner.run_job",
            name,
            *args,
            job_id=record.id,
            retry=Retry(max=2, interval=[5, 30]),
            job_timeout=1800,
            **kwargs,
        )
    except RedisError as exc:
        record.status = JobStatus.FAILED
        record.error = f"queue unavailable: {exc}"
        record.finished_at = utcnow()
        db.session.commit()
        raise QueueUnavailable(str(exc)) from exc
    return record
