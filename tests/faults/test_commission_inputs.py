"""Numbers on HQ's commission pages that ``str.isdigit`` takes but ``int`` refuses.

"²" (and other superscripts) are digits to ``isdigit`` yet not to ``int``: the hand
parsing let them through to ``int()`` and answered 500. Each is now what any other bad
value is: ignored (a filter, a page number), a 400 (the selection) or a 404 (a dispute).
"""

from __future__ import annotations

import pytest

from tests.commission.conftest import ledger  # noqa: F401 (the fixture ``settled`` builds on)
from tests.commission.hq_fixtures import OCT, settled  # noqa: F401

pytestmark = pytest.mark.faults

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("value", ["²", "1²", "٣"])
def test_a_region_filter_that_is_not_a_number_is_ignored(settled, hq_client, value):  # noqa: F811
    assert hq_client.get("/hq/commission/", query_string={"period": OCT, "region": value}).status_code == 200


def test_a_line_page_that_is_not_a_number_shows_the_first(settled, hq_client):  # noqa: F811
    store_id = settled.ledger.store.id
    r = hq_client.get(f"/hq/commission/stores/{store_id}", query_string={"period": OCT, "page": "²"})
    assert r.status_code == 200


def test_a_selection_that_is_not_a_number_is_a_400(settled, hq_client):  # noqa: F811
    r = hq_client.post("/hq/commission/confirm", data={"period": OCT, "statement_id": "²"})
    assert r.status_code == 400
    assert "所选" in r.get_data(as_text=True) or "选择" in r.get_data(as_text=True)


def test_a_dispute_id_that_is_not_a_number_is_a_404(settled, hq_client):  # noqa: F811
    r = hq_client.post("/hq/commission/disputes/resolve", headers=HX, data={"dispute_id": "²", "decision": "reject"})
    assert r.status_code == 404
