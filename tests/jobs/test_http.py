"""Jobs over HTTP: the statement PDF's identity, failed jobs with a retry, errors in one place."""

from __future__ import annotations

from datetime import date

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.job import JobStatus as RqStatus
from sqlalchemy import select

from tests.conftest import login
from tests.jobs.conftest import OCT
from workbench.commission import earnings_page
from workbench.embedded_redis import free_port
from workbench.jobs.models import JobRecord, JobStatus
from workbench.jobs.queue import get_queue
from workbench.timeutil import local_day
from workbench.types import utcnow

HX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}
PDF = "workbench.commission.pdf.statement_pdf_job"


def running_month(ledger) -> str:
    options = earnings_page.store_periods(ledger.session, ledger.store.id, local_day(utcnow()))
    month = next(p for p, _s in options if p != OCT)
    assert month != OCT
    return month


def pdf_jobs(db):
    return db.session.scalars(select(JobRecord).where(JobRecord.name == PDF).order_by(JobRecord.created_at)).all()


def job_id_of(response) -> str:
    text = response.get_data(as_text=True)
    start = text.index("/jobs/") + len("/jobs/")
    return text[start:text.index('"', start)]


def queue_down(app):
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5)
    app.extensions["rq_queue"] = Queue(app.config["RQ_QUEUE"], connection=dead)


def test_a_pdf_for_another_month_is_another_job(owner_a, closed_october, db):
    """Issue 13: asking for 2026-10 while another month's PDF is open returned that month's job."""
    other = running_month(closed_october)
    first = owner_a.post(f"/store/earnings/{other}/pdf", headers=HX)
    october = owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX)
    again = owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX)
    assert first.status_code == october.status_code == again.status_code == 200
    assert job_id_of(first) != job_id_of(october) == job_id_of(again)
    assert [(j.period, j.scope) for j in pdf_jobs(db)] == [
        (other, f"store:{closed_october.store.id}"), (OCT, f"store:{closed_october.store.id}")]
    assert get_queue().count == 2


def test_a_job_rq_failed_is_shown_failed_with_a_retry_and_can_be_launched_again(owner_a, closed_october, db):
    job_id = job_id_of(owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX))
    record = db.session.get(JobRecord, job_id)
    record.status, record.progress = JobStatus.RUNNING, 40  # the work horse got this far, then died
    db.session.commit()
    Job.fetch(job_id, connection=get_queue().connection).set_status(RqStatus.FAILED)  # rq's verdict

    fragment = owner_a.get(f"/jobs/{job_id}", headers=HX).get_data(as_text=True)
    assert "job-status--failed" in fragment and "hx-trigger" not in fragment  # polling stops
    assert "未能完成" in fragment and ">重试</button>" in fragment
    assert f'hx-post="/store/earnings/{OCT}/pdf"' in fragment and 'name="csrf_token"' in fragment
    page = owner_a.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True) and ">重试</button>" in page.get_data(as_text=True)
    as_json = owner_a.get(f"/jobs/{job_id}", headers=JSON).get_json()
    assert as_json["status"] == "failed" and as_json["retry_url"] == f"/store/earnings/{OCT}/pdf"

    retried = owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX)  # the retry button's request
    assert retried.status_code == 200 and job_id_of(retried) != job_id
    assert [j.status for j in pdf_jobs(db)] == ["failed", "queued"]


def test_a_finished_pdf_links_its_file(owner_a, closed_october, db):
    job_id = job_id_of(owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX))
    record = db.session.get(JobRecord, job_id)
    record.status, record.progress = JobStatus.FINISHED, 100
    db.session.commit()
    fragment = owner_a.get(f"/jobs/{job_id}", headers=HX).get_data(as_text=True)
    assert f'href="/store/earnings/{OCT}/statement.pdf"' in fragment and ">重试</button>" not in fragment
    assert owner_a.get(f"/jobs/{job_id}", headers=JSON).get_json()["result_url"] == f"/store/earnings/{OCT}/statement.pdf"


def test_job_status_json_and_404_for_another_user(app, owner_a, closed_october, db):
    job_id = job_id_of(owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX))
    assert owner_a.get(f"/jobs/{job_id}", headers=JSON).get_json()["status"] == "queued"
    other = login(app.test_client(), closed_october.world.b.owner)
    missing = other.get(f"/jobs/{job_id}", headers=JSON)
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert other.get(f"/jobs/{job_id}").status_code == 404


