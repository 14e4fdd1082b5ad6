"""HQ commission pages over HTTP: settlement, bulk actions, disputes, adjustments, close, plans; scoping."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.commission import hq_fixtures
from tests.commission.conftest import at
from tests.commission.hq_fixtures import OCT
from workbench.commission.jobs import close_month_job
from workbench.models import (
    CommissionAdjustment,
    CommissionDispute,
    CommissionPlanVersion,
    CommissionStatement,
    JobRecord,
)

# Fixtures shared with the other HQ commission tests.
settled = hq_fixtures.settled

HX = {"HX-Request": "true"}


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def status_of(db, statement):
    db.session.expire_all()
    return db.session.get(CommissionStatement, statement.id).status


# ------------------------------------------------------------------ access


def test_owner_gets_403_everywhere(settled, owner_client):
    plan_id = settled.ledger.plan.id
    for url in ("/hq/commission/", "/hq/commission/plans", f"/hq/commission/plans/{plan_id}",
                "/hq/commission/export.csv"):
        assert owner_client.get(url).status_code == 403
    for url in ("/hq/commission/confirm", "/hq/commission/pay", "/hq/commission/close",
                "/hq/commission/disputes/resolve", f"/hq/commission/plans/{plan_id}/versions"):
        assert owner_client.post(url, data={"period": OCT}).status_code == 403


def test_regional_sees_its_region_only_and_cannot_settle_or_edit(settled, regional_client, db, world):
    page = regional_client.get(f"/hq/commission/?period={OCT}").get_data(as_text=True)
    assert world.a.store.name in page and world.b.store.name in page and world.c.store.name not in page
    assert "确认所选" not in page and "关闭本月" not in page
    csv_text = regional_client.get(f"/hq/commission/export.csv?period={OCT}").get_data(as_text=True)
    assert world.a.store.code in csv_text and world.c.store.code not in csv_text
    ids = [str(s.id) for s in settled.statements.values()]
    plan_id = settled.ledger.plan.id
    for url, data in (("/hq/commission/confirm", {"period": OCT, "statement_id": ids}),
                      ("/hq/commission/pay", {"period": OCT, "statement_id": ids, "payment_ref": "X"}),
                      ("/hq/commission/close", {"period": OCT}),
                      (f"/hq/commission/plans/{plan_id}/preview", {}),
                      (f"/hq/commission/plans/{plan_id}/versions", {})):
        assert regional_client.post(url, data=data, headers=HX).status_code == 403
    plan_page = regional_client.get(f"/hq/commission/plans/{plan_id}").get_data(as_text=True)
    assert "版本" in plan_page and "预览" not in plan_page
    assert {status_of(db, s) for s in settled.statements.values()} == {"closed"}


def test_regional_cannot_touch_another_regions_dispute_or_store(settled, regional_client, db, world):
    c = settled.disputes["c"]
    r = regional_client.post("/hq/commission/disputes/resolve", headers=HX,
                             data={"dispute_id": c.id, "decision": "accept", "amount": "5", "period": OCT})
    assert r.status_code == 404
    assert db.session.get(CommissionDispute, c.id).status == "open"
    r = regional_client.post(f"/hq/commission/stores/{world.c.store.id}/adjust",
                             data={"period": OCT, "amount": "5", "reason": "x"})
    assert r.status_code == 404
    assert regional_client.get(f"/hq/commission/stores/{world.c.store.id}").status_code == 404
    assert count(db, CommissionAdjustment) == 0


def test_regional_resolves_a_dispute_in_its_region(settled, regional_client, db):
    a = settled.disputes["a"]
    r = regional_client.post("/hq/commission/disputes/resolve", headers=HX,
                             data={"dispute_id": a.id, "decision": "reject", "resolution": "已核对，无误"})
    assert r.status_code == 200 and "申诉被驳回" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CommissionDispute, a.id).status == "rejected"


# ------------------------------------------------------------------ settlement page


def test_settlement_page_defaults_to_the_latest_closed_month(settled, hq_client, world):
    r = hq_client.get("/hq/commission/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" in page
    assert 'value="2026-10" selected' in page
    assert "¥2,300.00" in page and "少算了一单" in page and "待处理申诉" in page
    fragment = hq_client.get(f"/hq/commission/?period={OCT}&status=closed&region={world.c.store.region_id}",
                             headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="settlement"' in fragment
    assert world.c.store.name in fragment and world.a.store.name not in fragment


def test_a_bad_period_in_the_query_falls_back_to_the_default(settled, hq_client):
    page = hq_client.get("/hq/commission/?period=2026-13").get_data(as_text=True)
    assert 'value="2026-10" selected' in page


def test_bulk_confirm_reports_skipped_stores_with_why(settled, hq_client, db, world):
    ids = [str(s.id) for s in settled.statements.values()]
    r = hq_client.post("/hq/commission/confirm", headers=HX, data={"period": OCT, "statement_id": ids})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "已确认 1 份对账单" in body
    assert "有未处理的申诉" in body and world.a.store.code in body
    assert status_of(db, settled.statements["b"]) == "confirmed"
    assert status_of(db, settled.statements["a"]) == "closed"


def test_bulk_confirm_without_htmx_redirects_and_refuses_garbage(settled, hq_client):
    r = hq_client.post("/hq/commission/confirm", data={"period": OCT, "statement_id": [str(settled.statements["b"].id)],
                                                       "filter_status": "closed"})
    assert r.status_code == 303 and "period=2026-10" in r.location and "status=closed" in r.location
    assert hq_client.post("/hq/commission/confirm", data={"period": OCT, "statement_id": "x"}).status_code == 400
    assert hq_client.post("/hq/commission/confirm", data={"period": "oct", "statement_id": "1"}).status_code == 400
    assert hq_client.post("/hq/commission/confirm", data={"period": OCT}, headers=HX).status_code == 400
    nothing_ticked = hq_client.post("/hq/commission/confirm", data={"period": OCT})
    assert nothing_ticked.status_code == 400 and "请先勾选" in nothing_ticked.get_data(as_text=True)


def test_mark_paid_needs_a_reference_and_confirmation(settled, hq_client, db):
    b = settled.statements["b"]
    r = hq_client.post("/hq/commission/pay", headers=HX, data={"period": OCT, "statement_id": [str(b.id)]})
    assert r.status_code == 400 and "付款单号" in r.get_data(as_text=True)
    r = hq_client.post("/hq/commission/pay", headers=HX,
                       data={"period": OCT, "statement_id": [str(b.id)], "payment_ref": "BANK-1"})
    assert "尚未确认" in r.get_data(as_text=True) and status_of(db, b) == "closed"
    hq_client.post("/hq/commission/confirm", headers=HX, data={"period": OCT, "statement_id": [str(b.id)]})
    r = hq_client.post("/hq/commission/pay", headers=HX,
                       data={"period": OCT, "statement_id": [str(b.id)], "payment_ref": "BANK-1"})
    assert "已将 1 份对账单标记为已付款" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CommissionStatement, b.id).payment_ref == "BANK-1"


def test_export_is_the_cli_csv_with_a_bom(settled, hq_client):
    r = hq_client.get(f"/hq/commission/export.csv?period={OCT}", buffered=False)
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.is_streamed
    raw = r.get_data()  # to the end: the stream's request context is popped in turn
    r.close()
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("store,owner,line_id") and len(lines) == 6
    assert "commission-2026-10.csv" in r.headers["Content-Disposition"]


# ------------------------------------------------------------------ disputes and adjustments


def test_accepting_a_dispute_needs_an_exact_amount(settled, hq_client, db):
    a = settled.disputes["a"]
    bad = hq_client.post("/hq/commission/disputes/resolve", headers=HX,
                         data={"dispute_id": a.id, "decision": "accept", "amount": "1.234"})
    assert bad.status_code == 400 and "最多两位小数" in bad.get_data(as_text=True)
    assert count(db, CommissionAdjustment) == 0
    r = hq_client.post("/hq/commission/disputes/resolve", headers=HX,
                       data={"dispute_id": a.id, "decision": "accept", "amount": "-12.35", "resolution": "补差"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "申诉已通过" in body and f'id="dispute-{a.id}"' in body and "<html" not in body
    assert 'id="settle-table" hx-swap-oob="true"' in body and "¥2,287.65" in body
    adj = db.session.scalar(select(CommissionAdjustment))
    assert adj.amount_fen == -1235 and "补差" in adj.reason
    assert status_of(db, settled.statements["a"]) == "closed"
    assert db.session.get(CommissionStatement, settled.statements["a"].id).commission_fen == 230_000 - 1235
    again = hq_client.post("/hq/commission/disputes/resolve", headers=HX,
                           data={"dispute_id": a.id, "decision": "reject", "resolution": "x"})
    assert again.status_code == 400 and "同事刚刚已处理" in again.get_data(as_text=True)


def test_rejecting_needs_a_reason_and_plain_posts_redirect(settled, hq_client, db):
    c = settled.disputes["c"]
    r = hq_client.post("/hq/commission/disputes/resolve", headers=HX, data={"dispute_id": c.id, "decision": "reject"})
    assert r.status_code == 400 and "驳回理由" in r.get_data(as_text=True)
    assert db.session.get(CommissionDispute, c.id).status == "open"
    r = hq_client.post("/hq/commission/disputes/resolve",
                       data={"dispute_id": c.id, "decision": "reject", "resolution": "按规则计算", "period": OCT})
    assert r.status_code == 303 and "period=2026-10" in r.location
    db.session.expire_all()
    assert db.session.get(CommissionDispute, c.id).status == "rejected"
    assert hq_client.post("/hq/commission/disputes/resolve", data={"dispute_id": "abc"}).status_code == 404
    plain_error = hq_client.post("/hq/commission/disputes/resolve", data={"dispute_id": c.id, "decision": "reject"})
    assert plain_error.status_code == 400 and "<html" in plain_error.get_data(as_text=True)


def test_adjustment_form(settled, hq_client, db, world):
    url = f"/hq/commission/stores/{world.b.store.id}/adjust"
    page = hq_client.get(f"/hq/commission/stores/{world.b.store.id}?period={OCT}").get_data(as_text=True)
    assert "添加调整" in page and "¥3,000.00" in page
    r = hq_client.post(url, data={"period": OCT, "amount": "50", "reason": ""})
    assert r.status_code == 400 and "请填写原因" in r.get_data(as_text=True)
    r = hq_client.post(url, data={"period": OCT, "amount": "0", "reason": "x"})
    assert r.status_code == 400 and "不能为 0" in r.get_data(as_text=True)
    assert count(db, CommissionAdjustment) == 0
    r = hq_client.post(url, data={"period": OCT, "amount": "-20.5", "reason": "迟到罚款"})
    assert r.status_code == 303
    adj = db.session.scalar(select(CommissionAdjustment))
    assert (adj.amount_fen, adj.created_by_id, adj.reason) == (-2050, world.hq.id, "迟到罚款")
    assert db.session.get(CommissionStatement, settled.statements["b"].id).commission_fen == 25_600 - 2050
    assert "迟到罚款" in hq_client.get(f"/hq/commission/stores/{world.b.store.id}?period={OCT}").get_data(as_text=True)


# ------------------------------------------------------------------ closing a month


def test_close_refusals_are_explained(settled, hq_client):
    r = hq_client.post("/hq/commission/close", headers=HX, data={"period": "2026-11"})
    assert r.status_code == 409 and "还没结束" in r.get_data(as_text=True)
    r = hq_client.post("/hq/commission/close", headers=HX, data={"period": OCT})
    assert r.status_code == 409 and "均已关账" in r.get_data(as_text=True)
    r = hq_client.post("/hq/commission/close", data={"period": OCT})
    assert r.status_code == 409 and "<html" in r.get_data(as_text=True) and "均已关账" in r.get_data(as_text=True)


def test_close_launches_the_job_that_closes_every_store(settled, hq_client, db, monkeypatch):
    settled.ledger.pickup(date(2026, 11, 5), 10_000)
    monkeypatch.setattr("workbench.commission.hq_views.utcnow", lambda: at(date(2026, 12, 2), 10))
    page = hq_client.get("/hq/commission/?period=2026-11").get_data(as_text=True)
    assert "关闭本月" in page
    r = hq_client.post("/hq/commission/close", headers=HX, data={"period": "2026-11"})
    assert r.status_code == 200 and "job-status" in r.get_data(as_text=True)
    job = db.session.scalar(select(JobRecord).where(JobRecord.name == "workbench.commission.jobs.close_month_job"))
    assert job is not None
    monkeypatch.setattr("workbench.commission.jobs.utcnow", lambda: at(date(2026, 12, 2), 10))
    result = close_month_job("2026-11")
    assert result["stores"] == 3 and result["lines"] == 1
    assert count(db, CommissionStatement, CommissionStatement.period == "2026-11") == 3


# ------------------------------------------------------------------ plans


def _plan_form(**kw):
    data = {"effective_from": "2026-12-01", "tier_mode": "whole", "after_sales_days": "7", "note": "",
            "tier_from": ["0", "20000", ""], "tier_rate": ["10", "12", ""], "product_sku": [""], "product_rate": [""],
            "campaign_id": [""], "campaign_rate": [""]}
    data.update(kw)
    return data


def test_plan_list_and_detail(settled, hq_client):
    plan_id = settled.ledger.plan.id
    page = hq_client.get("/hq/commission/plans").get_data(as_text=True)
    assert settled.ledger.plan.name in page and "整月统一" in page
    page = hq_client.get(f"/hq/commission/plans/{plan_id}").get_data(as_text=True)
    assert "生效中" in page and "新版本" in page and 'value="2026-12-01"' in page and "分段累进" in page
    assert hq_client.get("/hq/commission/plans/999999").status_code == 404


def test_preview_shows_last_month_per_store_and_writes_nothing(settled, hq_client, db, world):
    plan_id = settled.ledger.plan.id
    before = count(db, CommissionPlanVersion)
    r = hq_client.post(f"/hq/commission/plans/{plan_id}/preview", headers=HX, data=_plan_form())
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body and "对 2026-10 的影响" in body
    assert world.b.store.name in body and "+¥64.00" in body
    assert count(db, CommissionPlanVersion) == before
    bad = hq_client.post(f"/hq/commission/plans/{plan_id}/preview", headers=HX,
                         data=_plan_form(tier_from=["100"], tier_rate=["8"]))
    assert bad.status_code == 400 and "第一档必须从 ¥0 起" in bad.get_data(as_text=True)
    plain = hq_client.post(f"/hq/commission/plans/{plan_id}/preview", data=_plan_form())
    assert plain.status_code == 200 and "<html" in plain.get_data(as_text=True)


def test_saving_a_version(settled, hq_client, db, world):
    plan_id = settled.ledger.plan.id
    closed = hq_client.post(f"/hq/commission/plans/{plan_id}/versions", data=_plan_form(effective_from="2026-10-20"))
    assert closed.status_code == 400 and "最早从 2026-11-01 起生效" in closed.get_data(as_text=True)
    before = count(db, CommissionPlanVersion)
    r = hq_client.post(f"/hq/commission/plans/{plan_id}/versions",
                       data=_plan_form(note="年底冲量", product_sku=[world.products[0].sku], product_rate=["15"]))
    assert r.status_code == 303
    version = db.session.scalar(select(CommissionPlanVersion).where(CommissionPlanVersion.note == "年底冲量"))
    assert version.created_by_id == world.hq.id and version.effective_from == date(2026, 12, 1)
    assert count(db, CommissionPlanVersion) == before + 1
    again = hq_client.post(f"/hq/commission/plans/{plan_id}/versions", data=_plan_form())
    assert again.status_code == 400 and "已有版本从 2026-12-01 起生效" in again.get_data(as_text=True)


@pytest.mark.parametrize("who", ["regional_client", "owner_client"])
def test_only_hq_saves_versions(settled, request, db, who):
    client = request.getfixturevalue(who)
    before = count(db, CommissionPlanVersion)
    r = client.post(f"/hq/commission/plans/{settled.ledger.plan.id}/versions", data=_plan_form())
    assert r.status_code == 403 and count(db, CommissionPlanVersion) == before


def test_a_large_plans_preview_runs_in_the_background(settled, hq_client, regional_client, db, world, monkeypatch):
    from workbench.commission import plan_editor
    from workbench.commission.jobs import preview_plan_job

    plan_id = settled.ledger.plan.id
    monkeypatch.setattr(plan_editor, "PREVIEW_INLINE_MAX_LINES", 2)  # October has 5 lines
    versions = count(db, CommissionPlanVersion)
    r = hq_client.post(f"/hq/commission/plans/{plan_id}/preview", headers=HX, data=_plan_form())
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "job-status" in body and "<html" not in body
    job = db.session.scalar(select(JobRecord).where(JobRecord.name == "workbench.commission.jobs.preview_plan_job"))
    url = f"/hq/commission/plans/{plan_id}/preview/result?job={job.id}"
    assert "job-status" in hq_client.get(url, headers=HX).get_data(as_text=True)  # still queued: keeps polling
    assert regional_client.get(url, headers=HX).status_code == 404  # a job is its starter's only
    # What the worker does (no worker runs in tests): the job function, then the record finished.
    book = plan_editor.book_to_json(plan_editor.book_from_json(plan_editor.book_to_json(
        plan_editor.RateBook(date(2026, 12, 1), "whole", 7, ((0, 1000), (2_000_000, 1200))))))
    result = preview_plan_job(plan_id, book, at(date(2026, 11, 20), 10).isoformat())
    job = db.session.get(JobRecord, job.id)
    job.status, job.result = "finished", result
    db.session.commit()
    done = hq_client.get(url, headers=HX).get_data(as_text=True)
    assert "对 2026-10 的影响" in done and world.b.store.name in done and "+¥64.00" in done
    assert count(db, CommissionPlanVersion) == versions  # a preview writes nothing
    assert hq_client.get(f"/hq/commission/plans/{plan_id}/preview/result").status_code == 200
