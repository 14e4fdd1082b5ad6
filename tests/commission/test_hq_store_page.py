"""HQ's page of one store's month: every figure from all the lines, the lines 200 a page.

Issue 21: a busy store's month is thousands of lines; rendering them all was most of the
page's time. The totals and the line count still cover the whole month.
"""

from __future__ import annotations

import re

from tests.commission.hq_fixtures import OCT
from tests.commission.test_export_http import busy_october
from workbench.commission.hq_views import LINES_PER_PAGE
from workbench.commission.report import statement_report
from workbench.types import utcnow


def rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def test_a_busy_month_shows_its_lines_page_by_page_with_the_whole_month_s_figures(app, db, ledger, hq_client):
    total = busy_october(ledger, 480)
    store = ledger.world.a.store
    report = statement_report(db.session, store.id, OCT, utcnow())
    url = f"/hq/commission/stores/{store.id}?period={OCT}"

    first = hq_client.get(url).get_data(as_text=True)
    assert rows(first) == LINES_PER_PAGE
    assert f"{total} 条" in first.split("stat__note", 2)[2][:80]  # the count of every line
    assert f"第 1–200 条，共 {total} 条" in first and "下一页" in first and "上一页" not in first
    money = f"¥{report.commission_fen // 100:,}.{report.commission_fen % 100:02d}"
    assert money in first  # the month's commission, from every line

    last = hq_client.get(url + "&page=3").get_data(as_text=True)
    assert rows(last) == total - 2 * LINES_PER_PAGE
    assert f"第 401–{total} 条，共 {total} 条" in last and "上一页" in last and "下一页" not in last
    # The lines shown carry their order code: names are filled for the page's lines.
    codes = re.findall(r"<td>(HT\d{7})</td>", last)
    assert len(codes) == total - 2 * LINES_PER_PAGE

    for bad in ("0", "-1", "abc", "99", "1" * 12):
        r = hq_client.get(url + f"&page={bad}")
        assert r.status_code == 200 and rows(r.get_data(as_text=True)) in (LINES_PER_PAGE, total - 400)


def test_a_small_month_has_no_pager(app, db, ledger, hq_client):
    busy_october(ledger, 48)
    page = hq_client.get(f"/hq/commission/stores/{ledger.world.a.store.id}?period={OCT}").get_data(as_text=True)
    assert rows(page) == 48 and "下一页" not in page
