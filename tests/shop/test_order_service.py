"""Placing an order from the campaign page, as a service (no HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from workbench.models import CampaignStatus, Member, Order, OrderEvent, OrderItem
from workbench.shop import services
from workbench.shop.services import CampaignState, NewMember, OrderRefused
from workbench.types import utcnow

NEW_PHONE = "13700001111"

pytestmark = pytest.mark.usefixtures("req")


def _campaign(db, world):
    return services.load_campaign(db.session, world.a.campaign.id)


def _cp(world):
    return world.a.campaign.products[0]


def test_new_member_is_created_with_a_pickup_code_and_the_order_uses_campaign_prices(db, world):
    campaign, cp, now = _campaign(db, world), _cp(world), utcnow()
    placed = services.place_order(db.session, campaign, NEW_PHONE, {cp.id: 3},
                                  NewMember("王阿姨", world.a.building.id, "2单元301"), now)
    db.session.commit()
    assert placed.new_member
    member = db.session.get(Member, placed.member_id)
    assert (member.store_id, member.phone, member.name, member.building_id, member.room) == (
        world.a.store.id, NEW_PHONE, "王阿姨", world.a.building.id, "2单元301")
    assert member.pickup_code and len(member.pickup_code) == 6
    order = db.session.get(Order, placed.order_id)
    assert (order.status, order.source, order.source_key, order.campaign_id) == ("placed", "qr", None, campaign.id)
    assert order.pickup_point_id == world.a.pickup_point.id
    assert order.code == placed.code and order.code.startswith("Q")
    item = db.session.scalar(select(OrderItem).where(OrderItem.order_id == order.id))
    assert (item.quantity, item.unit_price_fen, item.amount_fen) == (3, cp.group_price_fen, 3 * cp.group_price_fen)
    assert item.list_price_fen == world.products[0].price_fen
    assert item.campaign_product_id == cp.id
    assert order.total_fen == 3 * cp.group_price_fen
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id))
    assert (event.from_status, event.to_status) == (None, "placed")


def test_known_phone_reuses_the_member_and_needs_no_name(db, world):
    known = world.a.members[1]
    placed = services.place_order(db.session, _campaign(db, world), known.phone, {_cp(world).id: 1},
                                  NewMember(), utcnow())
    db.session.commit()
    assert placed.member_id == known.id and not placed.new_member
    assert db.session.scalar(select(func.count(Member.id)).where(Member.store_id == world.a.store.id)) == 3


def test_same_phone_in_another_store_is_another_member(db, world):
    """Members belong to a store: store B's member with this phone is not store A's."""
    phone = world.b.members[0].phone
    placed = services.place_order(db.session, _campaign(db, world), phone, {_cp(world).id: 1},
                                  NewMember("新会员"), utcnow())
    assert placed.new_member and placed.member_id != world.b.members[0].id


@pytest.mark.parametrize(("quantities", "new_member", "field"), [
    ("none", NewMember("张三"), "quantities"),
    ("foreign", NewMember("张三"), None),
    ("too_many", NewMember("张三"), "quantities"),
    ("ok", NewMember(""), "name"),
    ("ok", NewMember("  "), "name"),
    ("ok", NewMember("张三", building_id="other_store"), "building"),
])
def test_refusals_write_nothing(db, world, quantities, new_member, field):
    cp = _cp(world)
    quantities = {"foreign": {cp.id + 999: 1}, "too_many": {cp.id: 100}, "ok": {cp.id: 1}, "none": {}}[quantities]
    if new_member.building_id == "other_store":
        new_member = NewMember("张三", world.b.building.id)
    orders_before = db.session.scalar(select(func.count(Order.id)))
    with pytest.raises(OrderRefused) as caught:
        services.place_order(db.session, _campaign(db, world), NEW_PHONE, quantities, new_member, utcnow())
    db.session.rollback()
    assert caught.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert db.session.scalar(select(func.count(Order.id))) == orders_before
    assert db.session.scalar(select(Member.id).where(Member.phone == NEW_PHONE)) is None


@pytest.mark.parametrize(("status", "start", "end", "state"), [
    (CampaignStatus.ACTIVE, -1, 1, CampaignState.OPEN),
    (CampaignStatus.GROUPED, -1, 1, CampaignState.OPEN),
    (CampaignStatus.DRAFT, -1, 1, CampaignState.UPCOMING),
    (CampaignStatus.ACTIVE, 1, 2, CampaignState.UPCOMING),
    (CampaignStatus.ACTIVE, -2, -1, CampaignState.ENDED),
    (CampaignStatus.CLOSED, -1, 1, CampaignState.ENDED),
    (CampaignStatus.FAILED, -1, 1, CampaignState.ENDED),
    (CampaignStatus.CANCELLED, -1, 1, CampaignState.CANCELLED),
])
def test_campaign_state_and_closed_campaigns_take_no_order(db, world, status, start, end, state):
    campaign = _campaign(db, world)
    now = utcnow()
    campaign.status = status
    campaign.starts_at, campaign.ends_at = now + timedelta(hours=start), now + timedelta(hours=end)
    db.session.commit()
    assert services.campaign_state(campaign, now) == state
    if state != CampaignState.OPEN:
        with pytest.raises(OrderRefused) as caught:
            services.place_order(db.session, campaign, NEW_PHONE, {_cp(world).id: 1}, NewMember("张三"), now)
        assert caught.value.status == 409


def test_ends_at_is_the_deadline_to_the_second(db, world):
    campaign = _campaign(db, world)
    assert services.campaign_state(campaign, campaign.ends_at - timedelta(seconds=1)) == CampaignState.OPEN
    assert services.campaign_state(campaign, campaign.ends_at) == CampaignState.ENDED


def test_progress_counts_live_orders_only(db, world):
    campaign, cp = _campaign(db, world), _cp(world)
    page = services.campaign_page(db.session, campaign, utcnow())
    # The world's paid order of the campaign has 2 units of products[2]; products[0] has none yet.
    assert page.lines[0].ordered == 0 and page.lines[0].threshold == 10
    placed = services.place_order(db.session, campaign, NEW_PHONE, {cp.id: 4}, NewMember("张三"), utcnow())
    services.place_order(db.session, campaign, world.a.members[0].phone, {cp.id: 6}, NewMember(), utcnow())
    db.session.commit()
    line = services.campaign_page(db.session, campaign, utcnow()).lines[0]
    assert (line.ordered, line.reached, line.missing, line.ratio) == (10, True, 0, 1.0)
    db.session.get(Order, placed.order_id).status = "cancelled"
    db.session.commit()
    line = services.campaign_page(db.session, campaign, utcnow()).lines[0]
    assert (line.ordered, line.reached, line.missing) == (6, False, 4)


@pytest.mark.parametrize(("raw", "ok"), [
    ("", None), ("0", None), ("1", 1), ("99", 99), (" 7 ", 7),
    ("100", "error"), ("-1", "error"), ("1.5", "error"), ("abc", "error"), ("１２", 12), ("½", "error"), ("1e1", "error"),
])
def test_parse_quantities(db, world, raw, ok):
    page = services.campaign_page(db.session, _campaign(db, world), utcnow())
    cp_id = page.lines[0].campaign_product_id
    quantities, errors = services.parse_quantities({f"qty-{cp_id}": raw}, page.lines)
    if ok == "error":
        assert cp_id in errors and not quantities
    else:
        assert not errors
        assert quantities == ({cp_id: ok} if ok else {})


def test_token_round_trip_and_tampering(app, world):
    token = services.campaign_token(world.a.campaign.id)
    assert services.campaign_id_from_token(token) == world.a.campaign.id
    assert str(world.a.campaign.id) != token
    payload, signature = token.rsplit(".", 1)
    # Change the signature's first character: the last one also carries padding bits, and
    # changing only those leaves the decoded signature (and the token) valid.
    tampered = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert services.campaign_id_from_token(tampered) is None
    assert services.campaign_id_from_token(f"{payload}x.{signature}") is None
    assert services.campaign_id_from_token("1") is None
    assert services.campaign_id_from_token("") is None
    assert services.campaign_url(world.a.campaign.id).startswith("http://")
