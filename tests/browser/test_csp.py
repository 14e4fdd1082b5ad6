"""The Content-Security-Policy in a real browser: every page the probe listed loads with no
violation (inline code without the nonce, style attributes, hx-on), and charts still draw,
on a full load and when htmx swaps them in."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.test_shells import log_in
from tests.browser.test_suggestions import seeded  # noqa: F401 (fixture)
from tests.commission import conftest as commission_fixtures
from workbench.shop.services import campaign_token

ledger = commission_fixtures.ledger
pytestmark = pytest.mark.browser

# Collected in the page itself, so a violation is caught even if the console misses it.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '')));
"""

CHARTS = """
() => [...document.querySelectorAll('.plotly-graph-div')].map(
  d => ({svg: !!d.querySelector('svg.main-svg'), height: Math.round(d.getBoundingClientRect().height)}))
"""


def draw_charts(tab) -> None:
    """Charts draw when they come into view (plotly.js is fetched then): scroll to each."""
    plots = tab.page.locator("[data-chart-src]")
    for i in range(plots.count()):
        plots.nth(i).scroll_into_view_if_needed()
        tab.page.locator(".chart__plot--drawn").nth(i).wait_for()


def visit(tab, path: str) -> list[dict]:
    """Open ``path``; fail on any CSP violation or console error; the charts it drew."""
    response = tab.goto(path)
    assert response.status < 400, (path, response.status)
    draw_charts(tab)
    violations = tab.page.evaluate("window.__csp")
    assert violations == [], f"{path}: {violations}"
    tab.assert_clean(path)
    charts = tab.page.evaluate(CHARTS)
    assert all(c["svg"] and c["height"] >= 100 for c in charts), (path, charts)
    return charts


@pytest.fixture
def watched(phone, desktop):
    for tab in (phone, desktop):
        tab.page.context.add_init_script(WATCH)
    return phone, desktop


def test_owner_pages_and_the_member_page_run_under_the_policy(watched, world, seeded):  # noqa: F811
    phone, _desktop = watched
    push = seeded[0]
    log_in(phone, world.owner_a)
    for path in ("/store/today", "/store/live", "/store/pickup", "/store/earnings", "/store/community",
                 f"/store/campaigns/{world.a.campaign.id}/poster", "/store/campaigns/",
                 f"/store/orders/campaigns/{world.a.campaign.id}/csv",
                 f"/store/orders/campaigns/{world.a.campaign.id}/orders"):
        visit(phone, path)
    charts = visit(phone, f"/store/suggestions/{push.id}")  # a card's detail draws its forecast
    assert charts, "the card detail should draw a chart"
    # htmx swaps the page in again (the refresh button): the chart's script runs with the
    # page's nonce, not the fragment's.
    phone.goto(f"/store/suggestions/{push.id}")
    phone.page.evaluate("htmx.ajax('GET', location.pathname, {target: '#main', swap: 'innerHTML'})")
    phone.settle()
    draw_charts(phone)
    assert phone.page.evaluate("window.__csp") == []
    assert all(c["svg"] for c in phone.page.evaluate(CHARTS))
    phone.assert_clean("swapped detail")
    # The member's order page, logged out.
    visit(phone, f"/c/{campaign_token(world.a.campaign.id)}")


def test_hq_pages_run_under_the_policy(watched, world, seeded):  # noqa: F811
    _phone, desktop = watched
    log_in(desktop, world.admin)  # sees all HQ sees, plus "sign out everywhere" per owner
    for path in ("/hq/stores", "/hq/suggestions", "/hq/commission/", "/hq/commission/plans",
                 "/hq/fulfilment/", "/hq/aftersales/"):
        visit(desktop, path)
    # The admin signs an owner out everywhere from the stores list.
    desktop.goto("/hq/stores")
    desktop.screenshot("stores-admin")
    with desktop.page.expect_navigation(wait_until="networkidle"):
        desktop.page.locator(f'form[action="/auth/users/{world.owner_a.id}/sign-out"] button').click()
    assert "已在所有设备上退出登录" in desktop.page.locator("#flashes").inner_text()
    assert desktop.page.evaluate("window.__csp") == []
    desktop.assert_clean("after signing an owner out")


def test_earnings_chart_draws_under_the_policy(watched, ledger):
    phone, _desktop = watched
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date.today().replace(day=1), 1_680_000)
    ledger.session.commit()
    log_in(phone, ledger.world.a.owner)
    visit(phone, "/store/earnings")
