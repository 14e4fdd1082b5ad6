"""The owner's suggestion cards over HTTP: 今日, accept/dismiss (htmx and plain), detail, scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.owner.suggestion_cards import card, todays_cards
from workbench.formatting import local_today
from workbench.suggestions.models import Suggestion

HX = {"HX-Request": "true"}


@pytest.fixture
def cards(db, world):
    return todays_cards(db.session, world)


def _status(db, s) -> tuple[str, str | None]:
    db.session.expire_all()
    row = db.session.get(Suggestion, s.id)
    return row.status, row.dismiss_reason


def test_today_lists_the_cards_push_first(owner_client, cards):
    html = owner_client.get("/store/today").get_data(as_text=True)
    assert "今日建议" in html
    positions = [html.index(f'id="card-{c.id}"') for c in cards]
    assert positions == sorted(positions)  # push, clear, restock, bundle
    for label in ("推品", "清货", "补货", "组合"):
        assert label in html
    assert "低糖" in html and "2.4" in html  # a reason, rendered from its code and params
    assert "¥1,037.52" in html  # expected sales of the push card: 22 × ¥47.16
    assert "30%" in html  # the clear card's discount
    assert "历史数据少" in html  # the restock card is a cold start
    assert "不适合本店" in html and "拿不到货" in html  # the dismiss reasons


def test_today_without_cards_says_when_they_come(owner_client, world):
    html = owner_client.get("/store/today").get_data(as_text=True)
    assert "05:00" in html and "总部" in html


def test_accept_with_htmx_swaps_the_card(owner_client, db, cards):
    push = cards[0]
    response = owner_client.post(f"/store/suggestions/{push.id}/accept", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<article class="sugg sugg--push sugg--accepted" id="card-{push.id}"')
    assert "已采纳" in html
    assert f'href="/store/suggestions/{push.id}"' in html  # an accepted push card links to its detail
    assert 'hx-swap-oob="true"' in html  # the flash rides along
    assert _status(db, push) == ("accepted", None)


def test_accept_without_htmx_goes_back_to_today(owner_client, db, cards):
    response = owner_client.post(f"/store/suggestions/{cards[1].id}/accept")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/store/today#card-{cards[1].id}")
    assert _status(db, cards[1])[0] == "accepted"
    assert "已采纳" in owner_client.get("/store/today").get_data(as_text=True)


@pytest.mark.parametrize("htmx", [True, False])
def test_dismiss_with_a_reason(owner_client, db, cards, htmx):
    response = owner_client.post(f"/store/suggestions/{cards[2].id}/dismiss", data={"reason": "no_stock"},
                                 headers=HX if htmx else {})
    assert response.status_code == (200 if htmx else 303)
    if htmx:
        html = response.get_data(as_text=True)
        assert "sugg--dismissed" in html and "拿不到货" in html
    assert _status(db, cards[2]) == ("dismissed", "no_stock")


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize("reason", [None, "", "bored"])
def test_dismiss_without_a_valid_reason_is_400(owner_client, db, cards, htmx, reason):
    data = {} if reason is None else {"reason": reason}
    response = owner_client.post(f"/store/suggestions/{cards[0].id}/dismiss", data=data, headers=HX if htmx else {})
    assert response.status_code == 400
    assert "请选择不采纳的原因" in response.get_data(as_text=True)
    assert _status(db, cards[0]) == ("new", None)


@pytest.mark.parametrize("htmx", [True, False])
def test_deciding_twice_is_409(owner_client, db, cards, htmx):
    push = cards[0]
    assert owner_client.post(f"/store/suggestions/{push.id}/accept", headers=HX).status_code == 200
    response = owner_client.post(f"/store/suggestions/{push.id}/dismiss", data={"reason": "other"},
                                 headers=HX if htmx else {})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "已被采纳" in html and "未做任何更改" in html
    if htmx:
        assert "sugg--accepted" in html  # the card comes back as it really is
    assert _status(db, push) == ("accepted", None)


def test_owner_cannot_see_or_decide_another_stores_card(owner_client, db, world):
    other = card(db.session, world.b.store, world.products[0])
    db.session.commit()
    assert owner_client.get(f"/store/suggestions/{other.id}").status_code == 404
    assert owner_client.post(f"/store/suggestions/{other.id}/accept", headers=HX).status_code == 404
    assert owner_client.post(f"/store/suggestions/{other.id}/accept").status_code == 404
    assert owner_client.post(f"/store/suggestions/{other.id}/dismiss", data={"reason": "other"}).status_code == 404
    assert _status(db, other) == ("new", None)
    assert f'id="card-{other.id}"' not in owner_client.get("/store/today").get_data(as_text=True)


def test_detail_views(owner_client, cards):
    push, clear, restock, bundle = cards
    html = owner_client.get(f"/store/suggestions/{push.id}").get_data(as_text=True)
    assert "平时一天卖" in html and "14–31" in html  # the usual day and the likely range, in words
    assert "plotly" in html.lower() and "有孩家庭" in html
    assert "48" in html
    for c in (clear, restock):
        response = owner_client.get(f"/store/suggestions/{c.id}")
        assert response.status_code == 200
        assert "plotly-graph-div" in response.get_data(as_text=True), c.kind
    assert owner_client.get(f"/store/suggestions/{bundle.id}").status_code == 200
    fragment = owner_client.get(f"/store/suggestions/{push.id}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "平时一天卖" in fragment


def test_detail_survives_a_card_without_numbers(owner_client, db, world):
    bare = card(db.session, world.a.store, None, kind="bundle")
    bare.metrics, bare.reasons = {}, [{"code": "no_such_code", "params": {}}]
    db.session.commit()
    assert owner_client.get(f"/store/suggestions/{bare.id}").status_code == 200
    assert owner_client.get("/store/today").status_code == 200


def test_yesterdays_cards_are_scored(owner_client, db, world):
    yesterday = local_today() - timedelta(days=1)
    card(db.session, world.a.store, world.products[0], for_date=yesterday, forecast_p10=6, forecast_expected=10,
         forecast_p90=14, actual_units=8)
    card(db.session, world.a.store, world.products[1], for_date=yesterday, forecast_p10=2, forecast_expected=4,
         forecast_p90=5, actual_units=12)
    db.session.commit()
    html = owner_client.get("/store/today").get_data(as_text=True)
    assert "建议准确率" in html
    # 1 − (2 + 8) / 20 = 50 %
    assert '<div class="accuracy__value num">50%</div>' in html
    assert "低于预测区间" not in html and "高于预测区间" in html


def test_lower_ranked_cards_fold_under_the_first_of_their_kind(owner_client, db, world, cards):
    second = card(db.session, world.a.store, world.products[2], kind="push")
    db.session.commit()
    html = owner_client.get("/store/today").get_data(as_text=True)
    fold = html.index('<details class="more more--cards">')
    assert html.index(f'id="card-{cards[0].id}"') < fold < html.index(f'id="card-{second.id}"')
    assert "还有 1 条推品建议" in html


def test_plain_post_from_the_detail_view_returns_there(owner_client, cards):
    response = owner_client.post(f"/store/suggestions/{cards[3].id}/accept", data={"detail": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/store/suggestions/{cards[3].id}")
    detail = owner_client.post(f"/store/suggestions/{cards[2].id}/dismiss", data={"detail": "1", "reason": "other"},
                               headers=HX).get_data(as_text=True)
    assert "sugg--dismissed" in detail and "sugg-count" not in detail  # no 今日 counter to refresh there
