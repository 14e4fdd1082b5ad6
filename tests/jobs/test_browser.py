"""On the owner's phone: a statement PDF whose job RQ gave up on shows failed, and 重试 starts it again."""

from __future__ import annotations

import pytest
from rq.job import Job
from rq.job import JobStatus as RqStatus
from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, browser, live_server, phone  # noqa: F401  (fixtures)
from tests.browser.test_shells import log_in
from tests.jobs.conftest import OCT
from workbench.jobs.models import JobRecord
from workbench.jobs.queue import get_queue

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")]
PDF = "workbench.commission.pdf.statement_pdf_job"


def pdf_jobs(db):
    db.session.expire_all()
    return db.session.scalars(select(JobRecord).where(JobRecord.name == PDF).order_by(JobRecord.created_at)).all()


def test_a_failed_pdf_job_offers_a_retry_on_the_phone(phone, db, closed_october):  # noqa: F811
    log_in(phone, closed_october.world.a.owner)
    phone.goto(f"/store/earnings?period={OCT}")
    page = phone.page
    page.locator("#pdf-status").scroll_into_view_if_needed()
    page.get_by_role("button", name="PDF").first.click()
    page.locator("#pdf-status .job-status--queued").wait_for()
    [job] = pdf_jobs(db)

    # The work horse died for good: RQ marks the job failed; the polling fragment follows.
    Job.fetch(job.id, connection=get_queue().connection).set_status(RqStatus.FAILED)
    page.locator("#pdf-status .job-status--failed").wait_for(timeout=10_000)
    retry = page.locator("#pdf-status").get_by_role("button", name="重试")
    assert retry.is_visible()
    box = retry.bounding_box()
    assert box["height"] >= 36 and box["x"] + box["width"] <= 375  # a tap target, on the screen
    retry.scroll_into_view_if_needed()
    phone.screenshot("pdf-failed")

    retry.click()
    phone.settle()
    page.locator("#pdf-status .job-status--queued").wait_for()
    assert [j.status for j in pdf_jobs(db)] == ["failed", "queued"]
    phone.assert_clean("retry")
