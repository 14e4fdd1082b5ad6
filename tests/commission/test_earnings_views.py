"""The owner's 收益 tab over HTTP: live month, stored statements, disputes, print, CSV, PDF."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from tests.commission.conftest import at
from tests.conftest import login
from workbench.commission import lifecycle, pdf, states
from workbench.commission.statements import close_period, statement_of
from workbench.jobs.queue import get_queue
from workbench.models import CommissionDispute, StatementLine
from workbench.types import utcnow

HX = {"HX-Request": "true"}
OCT = "2026-10"


@pytest.fixture
def closed_october(ledger):
    ledger.version(date(2026, 1, 1))
    first = ledger.pickup(date(2026, 10, 3), 1_500_000)
    ledger.pickup(date(2026, 10, 20), 800_000)
    ledger.refund(first, 100_000, at(date(2026, 10, 25)))
    close_period(ledger.session, OCT, at(date(2026, 11, 1), 2), [ledger.store.id])
    ledger.session.commit()
    return statement_of(ledger.session, ledger.store.id, OCT)


@pytest.fixture
def owner_a(app, ledger):
    client = app.test_client()
    login(client, ledger.world.a.owner)
    return client


def test_live_month_shows_commission_tier_and_distance(owner_a, ledger):
    ledger.version(date(2026, 1, 1))
    today = utcnow()
    ledger.pickup(today.date().replace(day=1), 1_680_000)  # ¥16,800: ¥3,200 short of 10 %
    ledger.session.commit()
    html = owner_a.get("/store/earnings").get_data(as_text=True)
    assert "¥1,344.00" in html  # 8 % of ¥16,800
    assert "再卖 ¥3,200.00 升到 10%" in html
    assert "本月进行中" in html or "进行中" in html


def test_closed_statement_lines_refund_words_and_dispute(owner_a, closed_october, ledger):
    html = owner_a.get(f"/store/earnings?period={OCT}").get_data(as_text=True)
    assert "¥22,000.00" in html  # picked-up sales after the ¥1,000 refund
    assert "¥2,200.00" in html  # both lines at 10 %: the tier was reached
    assert "关账前" in html  # the refund explained in words (关账: one word for "closed" everywhere)
    line = ledger.session.scalars(select(StatementLine).where(StatementLine.statement_id == closed_october.id)).first()
    empty = owner_a.post(f"/store/earnings/lines/{line.id}/dispute", data={"note": "  "}, headers=HX)
    assert empty.status_code == 400 and "请说明" in empty.get_data(as_text=True)
    ok = owner_a.post(f"/store/earnings/lines/{line.id}/dispute", data={"note": "退款金额不对"}, headers=HX)
    assert ok.status_code == 200 and "已申诉" in ok.get_data(as_text=True)
    again = owner_a.post(f"/store/earnings/lines/{line.id}/dispute", data={"note": "再说一次"}, headers=HX)
    assert again.status_code == 409
    assert ledger.session.scalar(select(CommissionDispute.note)) == "退款金额不对"


def test_dispute_refused_after_confirmation_and_for_other_stores(app, owner_a, closed_october, ledger):
    line = ledger.session.scalars(select(StatementLine)).first()
    states.confirm(ledger.session, [closed_october.id], ledger.world.hq.id, utcnow())
    ledger.session.commit()
    assert owner_a.post(f"/store/earnings/lines/{line.id}/dispute", data={"note": "x"}, headers=HX).status_code == 409
    other = app.test_client()
    login(other, ledger.world.b.owner)
    assert other.post(f"/store/earnings/lines/{line.id}/dispute", data={"note": "x"}).status_code == 404
    # B's October is its own (live: never closed, no plan), never A's statement.
    for url in (f"/store/earnings?period={OCT}", f"/store/earnings/{OCT}/print", f"/store/earnings/{OCT}.csv"):
        body = other.get(url).get_data(as_text=True)
        assert "¥2,200.00" not in body and "CM0" not in body


def test_bad_and_unknown_periods(owner_a, ledger):
    ledger.version(date(2026, 1, 1))
    bad = owner_a.get("/store/earnings?period=2026-13")
    assert bad.status_code == 400 and "2026-11" in bad.get_data(as_text=True)
    assert owner_a.get("/store/earnings?period=2019-01").status_code == 404


def test_filters_and_more(owner_a, closed_october):
    html = owner_a.get(f"/store/earnings?period={OCT}&kind=clawback", headers=HX).get_data(as_text=True)
    assert "没有符合条件" in html
    html = owner_a.get(f"/store/earnings?period={OCT}&kind=nonsense&page=x").get_data(as_text=True)
    assert "2 条" in html


def test_print_and_csv(owner_a, closed_october):
    page = owner_a.get(f"/store/earnings/{OCT}/print").get_data(as_text=True)
    assert "佣金对账单" in page and "¥2,200.00" in page  # (¥14,000 + ¥8,000) × 10 %
    csv = owner_a.get(f"/store/earnings/{OCT}.csv")
    body = csv.data.decode("utf-8")
    assert body.startswith("\ufeff日期,类型,订单号,商品,")  # for Excel: BOM, Chinese headers
    assert csv.headers["Content-Disposition"].endswith(f"{OCT}.csv")
    assert len(body.strip().splitlines()) == 3


def test_owner_csv_reads_in_excel(owner_csv_rows, closed_october, ledger):
    """Yuan with two decimals, the rate as a percentage, product and member names, the reason of
    an adjustment; no fen, basis points or ids (those are HQ finance's export)."""
    hq = ledger.world.hq
    lifecycle.add_adjustment(ledger.session, ledger.store.id, OCT, 5_000, "直播奖励", hq.id, utcnow())
    ledger.session.commit()
    rows = owner_csv_rows(f"/store/earnings/{OCT}.csv")
    header = list(rows[0])
    assert header == ["日期", "类型", "订单号", "商品", "品类", "会员", "销售额（元）", "已退款（元）",
                      "佣金比例", "佣金（元）", "阶梯档位", "状态", "可结算日期", "备注"]
    [adj] = [r for r in rows if r["类型"] == "调整"]
    assert (adj["佣金（元）"], adj["备注"], adj["订单号"]) == ("50.00", "直播奖励", "")
    sales = [r for r in rows if r["类型"] == "提货"]
    assert sorted(r["佣金（元）"] for r in sales) == ["1400.00", "800.00"]
    assert {r["佣金比例"] for r in sales} == {"10%"}
    first = ledger.world.a.members[0]
    assert all(r["商品"] and r["会员"].startswith(first.name) and r["订单号"].startswith("CM") for r in sales)
    assert [r["已退款（元）"] for r in sales if r["已退款（元）"]] == ["1000.00"]


def test_yuan_and_percent_are_exact():
    from workbench.commission.owner_csv import percent, yuan

    assert [yuan(f) for f in (0, 5, -4888, 123456)] == ["0.00", "0.05", "-48.88", "1234.56"]
    assert [percent(b) for b in (1000, 1250, 805, 0)] == ["10%", "12.5%", "8.05%", "0%"]


@pytest.fixture
def owner_csv_rows(owner_a):
    def get(url):
        return list(csv.DictReader(io.StringIO(owner_a.get(url).data.decode("utf-8-sig"))))
    return get


@pytest.mark.skipif(not shutil.which("chromium") and not pdf.Path("/usr/bin/chromium").exists(),
                    reason="chromium is not installed")
def test_pdf_job_makes_a_pdf_with_a_cjk_font(app, owner_a, closed_october, ledger, tmp_path):
    app.config["STATEMENT_PDF_FOLDER"] = str(tmp_path)
    resp = owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX)
    assert resp.status_code == 200
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    path = pdf.pdf_path(ledger.store.id, OCT)
    assert path.read_bytes()[:4] == b"%PDF"
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "WenQuanYi" in fonts or "Noto" in fonts or "CJK" in fonts
    download = owner_a.get(f"/store/earnings/{OCT}/statement.pdf")
    assert download.status_code == 200 and download.data[:4] == b"%PDF"
    download.close()


def test_negative_payable_is_explained(owner_a, ledger):
    """A clawback is payable at once, this month's sales wait out their window: 可结算 < 0 says why."""
    ledger.version(date(2026, 1, 1))
    first = ledger.pickup(date(2026, 10, 3), 1_500_000)
    close_period(ledger.session, OCT, at(date(2026, 11, 1), 2), [ledger.store.id])
    today = utcnow()
    ledger.refund(first, 1_400_000, today)
    ledger.pickup(today.date(), 100_000)
    ledger.session.commit()
    html = owner_a.get("/store/earnings").get_data(as_text=True)
    assert "可结算为负数" in html and "追回了 ¥" in html and "过了售后期会转入这里" in html
    # A month with nothing negative says nothing of the kind.
    assert "可结算为负数" not in owner_a.get(f"/store/earnings?period={OCT}").get_data(as_text=True)
