"""A busy store's commission month in a real browser: 200 lines a page, the pager, both sizes.

HQ on a desktop and the store's regional manager on a phone (issue 21: the page rendered
every line of the month). Screenshots land in artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.browser.test_shells import log_in
from tests.commission import conftest as commission_fixtures
from tests.commission.hq_fixtures import OCT
from tests.commission.test_export_http import busy_october

ledger = commission_fixtures.ledger

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_lines_of_a_busy_month_page_by_page(request, size, db, world, ledger):
    tab = request.getfixturevalue(size)
    total = busy_october(ledger, 480)
    log_in(tab, world.hq if size == "desktop" else world.regional)
    tab.goto(f"/hq/commission/stores/{world.a.store.id}?period={OCT}")
    page = tab.page
    assert page.locator("table.data-table tbody tr").count() == 200
    pager = page.locator("nav.pager").first  # the same pager above and below the lines
    assert pager.inner_text().startswith(f"第 1–200 条，共 {total} 条")
    tab.screenshot(f"hq-store-lines-{size}")
    with page.expect_navigation(wait_until="networkidle"):
        pager.get_by_text("下一页").click()
    assert page.url.endswith("page=2") and page.locator("table.data-table tbody tr").count() == 200
    with page.expect_navigation(wait_until="networkidle"):
        page.locator("nav.pager").first.get_by_text("下一页").click()
    assert page.locator("table.data-table tbody tr").count() == total - 400
    assert "下一页" not in page.locator("nav.pager").first.inner_text()
    # The pager fits the screen: nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    tab.screenshot(f"hq-store-lines-{size}-last")
    tab.assert_clean("store month pages")