def test_queue_down_is_a_503_in_chinese_and_the_record_says_failed(app, owner_a, closed_october, db):
    queue_down(app)
    fragment = owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 503 and "job-status--failed" in body and "<html" not in body
    assert "PDF 未生成" in body
    page = owner_a.post(f"/store/earnings/{OCT}/pdf")
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and "<html" in text and f'href="/store/earnings?period={OCT}"' in text
    as_json = owner_a.post(f"/store/earnings/{OCT}/pdf", headers=JSON)
    assert as_json.status_code == 503 and as_json.get_json()["error"] == "queue_unavailable"
    assert {j.status for j in pdf_jobs(db)} == {"failed"}
    assert all(j.error.startswith("queue unavailable") for j in pdf_jobs(db))


# ------------------------------------------------------------------ the preview's full page


@pytest.fixture
def large_plan(closed_october, monkeypatch):
    from workbench.commission import plan_editor

    monkeypatch.setattr(plan_editor, "PREVIEW_INLINE_MAX_LINES", 0)  # every preview runs in the background
    monkeypatch.setattr("workbench.commission.hq_views.utcnow",
                        lambda: __import__("tests.commission.conftest", fromlist=["at"]).at(date(2026, 11, 20), 10))
    return closed_october.plan


def plan_form():
    return {"effective_from": "2026-12-01", "tier_mode": "whole", "after_sales_days": "7", "note": "",
            "tier_from": ["0", "20000", ""], "tier_rate": ["10", "12", ""], "product_sku": [""],
            "product_rate": [""], "campaign_id": [""], "campaign_rate": [""]}


def test_a_plain_preview_post_with_the_queue_down_is_503_not_500(app, hq_client, large_plan, db):
    """Issue 13: the full page was rendered with the fragment's context (UndefinedError: 'plan')."""
    queue_down(app)
    page = hq_client.post(f"/hq/commission/plans/{large_plan.id}/preview", data=plan_form())
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and "<html" in text and "预览没有运行" in text
    assert f'href="/hq/commission/plans/{large_plan.id}"' in text  # a way back to the plan
    fragment = hq_client.post(f"/hq/commission/plans/{large_plan.id}/preview", data=plan_form(), headers=HX)
    assert fragment.status_code == 503 and "job-status--failed" in fragment.get_data(as_text=True)


def test_a_plain_preview_post_while_a_colleague_previews_is_409_not_500(app, hq_client, large_plan, db, world):
    colleague = login(app.test_client(), world.admin)
    assert colleague.post(f"/hq/commission/plans/{large_plan.id}/preview", data=plan_form(),
                          headers=HX).status_code == 200
    page = hq_client.post(f"/hq/commission/plans/{large_plan.id}/preview", data=plan_form())
    text = page.get_data(as_text=True)
    assert page.status_code == 409 and "<html" in text and "同事" in text
    fragment = hq_client.post(f"/hq/commission/plans/{large_plan.id}/preview", data=plan_form(), headers=HX)
    assert fragment.status_code == 409 and "<html" not in fragment.get_data(as_text=True)
    # The refusal rolled back and queued nothing of ours.
    assert db.session.scalars(select(JobRecord.user_id).where(JobRecord.name.like("%preview%"))).all() == [
        world.admin.id]
    assert get_queue().count == 1


def test_an_invalid_preview_as_a_plain_post_is_the_plan_page_with_errors(hq_client, large_plan):
    page = hq_client.post(f"/hq/commission/plans/{large_plan.id}/preview",
                          data={**plan_form(), "effective_from": "nonsense"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "<html" in text and large_plan.name in text


def test_a_background_preview_rq_gave_up_on_stops_polling(hq_client, large_plan, db):
    r = hq_client.post(f"/hq/commission/plans/{large_plan.id}/preview", data=plan_form(), headers=HX)
    assert r.status_code == 200
    job = db.session.scalar(select(JobRecord).where(JobRecord.name.like("%preview_plan_job")))
    url = f"/hq/commission/plans/{large_plan.id}/preview/result?job={job.id}"
    assert "hx-trigger" in hq_client.get(url, headers=HX).get_data(as_text=True)
    Job.fetch(job.id, connection=get_queue().connection).set_status(RqStatus.FAILED)
    body = hq_client.get(url, headers=HX).get_data(as_text=True)
    assert "预览没有成功" in body and "hx-trigger" not in body
