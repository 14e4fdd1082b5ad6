"""The pickup counter in a real browser: search by phone tail, tap 已提货, see it swapped, undo;
a 缺货/破损 report; the keyboard-open height; HQ's tickets page on a desktop."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests.browser.test_shells import log_in
from tests.pickup.conftest import make_order
from workbench.models import AfterSalesTicket, Order, PickupVerification

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/pickup")

#: Every visible control in the counter and how big it is (touch targets).
SMALL_TARGETS = """
() => [...document.querySelectorAll(
    '#counter button:not([hidden]), #counter .counter-order__pick, #counter .counter-report-link, #counter input.input')]
  .filter(el => el.offsetParent !== null && !el.closest('dialog'))
  .map(el => ({el: el.outerHTML.slice(0, 80), h: el.getBoundingClientRect().height}))
  .filter(x => x.h < 44)
"""


def shot(tab, label, full_page=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{tab.name}-{label}.png"), full_page=full_page)
    tab.screenshot(f"counter-{label}", full_page=full_page)


@pytest.fixture
def counter_world(db, world):
    """Store A with a few members waiting, one of them overdue, so the list looks real."""
    a = world.a
    now = datetime.now(UTC)
    make_order(db.session, a, a.members[1], products=world.products, arrived_at=now - timedelta(hours=2),
               items=[(world.products[1], 3), (world.products[2], 1)])
    make_order(db.session, a, a.members[0], products=world.products, arrived_at=now - timedelta(days=3))
    make_order(db.session, a, a.members[2], products=world.products, arrived_at=now - timedelta(hours=20))
    db.session.commit()
    return world


def test_counter_flow_on_a_phone(phone, db, counter_world):
    a = counter_world.a
    member = a.members[1]
    log_in(phone, a.owner)
    phone.goto("/store/pickup")
    page = phone.page
    shot(phone, "list")
    shot(phone, "list", full_page=True)
    assert page.locator(".counter-card").count() == 3
    assert page.locator(".badge--red").count() >= 1  # the overdue member
    assert page.evaluate(SMALL_TARGETS) == []
    phone.assert_clean("counter list")

    # Search as you type: the results region keeps (at least) its height while it updates.
    before = page.locator("#counter-results").bounding_box()["height"]
    page.fill("#counter-q", member.phone[-4:])
    card = page.locator(f"#member-{member.id}")
    page.wait_for_function("document.querySelectorAll('#counter-results .counter-card').length === 1")
    assert card.is_visible()
    after = page.locator("#counter-results").bounding_box()["height"]
    assert after >= min(before, 0.6 * 812) - 1, (before, after)
    assert "0001" in card.locator(".pickup-member__phone b").inner_text()
    shot(phone, "search")

    # One tap: the card is swapped in place with an undo button and a countdown.
    card.locator("button.counter-go").click()
    undo = page.locator(f"#member-{member.id} .counter-undo")
    undo.wait_for()
    page.wait_for_function("document.querySelector('.counter-undo [data-countdown]').textContent.includes(':')")
    assert "今日已提" in page.locator(f"#member-{member.id}").inner_text()
    assert page.locator("#pickup-counts").inner_text().count("2") >= 1  # 2 picked up today (world's + ours)
    assert page.locator("#flashes").inner_text().strip().startswith("已提货")
    shot(phone, "picked")
    db.session.expire_all()
    live = db.session.scalars(select(PickupVerification.order_id).where(
        PickupVerification.store_id == a.store.id, PickupVerification.undone_at.is_(None))).all()
    assert len(live) == 3  # the world's old one + the two orders of this member

    # Undo: back to waiting.
    undo.click()
    page.locator(f"#member-{member.id} button.counter-go").wait_for()
    assert "已撤销" in page.locator("#flashes").inner_text()
    shot(phone, "undone")
    db.session.expire_all()
    assert db.session.get(Order, a.orders[1].id).status == "arrived"
    phone.assert_clean("tap and undo")

    # Partial pickup: untick one order, hand over the other.
    boxes = page.locator(f"#member-{member.id} input[name=order_id]")
    boxes.nth(0).uncheck()
    assert "1" in page.locator(f"#member-{member.id} [data-pick-count]").inner_text()
    page.locator(f"#member-{member.id} button.counter-go").click()
    page.locator(f"#member-{member.id} .counter-undo").wait_for()
    assert page.locator(f"#member-{member.id} input[name=order_id]").count() == 1
    shot(phone, "partial")
    phone.assert_clean("partial")


def test_report_with_photo_on_a_phone(phone, db, counter_world, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    a = counter_world.a
    member = a.members[1]
    log_in(phone, a.owner)
    phone.goto("/store/pickup")
    page = phone.page
    page.locator(f"#member-{member.id} .counter-report-link").first.click()
    form = page.locator(f"#report-{member.id} form")
    form.wait_for()
    page.wait_for_timeout(300)  # the slot scrolls into view
    box = form.bounding_box()
    assert box["y"] >= 100, box  # below the sticky header and search, not hidden under them
    shot(phone, "report-form")
    form.locator("input[value=damage]").check()
    form.locator("input[name=quantity]").fill("9")
    # More than ordered: the browser stops it before sending (the server refuses it too, see test_views).
    assert form.locator("input[name=quantity]").evaluate("el => el.validity.rangeOverflow")
    img = io.BytesIO()
    Image.new("RGB", (1200, 900), (180, 40, 40)).save(img, "JPEG")
    form = page.locator(f"#report-{member.id} form")
    form.locator("input[name=quantity]").fill("1")
    form.locator("input[name=note]").fill("盒子压坏")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": img.getvalue()}])
    form.locator("button[type=submit]").click()
    page.wait_for_function("document.querySelector('#flashes').textContent.includes('已上报')")
    shot(phone, "reported")
    phone.assert_clean("report")
    db.session.expire_all()
    ticket = db.session.scalar(select(AfterSalesTicket).where(AfterSalesTicket.note == "盒子压坏"))
    assert ticket is not None and ticket.photo and (tmp_path / ticket.photo).is_file()


def test_keyboard_open_keeps_the_search_visible(browser, live_server, db, counter_world):
    from tests.browser.conftest import PHONE, _open

    # ~450 px high: what is left of a 375×812 phone with the on-screen keyboard open.
    context, tab = _open(browser, live_server, "phone-keyboard", {**PHONE, "viewport": {"width": 375, "height": 450}})
    try:
        log_in(tab, counter_world.a.owner)
        tab.goto("/store/pickup")
        page = tab.page
        page.focus("#counter-q")
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(200)
        box = page.locator("#counter-q").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 450, box
        page.fill("#counter-q", counter_world.a.members[1].phone[-4:])
        page.wait_for_function("document.querySelectorAll('#counter-results .counter-card').length === 1")
        assert page.locator("#counter-q").bounding_box()["y"] >= 0
        shot(tab, "keyboard")
        tab.assert_clean("keyboard")
    finally:
        context.close()


def test_counter_and_hq_tickets_on_a_desktop(desktop, browser, live_server, db, counter_world):
    log_in(desktop, counter_world.hq)
    desktop.goto("/hq/aftersales/")
    assert "盒子压坏了" in desktop.page.content()
    shot(desktop, "hq-tickets")
    form = desktop.page.locator(f"#ticket-{counter_world.a.ticket.id} form")
    form.locator("input[name=resolution]").fill("补发一盒")
    form.locator("button[value=accept]").click()
    desktop.page.wait_for_function("document.querySelector('#flashes').textContent.includes('工单已处理')")
    assert desktop.page.locator(f"#ticket-{counter_world.a.ticket.id}").count() == 0  # left the open list
    shot(desktop, "hq-resolved")
    desktop.assert_clean("hq tickets")

    from tests.browser.conftest import DESKTOP, _open

    context, tab = _open(browser, live_server, "desktop-owner", DESKTOP)
    try:
        log_in(tab, counter_world.a.owner)
        tab.goto("/store/pickup")
        shot(tab, "counter")
        tab.assert_clean("desktop counter")
    finally:
        context.close()
