"""The launch API and job state at service level: identity, the unique index, RQ's truth."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import SimpleWorker
from rq.job import Job
from rq.job import JobStatus as RqStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workbench.jobs import queue as jobs_queue
from workbench.jobs import state
from workbench.jobs.models import JobRecord, JobStatus
from workbench.jobs.queue import JobSpec, get_queue, launch, launch_many
from workbench.jobs.runner import run_job
from workbench.types import utcnow

PDF = "workbench.commission.pdf.statement_pdf_job"
KPI = "workbench.stores.jobs.recompute_store_kpis"
SLOW = "tests.jobs.test_launch.noted_job"
RAN: list[str] = []


def noted_job(*, job_id=None):
    """A job that only notes that it ran (resolved by dotted name like any job)."""
    RAN.append(job_id)
    return {"ran": True}


def records(db):
    """Job records of the tests' kinds (the world has one of its own)."""
    return db.session.scalar(select(func.count(JobRecord.id)).where(JobRecord.name.in_((KPI, PDF, SLOW))))


def test_launch_never_commits_and_a_rolled_back_action_queues_nothing(app, db, world):
    launch(KPI, "重算", user_id=world.hq.id)
    assert get_queue().count == 0  # nothing queued before the caller's commit
    db.session.rollback()
    assert records(db) == 0 and get_queue().count == 0
    record = launch(KPI, "重算", user_id=world.hq.id)
    db.session.commit()
    assert get_queue().count == 1 and get_queue().job_ids == [record.id]
    db.session.commit()  # a later commit does not queue it twice
    assert get_queue().count == 1


def test_identity_is_kind_scope_and_period(app, db, world):
    store = world.a.store.id
    october = launch(PDF, "PDF 10", store, "2026-10", store_id=store, period="2026-10")
    november = launch(PDF, "PDF 11", store, "2026-11", store_id=store, period="2026-11")
    again = launch(PDF, "PDF 10 again", store, "2026-10", store_id=store, period="2026-10")
    other_store = launch(PDF, "PDF 10 B", world.b.store.id, "2026-10", store_id=world.b.store.id, period="2026-10")
    db.session.commit()
    assert october.id != november.id, "a PDF for another month is another job"
    assert again.id == october.id
    assert other_store.id != october.id
    assert (october.scope, october.period) == (f"store:{store}", "2026-10")
    assert get_queue().count == 3


def test_the_database_allows_one_active_job_per_identity(app, db):
    db.session.add(JobRecord(id="a", name=KPI, description="x", status=JobStatus.RUNNING))
    db.session.commit()
    db.session.add(JobRecord(id="b", name=KPI, description="y", status=JobStatus.QUEUED))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Finished and failed jobs of the same identity are history, any number of them.
    db.session.add_all([JobRecord(id=f"h{i}", name=KPI, description="old", status=s)
                        for i, s in enumerate((JobStatus.FINISHED, JobStatus.FAILED, JobStatus.FAILED))])
    db.session.commit()
    assert records(db) == 4


def test_a_racing_launch_gets_the_existing_job(app, db, world, monkeypatch):
    """The other request's row appears between our read and our insert: the insert does nothing."""
    winner = JobRecord(id="winner", name=KPI, description="theirs", status=JobStatus.QUEUED, user_id=world.hq.id)
    db.session.add(winner)
    db.session.commit()
    real = jobs_queue.active_record
    reads = []

    def stale_first_read(*args):
        reads.append(args)
        return None if len(reads) == 1 else real(*args)

    monkeypatch.setattr(jobs_queue, "active_record", stale_first_read)
    mine = launch(KPI, "mine", user_id=world.owner_a.id)
    db.session.commit()
    assert mine.id == "winner" and records(db) == 1
    assert get_queue().count == 0  # nothing of ours was queued


def test_launch_many_reuses_each_batch_under_way(app, db):
    specs = [JobSpec(SLOW, f"batch {i}", scope=f"stores:{i}", period="2026-12-06") for i in range(3)]
    first = launch_many(specs)
    db.session.commit()
    second = launch_many(specs)
    db.session.commit()
    assert [r.id for r in second] == [r.id for r in first] and len({r.id for r in first}) == 3
    assert get_queue().count == 3


# ------------------------------------------------------------------ RQ's truth


def launched(db, world, **kw):
    record = launch(KPI, "重算", user_id=world.hq.id, **kw)
    db.session.commit()
    return record, Job.fetch(record.id, connection=get_queue().connection)


