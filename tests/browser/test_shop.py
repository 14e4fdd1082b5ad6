"""The campaign order page in a real browser: a member orders on a phone with a one-time code;
the owner's poster page on a phone and a desktop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_shells import log_in
from workbench.outbox.channels import get_channel
from workbench.shop.services import campaign_token

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/shop")
PHONE_NO = "13766668888"


def shot(tab, label: str, *, full_page: bool = True) -> None:
    """Into artifacts/screenshots (the suite's place) and /tmp/shots/shop (for review)."""
    tab.screenshot(f"shop-{label}", full_page=full_page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{tab.name}-{label}.png"), full_page=full_page)


def no_sideways_scroll(tab) -> None:
    width = tab.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def test_member_orders_on_a_phone_with_a_code(phone, world):
    channel = get_channel("log")
    channel.sent.clear()
    url = f"/c/{campaign_token(world.a.campaign.id)}"
    phone.goto(url)
    page = phone.page
    assert world.a.campaign.title in page.content()
    shot(phone, "campaign-phone")
    no_sideways_scroll(phone)

    cp = world.a.campaign.products[0]
    plus = page.locator(f"#qty-{cp.id} ~ [data-step='1']")
    box = plus.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, f"+ button too small to tap: {box}"
    plus.click()
    plus.click()
    assert page.input_value(f"#qty-{cp.id}") == "2"

    page.fill("input[name=phone]", "137 6666 8888")
    page.get_by_role("button", name="获取验证码").click()
    page.locator("#otp-status .otp-note--ok").wait_for()
    assert "137****8888" in page.inner_text("#otp-status")
    code_button = page.locator("[data-code-button]")
    page.wait_for_function("() => document.querySelector('[data-code-button]').textContent.includes('秒后重发')")
    assert code_button.is_disabled()  # counting down the 60 s the server enforces anyway
    shot(phone, "code-sent-phone")
    message = channel.last_to(PHONE_NO)
    assert message is not None, list(channel.sent)
    code = re.search(r"\d{6}", message.body).group(0)

    page.fill("input[name=code]", code)
    page.fill("input[name=name]", "陈阿姨")
    page.select_option("select[name=building]", label="3栋")
    page.fill("input[name=room]", "2单元602")
    with page.expect_navigation(wait_until="networkidle"):
        page.get_by_role("button", name="提交订单").click()
    assert page.url.endswith(f"{url}/done")
    assert "下单成功" in page.content()
    pickup = page.locator(".shop-pickup__code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", pickup), pickup
    assert page.locator(".shop-pickup__qr svg").is_visible()
    assert "¥77.80" in page.content()
    shot(phone, "done-phone")
    no_sideways_scroll(phone)
    phone.assert_clean("order flow")


def test_wrong_code_shows_the_message_in_place(phone, world):
    url = f"/c/{campaign_token(world.a.campaign.id)}"
    phone.goto(url)
    page = phone.page
    page.fill("input[name=phone]", PHONE_NO)
    page.get_by_role("button", name="获取验证码").click()
    page.locator("#otp-status .otp-note--ok").wait_for()
    code = re.search(r"\d{6}", get_channel("log").last_to(PHONE_NO).body).group(0)
    page.locator(f"#qty-{world.a.campaign.products[0].id}").fill("1")
    page.fill("input[name=code]", "000000" if code != "000000" else "111111")
    page.fill("input[name=name]", "陈阿姨")
    with page.expect_navigation():
        page.get_by_role("button", name="提交订单").click()
    assert "验证码不对" in page.inner_text("#code-error")
    assert page.input_value("input[name=name]") == "陈阿姨"  # nothing typed is lost
    shot(phone, "wrong-code-phone")
    phone.problems[:] = [p for p in phone.problems if "400" not in p]  # the 400 is the point
    phone.assert_clean("wrong code")


def test_public_page_on_a_desktop(desktop, world):
    desktop.goto(f"/c/{campaign_token(world.a.campaign.id)}")
    shot(desktop, "campaign-desktop")
    box = desktop.page.locator(".shop-main").bounding_box()
    assert box["width"] <= 520 and box["x"] > 300, f"the column is not centred: {box}"
    desktop.assert_clean("public page, desktop")


def test_bad_link_is_a_chinese_404(phone, world):
    phone.goto("/c/not-a-link")
    assert "团购链接无效" in phone.page.content()
    shot(phone, "bad-link-phone", full_page=False)
    phone.problems.clear()  # the 404 is expected


def test_owner_poster_on_phone_and_desktop(phone, desktop, world):
    for tab in (phone, desktop):
        log_in(tab, world.owner_a)
        tab.goto(f"/store/campaigns/{world.a.campaign.id}/poster")
        page = tab.page
        assert page.locator(".poster-share__qr svg").is_visible()
        link = page.input_value("#campaign-link")
        assert f"/c/{campaign_token(world.a.campaign.id)}" in link
        assert page.locator(".poster .poster__qr svg").is_visible()
        shot(tab, "poster")
        no_sideways_scroll(tab)
        if tab is desktop:  # what the printer gets: the poster alone, no app chrome or tools
            page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
            page.emulate_media(media="print")
            assert not page.locator(".poster-tools").is_visible()
            assert not page.locator(".tabbar").is_visible()
            assert page.locator(".poster").is_visible()
            shot(tab, "poster-print")
            page.emulate_media(media="screen")
        tab.goto("/store/campaigns/")
        shot(tab, "campaigns", full_page=False)
        tab.assert_clean("poster")
