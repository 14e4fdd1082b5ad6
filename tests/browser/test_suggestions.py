"""今日建议 in a real browser: accept and dismiss on a phone, the detail view, HQ's page on a desktop."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.test_shells import TABBAR_GEOMETRY, log_in
from tests.owner.suggestion_cards import card, todays_cards
from workbench.forecasting.models import BacktestRun
from workbench.formatting import local_today
from workbench.suggestions.models import Suggestion

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(db, world):
    """Today's four cards for store A, yesterday's two scored, and a backtest for HQ."""
    cards = todays_cards(db.session, world)
    yesterday = local_today() - timedelta(days=1)
    card(db.session, world.a.store, world.products[0], for_date=yesterday, forecast_p10=6, forecast_expected=10,
         forecast_p90=14, actual_units=9, status="accepted")
    card(db.session, world.a.store, world.products[1], for_date=yesterday, forecast_p10=2,
         forecast_expected=4, forecast_p90=6, actual_units=7)
    card(db.session, world.b.store, world.products[2], kind="push")
    for method, wape in (("lightgbm", 0.31), ("seasonal_naive", 0.46), ("ma28", 0.41)):
        db.session.add(BacktestRun(source="database", horizon=1, holdout_days=28, method=method, wape=wape,
                                   mase=wape * 2, bias=-0.012, coverage80=0.79, series=1200, seconds=8.5))
    db.session.commit()
    return cards


def _status(db, s) -> str:
    db.session.expire_all()
    return db.session.get(Suggestion, s.id).status


def test_owner_accepts_and_dismisses_on_a_phone(phone, db, world, seeded):
    push, clear, _restock, _bundle = seeded
    log_in(phone, world.owner_a)
    page = phone.page
    assert page.url.endswith("/store/today")
    page.locator(f"#card-{push.id}").wait_for()
    phone.screenshot("suggestions-today")
    phone.screenshot("suggestions-today", full_page=True)
    phone.assert_clean("今日 with cards")

    # Accept the push card: the card is swapped in place, the flash appears, no reload.
    page.locator(f"#card-{push.id} button", has_text="采纳").first.click()
    page.locator(f"#card-{push.id}.sugg--accepted").wait_for()
    assert "已采纳" in page.locator("#flashes").inner_text()
    assert page.locator(f'#card-{push.id} a[href$="/store/suggestions/{push.id}"]').count() >= 1

    # Dismiss the clear card with a reason.
    page.locator(f"#card-{clear.id} summary").click()
    page.locator(f"#card-{clear.id} .reason-chip", has_text="拿不到货").click()
    phone.screenshot("suggestions-dismiss-open")
    page.locator(f"#card-{clear.id} .dismiss__form button[type=submit]").click()
    page.locator(f"#card-{clear.id}.sugg--dismissed").wait_for()
    assert "拿不到货" in page.locator(f"#card-{clear.id}").inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    phone.screenshot("suggestions-decided")
    phone.assert_clean("accept and dismiss")
    assert (_status(db, push), _status(db, clear)) == ("accepted", "dismissed")

    geometry = page.evaluate(TABBAR_GEOMETRY)
    assert geometry["scrollWidth"] <= geometry["width"], "今日 scrolls sideways"

    # The accepted push card leads to its detail view with the chart and the numbers in words.
    with page.expect_navigation(wait_until="networkidle"):
        page.locator(f'#card-{push.id} a[href$="/store/suggestions/{push.id}"]').first.click()
    page.locator(".plotly-graph-div .main-svg").first.wait_for()
    assert "平时一天卖" in page.content() and "临界比" not in page.content()
    phone.screenshot("suggestions-detail-push", full_page=True)
    phone.assert_clean("detail")
    geometry = page.evaluate(TABBAR_GEOMETRY)
    assert geometry["scrollWidth"] <= geometry["width"], "the detail view scrolls sideways"


def test_clear_detail_on_a_phone(phone, world, seeded):
    clear = seeded[1]
    log_in(phone, world.owner_a)
    phone.goto(f"/store/suggestions/{clear.id}")
    phone.page.locator(".plotly-graph-div .main-svg").first.wait_for()
    phone.screenshot("suggestions-detail-clear", full_page=True)
    phone.assert_clean("clear detail")


def test_owner_today_on_a_desktop(desktop, world, seeded):
    log_in(desktop, world.owner_a)
    desktop.page.locator(f"#card-{seeded[0].id}").wait_for()
    desktop.screenshot("suggestions-owner-today")
    desktop.assert_clean("owner 今日 on a desktop")


def test_hq_suggestions_page_on_a_desktop(desktop, world, seeded):
    log_in(desktop, world.hq)
    desktop.page.click('nav a[href$="/hq/suggestions"]')
    desktop.page.wait_for_url("**/hq/suggestions")
    desktop.page.wait_for_load_state("networkidle")
    desktop.screenshot("suggestions-hq", full_page=True)
    desktop.assert_clean("/hq/suggestions")
    content = desktop.page.content()
    assert world.a.store.name in content and world.b.store.name in content
    # Filter by kind: only the table is swapped, and the URL follows.
    desktop.page.select_option("#sugg-kind", "clear")
    desktop.page.wait_for_url("**kind=clear**")
    desktop.settle()
    assert desktop.page.locator("#sugg-cards .kind--push").count() == 0
    assert desktop.page.locator("#sugg-cards .kind--clear").count() >= 1
    desktop.screenshot("suggestions-hq-filtered")
    desktop.assert_clean("filter")
