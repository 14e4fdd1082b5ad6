"""Fulfilment in a real browser: the owner's lists on a phone, their print layouts as
PDFs (A4, 80 mm, 58 mm) and HQ marking a pickup point arrived on a desktop.

Screenshots and the PDFs (with PNG renderings by pdftoppm) go to /tmp/shots/fulfilment/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.test_shells import log_in
from tests.fulfilment.conftest import DAY, build_batch

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/fulfilment")
MM = 72 / 25.4  # PDF points per millimetre
PAPER_WIDTH_MM = {"a4": 210, "80": 80, "58": 58}


@pytest.fixture
def batch(db, world):
    return build_batch(db.session, world)


def shoot(tab, label: str, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{tab.name}-{label}.png"
    tab.page.screenshot(path=str(path), full_page=full_page)
    return path


#: The smallest computed font size (px) of any element with its own text inside the printed document.
SMALLEST_TEXT = """
() => {
  let min = [1e9, ''];
  for (const el of document.querySelectorAll('.fl-doc, .fl-doc *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min[0]) min = [size, el.textContent.trim().slice(0, 30)];
  }
  return min;
}
"""


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height (points) of each page, from the PDF's /MediaBox entries."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def test_owner_opens_delivery_slips_on_a_phone(phone, world, batch):
    log_in(phone, world.owner_a)
    phone.goto("/store/fulfilment/")
    assert "配送单" in phone.page.content()
    shoot(phone, "index")
    phone.page.click("a:has-text('配送单')")
    phone.page.wait_for_url("**/store/fulfilment/slips**")
    phone.page.wait_for_load_state("networkidle")
    shoot(phone, "slips")
    html = phone.page.content()
    assert "139****2222" in html and "13911112222" not in html
    assert phone.page.locator(".fl-cut").count() == 2
    for url, label in [("/store/fulfilment/purchase", "purchase"), ("/store/fulfilment/sorting?by=building", "sorting"),
                       ("/store/fulfilment/slips?paper=58", "slips-58"),
                       ("/store/fulfilment/slips?order=product-building-room", "slips-by-product")]:
        phone.goto(url + ("&" if "?" in url else "?") + f"day={DAY}")
        shoot(phone, label)
        width = phone.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"{url} scrolls sideways: {width}"
        # Every control of the toolbar is big enough to tap.
        small = phone.page.evaluate("""() => [...document.querySelectorAll('.fl-toolbar a, .fl-toolbar button, .fl-toolbar input:not([type=hidden])')]
            .map(e => [e.textContent.trim() || e.name, e.getBoundingClientRect().height]).filter(x => x[1] < 36)""")
        assert not small, f"{url}: small touch targets {small}"
    phone.assert_clean("fulfilment pages")


@pytest.mark.parametrize("kind", ["slips", "purchase", "sorting"])
def test_print_layouts_as_pdf(desktop, world, batch, kind):
    log_in(desktop, world.owner_a)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for paper, width_mm in PAPER_WIDTH_MM.items():
        desktop.goto(f"/store/fulfilment/{kind}?day={DAY}&paper={paper}")
        # Print media for the PDF too: with "screen" emulated, page.pdf() ignores @page.
        desktop.page.emulate_media(media="print")
        shoot(desktop, f"{kind}-{paper}-print-media", full_page=False)
        smallest = desktop.page.evaluate(SMALLEST_TEXT)
        assert smallest[0] >= 12 - 0.01, f"{kind} on {paper}: text at {smallest[0] * 0.75:.1f}pt: {smallest[1]!r}"
        path = SHOTS / f"{kind}-{paper}.pdf"
        pdf = desktop.page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
        boxes = media_boxes(pdf)
        assert boxes, "no pages"
        for w, _h in boxes:
            assert abs(w / MM - width_mm) <= 1, f"{kind} on {paper}: page is {w / MM:.1f} mm wide"
        if kind == "slips" and paper == "a4":
            assert len(boxes) == 3, "each building's slip starts on a new A4 page"
        if shutil.which("pdffonts"):
            fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
            assert re.search(r"WenQuanYi|wqy|Micro ?Hei|CJK|Noto Sans SC", fonts, re.I), fonts
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "80", str(path), str(SHOTS / f"{kind}-{paper}")], check=True)
        if shutil.which("pdftotext"):
            out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
            assert "阳光玫瑰葡萄" in out
            assert "标记" not in out and "下载 CSV" not in out and "退出" not in out, "controls printed"
    desktop.assert_clean(kind)


def test_hq_marks_a_point_arrived(desktop, db, world, batch):
    log_in(desktop, world.hq)
    desktop.goto(f"/hq/fulfilment/?day={DAY}")
    shoot(desktop, "hq-before", full_page=False)
    row_id = f"pt-{world.a.store.id}-{world.a.pickup_point.id}"
    row = desktop.page.locator(f"#{row_id}")
    assert row.count() == 1
    row.locator("button:has-text('标记已到货')").click()
    desktop.page.wait_for_selector("#flashes .flash--success")
    flash = desktop.page.locator("#flashes").inner_text()
    assert "已到货 3 单" in flash and "到货提醒 2 条" in flash, flash
    row = desktop.page.locator(f"#{row_id}")
    assert row.locator("button:has-text('标记已到货')").is_disabled()
    shoot(desktop, "hq-after", full_page=False)
    # The bulk form: tick store B's point and mark all selected arrived (htmx swaps the table).
    b_row = f"pt-{world.b.store.id}-{world.b.pickup_point.id}"
    desktop.page.locator(f"#{b_row} input[type=checkbox][name=target]").check()
    desktop.page.locator("#bulk-form button:has-text('标记已到货')").click()
    desktop.page.wait_for_function(
        f"() => document.querySelector('#{b_row} td:nth-child(7)')?.textContent.trim() === '1'")
    assert desktop.page.locator(f"#{b_row} button:has-text('标记已到货')").is_disabled()
    assert "已到货 1 单" in desktop.page.locator("#flashes").inner_text()
    desktop.goto(f"/hq/fulfilment/purchase?day={DAY}")
    shoot(desktop, "hq-purchase")
    desktop.assert_clean("hq")
