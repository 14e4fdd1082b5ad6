"""What the RQ worker runs: a job function inside an app context, with its record kept.

The app is created by the worker (``flask jobs worker`` builds it once before forking
work horses), never at import time. A plain ``rq worker`` also works: the first job in
a process then builds the app from the environment.
"""

from __future__ import annotations

import importlib
import logging
import os
import traceback

from flask import Flask, current_app, has_app_context
from sqlalchemy import update

from workbench.extensions import db
from workbench.jobs.models import ACTIVE, JobRecord, JobStatus
from workbench.types import utcnow

log = logging.getLogger(__name__)
_app: Flask | None = None


def _app_for_worker() -> Flask:
    global _app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _app is None:
        from workbench import create_app

        _app = create_app()
    return _app


def _resolve(name: str):
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def set_progress(job_id: str | None, percent: int) -> None:
    """Record progress (0–100) for the status fragment; a no-op outside a job."""
    if not job_id:
        return
    record = db.session.get(JobRecord, job_id)
    if record is not None:
        record.progress = max(0, min(100, int(percent)))
        db.session.commit()


def _start(job_id: str) -> JobRecord | None | bool:
    """Mark the record running; False when it was given up meanwhile (see ``jobs.state``)."""
    started = db.session.execute(update(JobRecord).where(JobRecord.id == job_id, JobRecord.status.in_(ACTIVE))
                                 .values(status=JobStatus.RUNNING, error=""))
    db.session.commit()
    record = db.session.get(JobRecord, job_id)
    if record is not None and started.rowcount == 0:
        return False
    return record


def run_job(name: str, *args, **kwargs):
    """Run job function ``name`` and record running → finished/failed.

    The job function receives ``job_id`` as a keyword so it can report progress. On
    failure the exception propagates so RQ's own retry and failed-job registry see it;
    the record says ``failed`` with the error once RQ has no retry left, and ``queued``
    while a retry is coming. A record already closed (failed because RQ abandoned the
    job, then launched anew under the same identity) is not run again: RQ may still hold
    a retry of it, and running it would do the work twice.
    """
    from rq import get_current_job

    job = get_current_job()
    job_id = job.id if job else None
    app = _app_for_worker()
    with app.app_context():
        if app.extensions.get("workbench_pid") != os.getpid():
            # A forked work horse: the pooled connections are the parent's. Drop them
            # without closing (closing would break the parent's sockets). In-process
            # workers (SimpleWorker) keep their pool: dropping it would leak connections.
            db.engine.dispose(close=False)
        record = _start(job_id) if job_id else None
        if record is False:
            log.warning("job %s (%s) skipped: its record was closed meanwhile", name, job_id)
            return None
        try:
            result = _resolve(name)(*args, job_id=job_id, **kwargs)
        except Exception as exc:
            db.session.rollback()
            log.exception("job %s (%s) failed", name, job_id)
            if record is not None:
                record = db.session.get(JobRecord, job_id)
                error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
                if job is not None and job.should_retry:
                    record.status = JobStatus.QUEUED  # RQ runs it again
                    record.error = error
                else:
                    record.status = JobStatus.FAILED
                    record.error = error
                    record.finished_at = utcnow()
                db.session.commit()
            raise
        if record is not None:
            record = db.session.get(JobRecord, job_id)
            record.status = JobStatus.FINISHED
            record.progress = 100
            record.result = result if isinstance(result, dict) else None
            record.finished_at = utcnow()
            db.session.commit()
        return result
