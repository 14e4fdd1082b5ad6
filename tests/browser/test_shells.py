"""The two shells in a real browser: the owner's phone tabs and HQ's desktop stores list."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

OWNER_TABS = ["/store/today", "/store/live", "/store/pickup", "/store/earnings", "/store/community"]

#: Where the tab bar is and whether any content hides under it, at the top of the page
#: and scrolled to the very bottom.
TABBAR_GEOMETRY = """
() => {
  const nav = [...document.querySelectorAll('nav')].find(n => n.querySelector('a[href$="/store/live"]'));
  if (!nav) return null;
  const measure = () => {
    const bar = nav.getBoundingClientRect();
    const main = document.querySelector('main') || document.body;
    let lowest = 0, offender = '';
    for (const el of main.querySelectorAll('*')) {
      if (nav.contains(el) || el.contains(nav)) continue;
      const style = getComputedStyle(el);
      if (style.position === 'fixed' || style.visibility === 'hidden') continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      if (r.bottom > lowest) { lowest = r.bottom; offender = el.tagName.toLowerCase() + '.' + el.className; }
    }
    return {top: bar.top, bottom: bar.bottom, height: bar.height, lowest, offender};
  };
  window.scrollTo(0, 0);
  const atTop = measure();
  window.scrollTo(0, document.documentElement.scrollHeight);
  const atBottom = measure();
  window.scrollTo(0, 0);
  return {viewport: innerHeight, width: innerWidth, scrollWidth: document.documentElement.scrollWidth,
          atTop, atBottom};
}
"""


def log_in(tab, user):
    tab.goto("/auth/login")
    tab.page.fill("input[name=login]", user.phone or user.username)
    tab.page.fill("input[name=password]", PASSWORD)
    with tab.page.expect_navigation(wait_until="networkidle"):
        tab.page.click("button[type=submit], input[type=submit]")


def test_owner_visits_every_tab_on_a_phone(phone, world):
    log_in(phone, world.owner_a)  # by phone number, as owners do
    assert phone.page.url.endswith("/store/today")
    phone.assert_clean("login")
    assert world.a.store.name in phone.page.content()
    for path in OWNER_TABS:
        phone.page.click(f'nav a[href$="{path}"]')
        phone.page.wait_for_url(f"**{path}")
        phone.page.wait_for_load_state("networkidle")
        phone.screenshot("owner" + path.replace("/", "-"))
        if path == "/store/today":
            phone.screenshot("owner-store-today", full_page=True)
        phone.assert_clean(path)
        assert world.a.store.name in phone.page.content(), path

        geometry = phone.page.evaluate(TABBAR_GEOMETRY)
        assert geometry is not None, f"{path}: no tab bar (a <nav> with the tab links)"
        viewport = geometry["viewport"]
        for where in ("atTop", "atBottom"):
            bar = geometry[where]
            assert bar["height"] >= 44, f"{path}: tab bar {bar['height']}px high, too small to tap"
            assert abs(bar["bottom"] - viewport) <= 1, f"{path} ({where}): tab bar not at the bottom: {bar}"
        bottom = geometry["atBottom"]
        assert bottom["lowest"] <= bottom["top"] + 1, (
            f"{path}: content ({bottom['offender']}) ends at {bottom['lowest']:.0f}px, under the tab bar "
            f"at {bottom['top']:.0f}px")
        assert geometry["scrollWidth"] <= geometry["width"], f"{path}: the page scrolls sideways"


def test_owner_logs_out_from_the_phone(phone, world):
    log_in(phone, world.owner_a)
    with phone.page.expect_navigation(wait_until="networkidle"):
        phone.page.get_by_role("button", name="退出").or_(
            phone.page.locator("form[action$='/auth/logout'] button")).first.click()
    assert "/auth/login" in phone.page.url
    phone.goto("/store/today")
    assert "/auth/login" in phone.page.url
    phone.assert_clean("logout")


def test_hq_opens_the_stores_list_on_a_desktop(desktop, world):
    log_in(desktop, world.hq)
    assert desktop.page.url.endswith("/hq/stores")
    desktop.page.wait_for_load_state("networkidle")
    desktop.screenshot("hq-stores")
    desktop.assert_clean("/hq/stores")
    content = desktop.page.content()
    for sw in (world.a, world.b, world.c):
        assert sw.store.name in content
    side = desktop.page.locator('nav a[href$="/hq/stores"]')
    assert side.count() >= 1 and side.first.is_visible(), "no side navigation link to the stores list"
    box = side.first.bounding_box()
    assert box["x"] < 400, f"the side navigation is not at the side: {box}"


def test_regional_sees_only_their_region_on_a_desktop(desktop, world):
    log_in(desktop, world.regional)
    content = desktop.page.content()
    assert world.a.store.name in content and world.b.store.name in content
    assert world.c.store.name not in content
    desktop.assert_clean("/hq/stores (regional)")


def test_hq_recomputes_the_figures_through_htmx(app, desktop, world):
    """The Recompute button: htmx POST with the layout's CSRF header, the job runs on an
    RQ worker, the status fragment polls until finished and the table shows the figures."""
    from rq import SimpleWorker

    from workbench.jobs.queue import get_queue

    log_in(desktop, world.hq)
    page = desktop.page
    page.locator("form[action$='/hq/stores/recompute'] button").click()
    status = page.locator(".job-status")
    status.first.wait_for()
    assert status.first.get_attribute("hx-trigger"), "a queued job's status should poll itself"

    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    page.locator(".job-status--finished").wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # the table reloads on jobFinished
    desktop.screenshot("hq-stores-recomputed")
    desktop.assert_clean("recompute")
    row = page.locator("tr", has_text=world.a.store.name).first.inner_text()
    assert "¥" in row, row
