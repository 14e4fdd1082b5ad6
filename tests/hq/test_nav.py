"""HQ's one navigation (workbench/hq/nav.py): every HQ and regional page, whatever package
serves it, shows the same sidebar with its own item current."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from workbench.hq import nav

SIDEBAR = re.compile(r'<nav class="hq-nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>')


def sidebar(html: str) -> tuple[list[str], list[str]]:
    """The sidebar's links and the current one(s)."""
    links = LINK.findall(SIDEBAR.search(html).group(1))
    return [href for href, _ in links], [href for href, current in links if current]


def test_every_hq_endpoint_sits_under_one_item(app):
    """A new HQ page must belong to a section of the sidebar (or get one in nav.py)."""
    hq_endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/hq")}
    assert hq_endpoints
    assert [e for e in sorted(hq_endpoints) if nav.current_item(e) is None] == []
    assert nav.current_item("hq_commission.store").endpoint == "hq_commission.index"
    assert nav.current_item("hq_commission.preview_result").endpoint == "hq_commission.plans"
    assert nav.current_item("jobs.status") is None


@pytest.mark.parametrize("who", ["hq", "regional"])
def test_every_hq_page_has_the_one_sidebar_with_its_item_current(app, world, hq_client, regional_client, who):
    client = hq_client if who == "hq" else regional_client
    store = world.a.store
    pages = {
        "/hq/stores": "hq.stores",
        "/hq/suggestions": "hq.suggestions",
        "/hq/fulfilment/": "hq_fulfilment.index",
        "/hq/fulfilment/purchase": "hq_fulfilment.index",
        "/hq/aftersales/": "hq_aftersales.index",
        "/hq/commission/": "hq_commission.index",
        f"/hq/commission/stores/{store.id}": "hq_commission.index",
        "/hq/commission/plans": "hq_commission.plans",
        f"/hq/commission/plans/{store.commission_plan_id}": "hq_commission.plans",
    }
    with app.test_request_context():
        expected = [url_for(item.endpoint) for item in nav.NAV]
        current_of = {path: url_for(endpoint) for path, endpoint in pages.items()}
    for path, current in current_of.items():
        response = client.get(path)
        assert response.status_code == 200, path
        links, currents = sidebar(response.get_data(as_text=True))
        assert links == expected, path
        assert currents == [current], path