def test_a_job_rq_marked_failed_is_failed_and_frees_its_identity(app, db, world):
    record, job = launched(db, world)
    record.status, record.progress = JobStatus.RUNNING, 40
    db.session.commit()
    job.set_status(RqStatus.FAILED)
    again = launch(KPI, "重算", user_id=world.hq.id)
    db.session.commit()
    assert again.id != record.id
    record = db.session.get(JobRecord, record.id)
    assert record.status == JobStatus.FAILED and record.finished_at is not None and record.error


def test_a_job_whose_worker_died_is_failed(app, db, world):
    record, job = launched(db, world)
    job.worker_name = "ghost"  # no such worker: its heartbeat key expired with it
    job.save()
    job.set_status(RqStatus.STARTED)
    state.refresh(db.session, record)
    assert record.status == JobStatus.FAILED and "worker" in record.error


def test_rq_cleans_up_an_abandoned_job_and_retries_it(app, db, world):
    """rq's StartedJobRegistry cleanup (heartbeat lapsed): retried while it has retries, then failed."""
    record, job = launched(db, world)
    connection = get_queue().connection
    get_queue().remove(job.id)  # a worker took it
    record.status = JobStatus.RUNNING
    job.set_status(RqStatus.STARTED)
    registry = StartedJobRegistry(job.origin, connection=connection)
    connection.zadd(registry.key, {f"{job.id}:lost-execution": 1})  # its heartbeat ran out long ago
    state.refresh(db.session, record)
    assert record.status == JobStatus.QUEUED  # RQ queued it again: its retry is coming
    job = Job.fetch(record.id, connection=connection)
    job.retries_left = 0
    job.save()
    job.set_status(RqStatus.STARTED)
    record.status = JobStatus.RUNNING
    connection.zadd(registry.key, {f"{job.id}:lost-again": 1})
    state.refresh(db.session, record)
    assert record.status == JobStatus.FAILED and "Abandoned" in record.error


def test_a_job_the_queue_lost_is_failed_after_a_moment(app, db, world):
    record, job = launched(db, world)
    job.delete()
    state.refresh(db.session, record)
    assert record.status == JobStatus.QUEUED  # just committed: its enqueue may still be on its way
    record.created_at = utcnow() - state.LOST_AFTER - timedelta(seconds=1)
    state.refresh(db.session, record)
    assert record.status == JobStatus.FAILED and "lost" in record.error


def test_redis_away_leaves_the_record_as_it_is(app, db, world, monkeypatch):
    from redis.exceptions import ConnectionError

    record, _job = launched(db, world)

    def refuse(*a, **k):
        raise ConnectionError("refused")

    monkeypatch.setattr(state.Job, "fetch", refuse)
    assert state.refresh(db.session, record).status == JobStatus.QUEUED


def test_the_runner_does_not_run_a_job_whose_record_was_closed(app, db, world):
    RAN.clear()
    record = launch(SLOW, "x")
    db.session.commit()
    record.status, record.error = JobStatus.FAILED, "abandoned"
    db.session.commit()
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert RAN == []
    db.session.expire_all()
    assert db.session.get(JobRecord, record.id).status == JobStatus.FAILED


def test_a_failing_job_is_queued_again_while_rq_retries_it(app, db, world, monkeypatch):
    """Between attempts the record says queued (RQ's truth), failed only when retries are spent."""
    seen = []
    real = run_job

    def watching(name, *args, **kwargs):
        try:
            return real(name, *args, **kwargs)
        finally:
            db.session.expire_all()
            seen.append(db.session.scalar(select(JobRecord.status).where(JobRecord.name == name)))

    monkeypatch.setattr("workbench.jobs.runner.run_job", watching)
    launch("tests.test_jobs.exploding_job", "会失败的任务")
    db.session.commit()
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert seen == ["queued", "queued", "failed"]


def test_reconcile_closes_the_records_rq_gave_up_on(app, db, world):
    """What a worker does at start (and ``flask jobs reconcile``): no record stays "running" across restarts."""
    stuck, job = launched(db, world)
    alive = launch(SLOW, "still queued")
    db.session.commit()
    stuck.status, stuck.progress = JobStatus.RUNNING, 40
    db.session.commit()
    job.set_status(RqStatus.FAILED)
    out = app.test_cli_runner().invoke(args=["jobs", "reconcile"])
    assert out.exit_code == 0 and "records changed: 1" in out.output
    db.session.expire_all()
    assert db.session.get(JobRecord, stuck.id).status == JobStatus.FAILED
    assert db.session.get(JobRecord, alive.id).status == JobStatus.QUEUED
