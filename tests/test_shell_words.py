"""One word per place and state: the shells say where the user is (issue 15)."""

from __future__ import annotations

import re


def brand(html: str) -> str:
    return re.search(r'class="hq-brand">.*?<small>(.*?)</small>', html, re.S).group(1)


def test_regional_manager_sidebar_names_the_region_not_hq(regional_client, hq_client, world):
    assert brand(regional_client.get("/hq/stores").get_data(as_text=True)) == world.regional.region.name
    assert brand(hq_client.get("/hq/stores").get_data(as_text=True)) == "总部"


def test_poster_pages_sit_under_the_pickup_tab(owner_client, world):
    for url in ("/store/campaigns/", f"/store/campaigns/{world.a.campaign.id}/poster"):
        html = owner_client.get(url).get_data(as_text=True)
        current = re.search(r'<a href="([^"]+)" aria-current="page"', html)
        assert current and current.group(1) == "/store/pickup", url


def test_closed_statement_is_guanzhang_for_owner_and_hq(app):
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("zh_CN"):
        assert "已关账" in gettext("Closed, to be confirmed") and gettext("Statement closed") == "已关账"


def test_login_is_where_people_guess_it(client):
    response = client.get("/login?next=/store/earnings")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/auth/login?next=/store/earnings")
