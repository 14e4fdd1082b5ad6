"""Every owner page on a 360 px phone: no sideways scroll, no cell read one character a line,
no tap target under 44 px, and no serious or critical axe-core violation.

axe-core is vendored (tests/browser/vendor, from the npm package ``axe-core``; nothing is fetched
at test time). Screenshots of every page land in /tmp/wb15_shots/ to be looked at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import _open
from tests.browser.test_earnings import OCT, october  # noqa: F401  (fixture)
from tests.browser.test_shells import log_in
from tests.commission import conftest as commission_fixtures
from tests.fulfilment.conftest import DAY, build_batch
from tests.owner.suggestion_cards import todays_cards
from tests.pickup.conftest import make_order

ledger = commission_fixtures.ledger
pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.10.3.min.js"
SHOTS = Path("/tmp/wb15_shots")
PHONE_360 = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
             "has_touch": True, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}

#: What a thumb can hit. WCAG 2.5.8's inline exception: a link inside a sentence.
SMALL_TARGETS = """
() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], label.check';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.offsetParent === null || el.closest('dialog:not([open]), [hidden], .print-only')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    // An input inside its label: the label is the target.
    const label = el.closest('label');
    const target = (el.matches('input[type=checkbox], input[type=radio]') && label) ? label.getBoundingClientRect() : box;
    if (target.height >= 44 && target.width >= 44) continue;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') {
      const parent = el.parentElement;
      const text = (parent.textContent || '').trim().length;
      if (text > (el.textContent || '').trim().length + 2) continue;  // a link within a sentence
    }
    out.push(`${el.outerHTML.slice(0, 90)} ${Math.round(target.width)}×${Math.round(target.height)}`);
  }
  return out;
}
"""

#: Table cells squeezed until they wrap one character a line ("F/R/U/0/2/7").
SQUEEZED = """
() => [...document.querySelectorAll('td, th')]
  .filter(c => c.offsetParent !== null && (c.innerText || '').trim().length >= 4)
  .filter(c => c.getBoundingClientRect().width < 2.2 * parseFloat(getComputedStyle(c).fontSize))
  .map(c => `${c.innerText.trim().slice(0, 20)} ${Math.round(c.getBoundingClientRect().width)}px`)
"""

OVERFLOW = """
() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    return el.offsetParent !== null && r.right > doc.clientWidth + 1 && !el.closest('.table-scroll, .chart__plot, [data-scroll-x]');
  }).slice(0, 3).map(el => el.outerHTML.slice(0, 80));
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
}
"""

#: A chart's axis labels inside the chart ("11/0" was a cut "11/03").
CUT_LABELS = """
() => [...document.querySelectorAll('.chart__plot--drawn')].flatMap(plot => {
  const box = plot.getBoundingClientRect();
  return [...plot.querySelectorAll('.xtick text, .ytick text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1 || r.top < box.top - 1);
  }).map(t => t.textContent);
})
"""

AXE_RUN = """
async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}
"""


@pytest.fixture
def stocked(db, world, ledger, october):  # noqa: F811
    """Store A with a closed October, today's delivery lists and members waiting at the counter."""
    build_batch(db.session, world)
    world.cards = todays_cards(db.session, world)  # push, clear, restock, bundle on 今日
    a = world.a
    now = datetime.now(UTC)
    make_order(db.session, a, a.members[1], products=world.products, arrived_at=now - timedelta(hours=2),
               items=[(world.products[1], 3), (world.products[2], 1)])
    make_order(db.session, a, a.members[0], products=world.products, arrived_at=now - timedelta(days=3))
    db.session.commit()
    return world


def owner_pages(world) -> list[tuple[str, str]]:
    campaign = world.a.campaign.id
    return [
        ("today", "/store/today"),
        *[(f"suggestion-{c.kind}", f"/store/suggestions/{c.id}") for c in world.cards],
        ("live", "/store/live"),
        ("counter", "/store/pickup"),
        ("earnings-live", "/store/earnings"),
        ("earnings-closed", f"/store/earnings?period={OCT}"),
        ("community", "/store/community"),
        ("fulfilment", f"/store/fulfilment/?day={DAY}"),
        ("purchase", f"/store/fulfilment/purchase?day={DAY}"),
        ("sorting", f"/store/fulfilment/sorting?day={DAY}"),
        ("slips", f"/store/fulfilment/slips?day={DAY}"),
        ("campaigns", "/store/campaigns/"),
        ("poster", f"/store/campaigns/{campaign}/poster"),
        ("orders", "/store/orders/"),
        ("paste", f"/store/orders/campaigns/{campaign}/paste"),
        ("csv", f"/store/orders/campaigns/{campaign}/csv"),
        ("campaign-orders", f"/store/orders/campaigns/{campaign}/orders"),
    ]


def test_every_owner_page_at_360px(browser, live_server, stocked):
    # The test injects axe-core as an inline script, which the app's CSP rightly blocks;
    # the policy itself is checked by test_csp.py.
    context, tab = _open(browser, live_server, "phone360", {**PHONE_360, "bypass_csp": True})
    try:
        log_in(tab, stocked.a.owner)
        SHOTS.mkdir(parents=True, exist_ok=True)
        faults: list[str] = []
        for name, path in owner_pages(stocked):
            response = tab.goto(path)
            assert response.status == 200, f"{path}: HTTP {response.status}"
            # Charts draw when scrolled into view (plotly.js is fetched then, not with the page).
            plots = tab.page.locator("[data-chart-src]")
            for i in range(plots.count()):
                plots.nth(i).scroll_into_view_if_needed()
                tab.page.locator(".chart__plot--drawn").nth(i).wait_for()
            tab.page.evaluate("window.scrollTo(0, 0)")
            faults += [f"{path}: chart label cut {t}" for t in tab.page.evaluate(CUT_LABELS)]
            tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
            geometry = tab.page.evaluate(OVERFLOW)
            if geometry["scroll"] > geometry["client"] + 1:
                faults.append(f"{path}: scrolls sideways ({geometry['scroll']} > {geometry['client']}) {geometry['wide']}")
            faults += [f"{path}: squeezed cell {c}" for c in tab.page.evaluate(SQUEEZED)]
            faults += [f"{path}: small target {t}" for t in tab.page.evaluate(SMALL_TARGETS)]
            tab.page.add_script_tag(path=str(AXE))
            faults += [f"{path}: axe {v}" for v in tab.page.evaluate(AXE_RUN)]
            tab.assert_clean(path)
        assert not faults, f"{len(faults)} faults:\n" + "\n".join(faults)
    finally:
        context.close()
