"""The owner's five tabs over HTTP: store A's data, never store B's, fragment vs page."""

from __future__ import annotations

import pytest

TABS = ["/store/today", "/store/live", "/store/pickup", "/store/earnings", "/store/community"]


@pytest.mark.parametrize("url", TABS)
def test_tab_renders_full_page_for_owner(owner_client, world, url):
    response = owner_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert world.a.store.name in html
    assert 'aria-current="page"' in html
    assert "HX-Request" in response.headers.get("Vary", "")


@pytest.mark.parametrize("url", TABS)
def test_tab_never_shows_store_b(owner_client, world, url):
    html = owner_client.get(url).get_data(as_text=True)
    b = world.b
    for text in [b.store.name, b.community.name, b.campaign.title, b.pickup_point.name,
                 *(m.name for m in b.members), *(m.phone for m in b.members), *(o.code for o in b.orders)]:
        assert text not in html, f"store B's {text!r} leaked into {url}"


@pytest.mark.parametrize("url", TABS)
def test_htmx_request_gets_fragment(owner_client, world, url):
    response = owner_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'class="tabbar"' not in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("url", TABS)
def test_boosted_and_history_restore_get_full_page(owner_client, url):
    boosted = owner_client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    restore = owner_client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    for response in (boosted, restore):
        assert response.status_code == 200
        assert "<html" in response.get_data(as_text=True)
        assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("url", TABS)
def test_tabs_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("url", TABS)
def test_staff_cannot_open_owner_tabs(hq_client, url):
    assert hq_client.get(url).status_code == 403


def test_today_shows_store_a_figures(owner_client, world):
    html = owner_client.get("/store/today").get_data(as_text=True)
    a = world.a
    assert a.campaign.title in html  # open campaign with its progress
    assert "0</b>/10" in html  # the campaign's product has no paid orders yet: 0 of 10
    assert world.products[0].name in html  # the batch expiring tomorrow
    assert "plotly-graph-div" in html  # orders in the last 7 days give a chart
    assert "plotly-bar-scatter-4.1.1.min." in html and "<script src=\"/static/vendor/plotly" not in html
    assert "cdn" not in html.lower()


def test_pickup_masks_phones_and_lists_arrived_order(owner_client, world):
    html = owner_client.get("/store/pickup").get_data(as_text=True)
    a = world.a
    arrived = a.orders[1]
    member = a.members[1]
    assert arrived.code in html
    assert member.name in html
    assert member.phone not in html
    assert member.phone[:3] + "****" in html
    # Picked-up and paid orders are not waiting at the counter.
    assert a.orders[0].code not in html
    assert a.orders[2].code not in html


def test_community_shows_reviews_and_tags(owner_client, world):
    html = owner_client.get("/store/community").get_data(as_text=True)
    assert world.a.community.name in html
    assert "很新鲜" in html
    assert "有孩家庭" in html
    for m in world.a.members:
        assert m.phone not in html


def test_earnings_shows_the_plan_and_its_tiers(owner_client, world):
    html = owner_client.get("/store/earnings").get_data(as_text=True)
    assert "标准佣金方案" in html
    assert "8%" in html and "10%" in html
    assert "¥20,000.00" in html  # the second tier's threshold


def test_fragment_carries_flashes_out_of_band(owner_client):
    with owner_client.session_transaction() as session:
        session["_flashes"] = [("info", "库存已更新")]
    html = owner_client.get("/store/pickup", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="flashes"' in html and 'hx-swap-oob="true"' in html
    assert "库存已更新" in html
    # Shown once: the next fragment carries no flash box at all.
    again = owner_client.get("/store/pickup", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="flashes"' not in again


def test_full_page_renders_flashes_in_layout(owner_client):
    with owner_client.session_transaction() as session:
        session["_flashes"] = [("error", "网络异常")]
    html = owner_client.get("/store/today").get_data(as_text=True)
    assert "网络异常" in html
    assert "hx-swap-oob" not in html


def test_owner_without_data_gets_empty_states(app, db, client):
    """A store opened today: every tab renders with its empty states, no errors."""
    from datetime import date

    from tests.conftest import login
    from tests.factories import gen_user
    from workbench.models import Brand, Region, Role, Store

    brand = Brand(name="空白品牌")
    db.session.add(brand)
    db.session.flush()
    region = Region(brand_id=brand.id, name="新区")
    db.session.add(region)
    db.session.flush()
    owner = gen_user(db.session, Role.OWNER, username="newowner")
    db.session.add(Store(region_id=region.id, code="N01", name="新开店", city="苏州", owner_id=owner.id,
                         opened_on=date.today()))
    db.session.commit()
    login(client, owner)
    for url in TABS:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "新开店" in html
        assert 'class="empty"' in html, url
