"""HQ's one-store statement pages its lines (2,500 lines were 1.1 MB of HTML); ?page=all has them all."""

from __future__ import annotations

import re

from tests.commission import hq_fixtures
from tests.commission.hq_fixtures import OCT
from workbench.commission import hq_views

settled = hq_fixtures.settled


def rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr>", body))


def test_store_statement_is_paged(settled, hq_client, world, monkeypatch):
    url = f"/hq/commission/stores/{world.b.store.id}?period={OCT}"
    total = rows(hq_client.get(url + "&page=all").get_data(as_text=True))
    assert total >= 2
    monkeypatch.setattr(hq_views, "LINES_PER_PAGE", 1)
    first = hq_client.get(url).get_data(as_text=True)
    assert rows(first) == 1
    assert f"第 1–1 条，共 {total} 条" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = hq_client.get(url + f"&page={total}").get_data(as_text=True)
    assert rows(last) == 1 and 'rel="next"' not in last
    assert rows(hq_client.get(url + "&page=all").get_data(as_text=True)) == total
    # A page past the end or garbage is the nearest page, never an error.
    assert hq_client.get(url + "&page=999").status_code == 200
    assert hq_client.get(url + "&page=x").status_code == 200
