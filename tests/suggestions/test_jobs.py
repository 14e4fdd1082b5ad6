"""Scoring, the nightly run (single process and fanned out over RQ), the cron and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import select

from tests.factories import gen_order
from workbench.formatting import SHANGHAI
from workbench.jobs.cron import cron_scheduler
from workbench.jobs.models import JobRecord
from workbench.jobs.queue import get_queue
from workbench.models import Suggestion
from workbench.suggestions import jobs, scoring
from workbench.suggestions.cli import suggestions_cli
from workbench.types import utcnow

from .test_engine import DAY, cards, seed_small

D = date(2026, 3, 10)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_scoring_fills_actual_units(db, world):
    store, member, product, other = world.a.store, world.a.members[0], world.products[0], world.products[1]
    s = db.session

    def order(when, prod, qty, status="paid", store_id=store.id):
        gen_order(s, store_id, member, [(prod, qty)], status=status, placed_at=when)

    order(utc(2026, 3, 9, 16, 30), product, 2)  # 00:30 on 3-10 in Shanghai: counts
    order(utc(2026, 3, 10, 15, 30), product, 3, status="picked_up")  # 23:30 on 3-10: counts
    order(utc(2026, 3, 10, 16, 30), product, 4)  # 3-11 local: not that day
    order(utc(2026, 3, 10, 4, 0), product, 7, status="cancelled")  # never demand
    order(utc(2026, 3, 10, 4, 0), product, 9, status="failed")
    order(utc(2026, 3, 10, 4, 0), other, 5)  # another product
    order(utc(2026, 3, 10, 4, 0), product, 6, store_id=world.b.store.id)  # another store
    push = Suggestion(store_id=store.id, for_date=D, kind="push", rank=1, product_id=product.id,
                      forecast_p10=1, forecast_expected=4, forecast_p90=8, metrics={}, reasons=[])
    unsold = Suggestion(store_id=store.id, for_date=D, kind="restock", rank=1, product_id=world.products[2].id,
                        metrics={}, reasons=[])
    no_product = Suggestion(store_id=store.id, for_date=D, kind="bundle", rank=1, metrics={}, reasons=[])
    s.add_all([push, unsold, no_product])
    s.commit()

    assert scoring.score_day(s, D) == 2
    s.commit()
    assert push.actual_units == 5 and push.scored_at is not None
    assert unsold.actual_units == 0
    assert no_product.actual_units is None and no_product.scored_at is None
    first = push.scored_at
    assert scoring.score_day(s, D) == 2  # idempotent: same numbers again
    assert push.actual_units == 5 and push.scored_at >= first
    assert scoring.score_day(s, D + timedelta(days=1)) == 0


def test_run_for_day_scores_yesterday_first(app, db):
    seed_small()
    yesterday = DAY - timedelta(days=1)
    jobs.run_for_day(db.session, yesterday, [1], method="ma28", score=False)
    result = jobs.run_for_day(db.session, DAY, [1], method="ma28")
    scored = [c for c in cards(db, 1) if c.for_date == yesterday and c.product_id is not None]
    assert scored and result.scored == len(scored)
    assert all(c.actual_units is not None and c.scored_at is not None for c in scored)


def test_fan_out_queues_batches_that_workers_run(app, db, monkeypatch):
    seed_small()
    monkeypatch.setattr(jobs, "BATCH_SIZE", 2)
    records = jobs.fan_out(db.session, DAY, method="ma28")
    assert len(records) == 2  # stores 1–2 and 3
    assert jobs.fan_out(db.session, DAY, method="ma28")[0].id == records[0].id  # not queued twice
    assert get_queue().count == 0  # launching never commits: nothing is queued before the caller's commit
    db.session.commit()
    assert get_queue().count == 2
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    done = db.session.scalars(select(JobRecord).where(JobRecord.name == jobs.BATCH_JOB)).all()
    assert {r.status for r in done} == {"finished"}
    assert sorted(r.result["stores"] for r in done) == [1, 2]
    assert {c.store_id for c in cards(db)} == {1, 2, 3}


def test_cron_enqueues_the_nightly_run_at_five_in_shanghai(app, redis_url):
    scheduler = cron_scheduler(Redis.from_url(redis_url), "default")
    [job] = [j for j in scheduler.get_jobs() if j.name == "suggestions-nightly"]
    assert job.cron == "0 21 * * *" and job.func_name == "workbench.jobs.runner.run_job"
    assert job.args == (jobs.NIGHTLY_JOB,)
    local = job.next_enqueue_time.astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (5, 0)
    assert timedelta(0) < job.next_enqueue_time - utcnow() <= timedelta(days=1)


@pytest.fixture
def cli(app):
    if "suggestions" not in app.cli.commands:
        app.cli.add_command(suggestions_cli)
    return app.test_cli_runner()


def test_cli_run_prints_counts_per_store(cli, db):
    seed_small()
    out = cli.invoke(args=["suggestions", "run", "--date", DAY.isoformat(), "--store", "S001", "--store", "2",
                           "--method", "ma28"])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("store=S001 push=")
    assert lines[1].startswith("store=S002 push=")
    assert lines[-1].startswith(f"day={DAY.isoformat()} stores=2 cards=")
    assert "seconds=" in lines[-1]
    assert {c.store_id for c in cards(db)} == {1, 2}


def test_cli_if_missing_runs_once_then_leaves_the_day_alone(cli, db):
    seed_small()
    args = ["suggestions", "run", "--date", DAY.isoformat(), "--store", "S001", "--method", "ma28", "--if-missing"]
    first = cli.invoke(args=args)
    assert first.exit_code == 0, first.output
    made = {(c.id, c.kind, c.rank) for c in cards(db)}
    assert made
    second = cli.invoke(args=args)
    assert second.exit_code == 0, second.output
    assert "already has cards; nothing to do" in second.output
    assert {(c.id, c.kind, c.rank) for c in cards(db)} == made  # not regenerated


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2026-13-01"], "is not a date in the form YYYY-MM-DD"),
    (["--date", "yesterday"], "is not a date in the form YYYY-MM-DD"),
    (["--store", "S999"], "no store with id or code 'S999'"),
    (["--store", "12345"], "no store with id or code '12345'"),
    (["--method", "prophet"], "Invalid value for '--method'"),
])
def test_cli_bad_input_exits_2_with_a_clear_message(cli, world, args, message):
    out = cli.invoke(args=["suggestions", "run", *args])
    assert out.exit_code == 2
    assert message in out.output
    assert "Traceback" not in out.output


def test_the_cron_job_runs_the_whole_night_on_a_worker(app, db, redis_url):
    seed_small()
    queue = get_queue()
    scheduler = cron_scheduler(queue.connection, queue.name)
    [cron_job] = [j for j in scheduler.get_jobs() if j.name == "suggestions-nightly"]
    # The real one takes today in Shanghai and the LightGBM model; the baseline keeps this fast.
    cron_job.kwargs = {"day": DAY.isoformat(), "method": "ma28"}
    cron_job.enqueue(queue.connection)  # what the scheduler does at 21:00 UTC
    SimpleWorker([queue], connection=queue.connection).work(burst=True)  # nightly, then its batches
    db.session.expire_all()
    assert {c.store_id for c in cards(db) if c.for_date == DAY} == {1, 2, 3}
    [batch] = db.session.scalars(select(JobRecord).where(JobRecord.name == jobs.BATCH_JOB)).all()
    assert batch.status == "finished" and batch.result["stores"] == 3


def test_backfill_writes_and_scores_the_past_days(app, db):
    seed_small()
    result = jobs.backfill(DAY.isoformat(), days=3, method="ma28")
    assert result["days"] == 3 and result["cards"] > 0
    past = [c for c in cards(db) if c.for_date < DAY]
    assert {c.for_date for c in past} == {DAY - timedelta(days=k) for k in (1, 2, 3)}
    assert all(c.actual_units is not None for c in past if c.product_id is not None)
    # A database with past cards is left alone.
    assert jobs.launch_backfill(db.session, DAY) is None
