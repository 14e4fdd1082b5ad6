"""The campaign page over HTTP: states, the code, the order, the session, rate limits, the poster."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import func, select

from tests.shop.conftest import order_form, sent_code
from tests.test_auth import chinese
from workbench.models import CampaignStatus, Member, Order, OutboxMessage
from workbench.outbox.channels import ChannelError, register_channel
from workbench.shop.models import OtpChallenge
from workbench.shop.services import campaign_token
from workbench.types import utcnow

PHONE = "13700002222"
HX = {"HX-Request": "true"}


def counts(db) -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count(Order.id))), db.session.scalar(select(func.count(Member.id))),
            db.session.scalar(select(func.count(OtpChallenge.id))))


def get_code(client, url, phone=PHONE, **headers):
    return client.post(f"{url}/code", data={"phone": phone}, headers=headers)


# --------------------------------------------------------------------------- the page


def test_page_shows_the_campaign_to_anyone(app, client, world, url):
    body = client.get(url).get_data(as_text=True)
    cp = world.a.campaign.products[0]
    assert world.a.store.name in body and world.a.campaign.title in body
    assert world.products[0].name in body
    assert "¥38.90" in body and "<s" in body and "¥39.90" in body  # group price and struck-through list price
    assert chinese(app, "Taking orders") in body
    assert f'name="qty-{cp.id}"' in body
    assert world.a.pickup_point.name in body
    assert "已团 0 / 10" in body
    assert 'class="tabbar"' not in body  # no owner navigation on the public page


@pytest.mark.parametrize("token", ["nope", "MQ.not-a-real-signature", ""])
def test_bad_tokens_are_a_chinese_404(app, client, token):
    response = client.get(f"/c/{token}" if token else "/c/x")
    assert response.status_code == 404
    assert chinese(app, "This group-buy link is not valid") in response.get_data(as_text=True)


def test_token_of_a_missing_campaign_is_404(client):
    assert client.get(f"/c/{campaign_token(987654)}").status_code == 404
    assert client.post(f"/c/{campaign_token(987654)}/code", data={"phone": PHONE}).status_code == 404


def test_a_campaign_id_in_the_url_is_not_a_link(client, world):
    assert client.get(f"/c/{world.a.campaign.id}").status_code == 404


@pytest.mark.parametrize(("status", "hours", "message"), [
    (CampaignStatus.ACTIVE, (1, 5), "This group buy opens at %(time)s. Come back then to order."),
    (CampaignStatus.DRAFT, (-1, 5), "This group buy opens at %(time)s. Come back then to order."),
    (CampaignStatus.ACTIVE, (-5, -1), "This group buy has ended and takes no more orders. Watch the group for the next one."),
    (CampaignStatus.CANCELLED, (-1, 5), "This group buy was cancelled. Nothing is charged for it."),
])
def test_closed_states_show_why_and_take_no_order(app, client, db, world, url, status, hours, message):
    campaign = world.a.campaign
    now = utcnow()
    campaign.status = status
    campaign.starts_at, campaign.ends_at = now + timedelta(hours=hours[0]), now + timedelta(hours=hours[1])
    db.session.commit()
    body = client.get(url).get_data(as_text=True)
    assert chinese(app, message).split("%")[0] in body
    assert 'name="phone"' not in body
    before = counts(db)
    assert get_code(client, url).status_code == 409
    assert client.post(f"{url}/order", data=order_form(world, PHONE, "123456", name="张三")).status_code == 409
    assert counts(db) == before


# --------------------------------------------------------------------------- step 1: the code


def test_code_request_htmx_answers_the_status_line_and_sends_inline(app, client, db, world, url, log_channel):
    response = get_code(client, url, "+86 137-0000-2222", **HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "137****2222" in body and "<html" not in body
    code = sent_code(log_channel, PHONE)
    challenge = db.session.scalar(select(OtpChallenge))
    assert (challenge.phone, challenge.store_id) == (PHONE, world.a.store.id)
    assert code not in challenge.code_hash
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "otp"))
    assert (row.status, row.channel, row.dedupe_key) == ("sent", "log", f"otp:{challenge.id}")
    assert code not in row.body  # the plain code lives only in the message that went out
    assert row.sent_at is not None


def test_code_request_without_htmx_renders_the_page_keeping_quantities(client, world, url, log_channel):
    cp = world.a.campaign.products[0]
    response = client.post(f"{url}/code", data={"phone": PHONE, f"qty-{cp.id}": "3"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" in body and "137****2222" in body and 'value="3"' in body


@pytest.mark.parametrize("phone", ["", "12345", "1370000222", "23700002222", "abc"])
def test_bad_phone_is_400_and_sends_nothing(app, client, db, url, phone, log_channel):
    response = get_code(client, url, phone, **HX)
    assert response.status_code == 400
    assert chinese(app, "Enter an 11-digit mainland mobile number, e.g. 138 1234 5678.") in response.get_data(as_text=True)
    assert counts(db)[2] == 0 and not log_channel.sent


def test_second_code_within_a_minute_is_refused(app, client, db, url):
    assert get_code(client, url, **HX).status_code == 200
    again = get_code(client, url, **HX)
    assert again.status_code == 429
    assert "请 60 秒后再试" in again.get_data(as_text=True)
    assert counts(db)[2] == 1


def test_a_failing_channel_is_503_and_the_row_says_failed(app, client, db, url):
    class Broken:
        name = "broken"

        def send(self, message):
            raise ChannelError("gateway timeout")

    register_channel("broken", Broken)
    app.config["OUTBOX_CHANNEL"] = "broken"
    response = get_code(client, url, **HX)
    assert response.status_code == 503
    assert chinese(app, "The code could not be sent just now. Please try again in a minute.") in response.get_data(as_text=True)
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "otp"))
    assert (row.status, row.error) == ("failed", "gateway timeout")


# --------------------------------------------------------------------------- step 2: the order


def test_whole_flow_new_member_then_a_second_order_without_a_code(app, client, db, world, url, log_channel):
    get_code(client, url, **HX)
    code = sent_code(log_channel, PHONE)
    response = client.post(f"{url}/order", data=order_form(world, PHONE, code, qty=2, name="李叔",
                                                            building=str(world.a.building.id), room="1单元101"))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(f"{url}/done")
    member = db.session.scalar(select(Member).where(Member.phone == PHONE))
    assert member.name == "李叔" and member.store_id == world.a.store.id
    order = db.session.scalar(select(Order).where(Order.member_id == member.id))
    assert (order.source, order.status) == ("qr", "placed")

    done = client.get(f"{url}/done")
    body = done.get_data(as_text=True)
    assert done.status_code == 200
    assert order.code in body and member.pickup_code in body and "<svg" in body
    assert "¥77.80" in body  # 2 × ¥38.90
    assert world.a.pickup_point.name in body

    # Within 30 minutes the same phone orders again without a code.
    page = client.get(url).get_data(as_text=True)
    assert chinese(app, "This phone was verified in the last 30 minutes: no code needed.") in page
    again = client.post(f"{url}/order", data=order_form(world, PHONE, "", qty=1))
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(Order.id)).where(Order.member_id == member.id)) == 2
    assert db.session.scalar(select(func.count(Member.id)).where(Member.phone == PHONE)) == 1
    # …but another phone still needs one.
    other = client.post(f"{url}/order", data=order_form(world, "13700003333", "", name="赵"))
    assert other.status_code == 400


def test_the_remembered_phone_expires_after_30_minutes(client, db, world, url, log_channel, monkeypatch):
    get_code(client, url, **HX)
    client.post(f"{url}/order", data=order_form(world, PHONE, sent_code(log_channel, PHONE), name="李叔"))
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr("workbench.shop.views.utcnow", lambda: later)
    assert client.post(f"{url}/order", data=order_form(world, PHONE, "")).status_code == 400


def test_known_member_needs_no_name(client, db, world, url, log_channel):
    phone = world.a.members[0].phone
    get_code(client, url, phone, **HX)
    response = client.post(f"{url}/order", data=order_form(world, phone, sent_code(log_channel, phone)))
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Member.id)).where(Member.phone == phone)) == 1


def test_new_member_without_name_keeps_the_code_usable(app, client, db, world, url, log_channel):
    get_code(client, url, **HX)
    code = sent_code(log_channel, PHONE)
    response = client.post(f"{url}/order", data=order_form(world, PHONE, code))
    assert response.status_code == 400
    assert chinese(app, "New here? Please enter your name.") in response.get_data(as_text=True)
    assert db.session.scalar(select(OtpChallenge.consumed_at)) is None
    assert client.post(f"{url}/order", data=order_form(world, PHONE, code, name="周")).status_code == 303


def test_wrong_code_counts_and_writes_no_order(app, client, db, world, url, log_channel):
    get_code(client, url, **HX)
    code = sent_code(log_channel, PHONE)
    wrong = "000000" if code != "000000" else "111111"
    before = counts(db)
    response = client.post(f"{url}/order", data=order_form(world, PHONE, wrong, name="周"))
    assert response.status_code == 400
    assert "还可以再试 4 次" in response.get_data(as_text=True)
    assert db.session.scalar(select(OtpChallenge.attempts)) == 1
    assert counts(db) == before
    # A used code is refused the second time.
    assert client.post(f"{url}/order", data=order_form(world, PHONE, code, name="周")).status_code == 303
    reuse = app.test_client().post(f"{url}/order", data=order_form(world, PHONE, code, name="周"))
    assert reuse.status_code == 409
    assert chinese(app, "This code has already been used. Please get a new one.") in reuse.get_data(as_text=True)


def test_expired_code(app, client, db, world, url, log_channel):
    get_code(client, url, **HX)
    code = sent_code(log_channel, PHONE)
    challenge = db.session.scalar(select(OtpChallenge))
    challenge.created_at -= timedelta(minutes=11)
    challenge.expires_at -= timedelta(minutes=11)
    db.session.commit()
    response = client.post(f"{url}/order", data=order_form(world, PHONE, code, name="周"))
    assert response.status_code == 400
    assert "已过期" in response.get_data(as_text=True)


@pytest.mark.parametrize(("fields", "message"), [
    ({"code": ""}, "Enter the 6-digit code sent to your phone."),
    ({"code": "12ab56"}, "The code has 6 digits."),
    ({"phone": "1234"}, "Enter an 11-digit mainland mobile number, e.g. 138 1234 5678."),
    ({"qty": "0"}, "Choose at least one product (quantity 1 or more)."),
    ({"qty": "100"}, "Enter a whole number from 0 to %(max)s."),
    ({"qty": "-3"}, "Enter a whole number from 0 to %(max)s."),
    ({"qty": "lots"}, "Enter a whole number from 0 to %(max)s."),
])
def test_bad_order_forms_are_400_in_chinese_and_change_nothing(app, client, db, world, url, log_channel,
                                                               fields, message):
    get_code(client, url, **HX)
    data = order_form(world, PHONE, sent_code(log_channel, PHONE), name="周")
    cp = world.a.campaign.products[0]
    if "qty" in fields:
        data[f"qty-{cp.id}"] = fields.pop("qty")
    data.update(fields)
    before = counts(db)
    response = client.post(f"{url}/order", data=data)
    assert response.status_code == 400
    assert chinese(app, message).split("%")[0] in response.get_data(as_text=True)
    assert counts(db) == before
    assert db.session.scalar(select(OtpChallenge.consumed_at)) is None


def test_done_without_an_order_goes_back_to_the_page(client, url):
    response = client.get(f"{url}/done")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)


def test_done_page_is_per_browser(app, client, world, url, log_channel):
    get_code(client, url, **HX)
    client.post(f"{url}/order", data=order_form(world, PHONE, sent_code(log_channel, PHONE), name="周"))
    assert client.get(f"{url}/done").status_code == 200
    assert app.test_client().get(f"{url}/done").status_code == 302


def test_posts_need_a_csrf_token(app, client, db, world, url):
    app.config["WTF_CSRF_ENABLED"] = True
    before = counts(db)
    assert get_code(client, url).status_code == 400
    assert client.post(f"{url}/order", data=order_form(world, PHONE, "123456", name="周")).status_code == 400
    assert counts(db) == before


# --------------------------------------------------------------------------- rate limits


def test_code_requests_are_limited_per_address(app, client, db, url):
    app.config["OTP_RATE_LIMIT"] = "3 per 10 minutes"
    for i in range(3):
        assert get_code(client, url, f"1370000{i:04d}", **HX).status_code == 200
    blocked = get_code(client, url, "13700009999", **HX)
    assert blocked.status_code == 429
    assert chinese(app, "Too many code requests. Please wait a while and try again.") in blocked.get_data(as_text=True)
    page = get_code(client, url, "13700009998")  # without htmx: the Chinese error page
    assert page.status_code == 429 and chinese(app, "Too many attempts") in page.get_data(as_text=True)
    assert counts(db)[2] == 3
    assert any(b"LIMITER" in key for key in Redis.from_url(app.config["RATELIMIT_STORAGE_URI"]).keys("*"))


def test_code_requests_are_limited_per_phone_across_addresses(app, db, url, monkeypatch):
    app.config["OTP_RATE_LIMIT"] = "2 per 10 minutes"
    monkeypatch.setattr("workbench.shop.otp.RESEND_AFTER", timedelta(0))  # only the limiter in play
    statuses = []
    for i in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
        statuses.append(get_code(client, url, "137 0000 2222", **HX).status_code)
    assert statuses == [200, 200, 429]


def test_order_attempts_are_limited_per_address(app, client, world, url):
    app.config["OTP_VERIFY_RATE_LIMIT"] = "2 per 10 minutes"
    data = order_form(world, PHONE, "123456", name="周")
    assert [client.post(f"{url}/order", data=data).status_code for _ in range(3)] == [400, 400, 429]


# --------------------------------------------------------------------------- the owner's poster


def test_poster_page_shows_qr_link_and_poster(app, owner_client, world, token):
    response = owner_client.get(f"/store/campaigns/{world.a.campaign.id}/poster")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/c/{token}" in body and "<svg" in body and world.a.campaign.title in body
    assert chinese(app, "Copy link") in body and chinese(app, "Print poster") in body
    assert "¥38.90" in body and world.a.pickup_point.name in body
    fragment = owner_client.get(f"/store/campaigns/{world.a.campaign.id}/poster", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)


def test_poster_of_another_store_is_404(owner_client, world):
    assert owner_client.get(f"/store/campaigns/{world.b.campaign.id}/poster").status_code == 404
    assert owner_client.get("/store/campaigns/999999/poster").status_code == 404


def test_poster_needs_an_owner(client, hq_client, world):
    assert client.get(f"/store/campaigns/{world.a.campaign.id}/poster").status_code == 302
    assert hq_client.get(f"/store/campaigns/{world.a.campaign.id}/poster").status_code == 403


def test_campaign_list_shows_only_own_campaigns(app, owner_client, db, world):
    body = owner_client.get("/store/campaigns/").get_data(as_text=True)
    assert world.a.campaign.title in body and world.b.campaign.title not in body
    assert f"/store/campaigns/{world.a.campaign.id}/poster" in body


def test_campaign_list_empty_state(app, owner_client, db, world):
    from workbench.models import CampaignProduct, LiveSession, OrderItem

    ids = [world.a.campaign.id]
    db.session.query(LiveSession).filter(LiveSession.campaign_id.in_(ids)).update({"campaign_id": None})
    db.session.query(Order).filter(Order.campaign_id.in_(ids)).update({"campaign_id": None})
    db.session.query(OrderItem).filter(OrderItem.campaign_product_id.isnot(None)).update({"campaign_product_id": None})
    db.session.query(CampaignProduct).filter(CampaignProduct.campaign_id.in_(ids)).delete()
    db.session.delete(world.a.campaign)
    db.session.commit()
    body = owner_client.get("/store/campaigns/").get_data(as_text=True)
    assert chinese(app, "No group buys yet") in body
