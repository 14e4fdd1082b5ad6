"""The month close the cron runs each night at 00:05 Shanghai, and the one cron schedule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import func, select

from workbench.commission import jobs
from workbench.commission.statements import statement_of
from workbench.formatting import SHANGHAI
from workbench.jobs.cron import cron_scheduler
from workbench.jobs.queue import get_queue
from workbench.models import CommissionStatement
from workbench.types import utcnow

OCT = "2026-10"


def test_the_cron_schedules_the_suggestions_and_the_month_close(app, redis_url):
    scheduler = cron_scheduler(Redis.from_url(redis_url), "default")
    by_name = {job.name: job for job in scheduler.get_jobs()}
    assert set(by_name) == {"suggestions-nightly", "commission-close"}
    close = by_name["commission-close"]
    assert close.cron == "5 16 * * *" and close.args == (jobs.CLOSE_DUE_JOB,)
    local = close.next_enqueue_time.astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (0, 5)
    assert timedelta(0) < close.next_enqueue_time - utcnow() <= timedelta(days=1)


def test_on_the_first_the_month_just_ended_is_closed_once(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 31), 10_000, hour=23)
    ledger.session.commit()
    result = jobs.close_last_month("2026-11-01")
    assert (result["period"], result["stores"], result["lines"], result["commission_fen"]) == (OCT, 1, 1, 800)
    assert statement_of(ledger.session, ledger.store.id, OCT).status == "closed"
    # The next nights find nothing to do, and change nothing.
    for day in ("2026-11-02", "2026-11-30"):
        assert jobs.close_last_month(day)["nothing_to_do"] is True
    assert ledger.session.scalar(select(func.count(CommissionStatement.id))) == 1


def test_a_month_left_open_before_fails_the_night_and_closes_nothing(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 9, 5), 10_000)
    ledger.pickup(date(2026, 10, 5), 10_000)
    ledger.pickup(date(2026, 11, 5), 10_000)
    ledger.session.commit()
    jobs.close_last_month("2026-10-01")  # September
    # October's close never ran: on 1 December November cannot jump the queue.
    with pytest.raises(jobs.CloseMonthRefused, match="close 2026-10"):
        jobs.close_last_month("2026-12-01")
    assert statement_of(ledger.session, ledger.store.id, "2026-11") is None


def test_the_cron_job_closes_the_month_on_a_worker(ledger, redis_url):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 12), 25_000)
    ledger.session.commit()
    queue = get_queue()
    [close] = [j for j in cron_scheduler(queue.connection, queue.name).get_jobs() if j.name == "commission-close"]
    close.kwargs = {"today": "2026-11-01"}
    close.enqueue(queue.connection)  # what the scheduler does at 16:05 UTC
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    ledger.session.expire_all()
    st = statement_of(ledger.session, ledger.store.id, OCT)
    assert st is not None and (st.status, st.commission_fen) == ("closed", 2_000)
