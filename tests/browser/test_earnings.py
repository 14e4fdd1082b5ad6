"""The owner's 收益 tab on a phone: the month's figures, filters, disputing a line; the A4 statement as PDF.

Screenshots and the rendered PDF pages land in /tmp/shots/earnings/ to be looked at.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.test_fulfilment import media_boxes
from tests.browser.test_shells import log_in
from tests.commission import conftest as commission_fixtures
from tests.commission.conftest import at
from workbench.commission.statements import close_period, statement_of
from workbench.models import CommissionDispute, StatementLine

ledger = commission_fixtures.ledger
pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/earnings")
OCT = "2026-10"


def shot(tab, label: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{tab.name}-{label}.png"), full_page=full_page)


@pytest.fixture
def october(ledger):
    """A closed October for store A: a tier crossing, a refund before closing, a zero-rate promotion."""
    world = ledger.world
    ledger.version(date(2026, 1, 1), campaign_bp={world.a.campaign.id: 0})
    first = ledger.pickup(date(2026, 10, 3), 1_500_000)
    ledger.pickup(date(2026, 10, 20), 800_000)
    ledger.pickup(date(2026, 10, 21), 9_900, campaign_id=world.a.campaign.id)
    ledger.refund(first, 100_000, at(date(2026, 10, 25)))
    close_period(ledger.session, OCT, at(date(2026, 11, 1), 2), [ledger.store.id])
    ledger.session.commit()
    return statement_of(ledger.session, ledger.store.id, OCT)


def test_owner_reads_the_month_and_disputes_a_line_on_a_phone(phone, db, ledger, october):
    log_in(phone, ledger.world.a.owner)
    phone.goto(f"/store/earnings?period={OCT}")
    page = phone.page
    body = page.locator("#earnings").inner_text()
    assert "¥2,200.00" in body  # (¥14,000 + ¥8,000) × 10 %, the promotion at 0
    assert "关账前" in body and "已关账" in body  # one word for "closed", as HQ says it
    shot(phone, "october")
    shot(phone, "october-full", full_page=True)
    phone.assert_clean("october")

    # Only the promotion's line: the filter swaps the page in place.
    with page.expect_response(lambda r: "kind=earning" in r.url):
        page.select_option("#f-kind", "earning")
    phone.settle()  # the lines below are the swapped-in ones, not those the swap replaced
    assert page.locator(".eline").count() == 3

    # Dispute the newest line: the form sends it, the line comes back marked 已申诉.
    line = page.locator(".eline").first
    line.locator("summary").click()
    line.locator("textarea").fill("活动商品也应有佣金")
    line.locator("button[type=submit]").click()
    page.locator(".eline .badge--orange").first.wait_for()
    shot(phone, "disputed")
    phone.assert_clean("dispute")
    assert db.session.scalar(select(CommissionDispute.note)) == "活动商品也应有佣金"
    assert db.session.scalar(select(StatementLine.id).where(StatementLine.id == db.session.scalar(
        select(CommissionDispute.line_id)))) is not None


def test_the_live_month_on_a_phone_and_desktop(phone, desktop, ledger):
    ledger.version(date(2026, 1, 1))
    today = date.today()
    ledger.pickup(today.replace(day=1), 1_680_000)
    ledger.session.commit()
    for tab in (phone, desktop):
        log_in(tab, ledger.world.a.owner)
        tab.goto("/store/earnings")
        text = tab.page.locator("#earnings").inner_text()
        assert "再卖 ¥3,200.00 升到 10%" in text
        assert tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(tab, "live")
        tab.assert_clean("live month")


def test_statement_prints_on_a4(desktop, ledger, october):
    log_in(desktop, ledger.world.a.owner)
    desktop.goto(f"/store/earnings/{OCT}/print")
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / "statement-a4.pdf"
    desktop.page.emulate_media(media="print")
    desktop.page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    data = path.read_bytes()
    assert data[:4] == b"%PDF"
    # A4: 210 × 297 mm = 595 × 842 points, on every page.
    boxes = media_boxes(data)
    assert boxes and all(abs(w - 595.3) < 3 and abs(h - 841.9) < 3 for w, h in boxes), boxes
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(path), str(SHOTS / "statement-a4")],
                       check=True)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "佣金对账单" in text and "¥2,200.00" in text and "打印" not in text
    desktop.assert_clean("print")
