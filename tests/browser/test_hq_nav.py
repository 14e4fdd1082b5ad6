"""HQ's one sidebar in a real browser at desktop size: HQ and a regional manager walk every
section through it; each page keeps the same sidebar with its own item current.
Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.test_shells import log_in

pytestmark = pytest.mark.browser

SIDEBAR = """
() => {
  const side = document.querySelector('aside.hq-side');
  if (!side) return null;
  const box = side.getBoundingClientRect();
  const links = [...side.querySelectorAll('nav.hq-nav a')];
  return {visible: box.width > 0 && box.height > 0, left: box.left,
          links: links.map(a => a.getAttribute('href')),
          current: links.filter(a => a.getAttribute('aria-current') === 'page').map(a => a.getAttribute('href')),
          brand: side.querySelector('.hq-brand small').textContent.trim()};
}
"""


@pytest.mark.parametrize("who", ["hq", "regional"])
def test_every_section_through_the_one_sidebar(desktop, world, who):
    user = world.hq if who == "hq" else world.regional
    log_in(desktop, user)
    desktop.goto("/hq/stores")
    first = desktop.page.evaluate(SIDEBAR)
    assert first and first["visible"] and first["left"] == 0
    assert first["brand"] == (world.regional.region.name if who == "regional" else "总部")
    for href in first["links"]:
        with desktop.page.expect_navigation(wait_until="networkidle"):
            desktop.page.click(f'nav.hq-nav a[href="{href}"]')
        seen = desktop.page.evaluate(SIDEBAR)
        assert seen["links"] == first["links"], href
        assert seen["current"] == [href], href
        assert seen["brand"] == first["brand"], href
        desktop.assert_clean(href)
        if href.endswith(("/stores", "/plans")):
            desktop.screenshot(f"hq-nav-{who}{href.replace('/', '-')}")
