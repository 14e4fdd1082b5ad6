"""The counter's services against the real database: verify, partial, refusals, undo window, search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from workbench.models import Order, OrderEvent, PickupVerification
from workbench.pickup import search, services
from workbench.pickup.services import UNDO_WINDOW

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture(autouse=True)
def english(app):
    """Messages are translated per request: the services run inside an English one."""
    with app.test_request_context("/?lang=en"):
        yield


def live_verifications(db, order_id) -> int:
    return db.session.scalar(select(func.count()).select_from(PickupVerification).where(
        PickupVerification.order_id == order_id, PickupVerification.undone_at.is_(None)))


def test_verify_hands_over_all_waiting_orders_of_the_member(db, world, order_factory):
    a = world.a
    second = order_factory(arrived_at=NOW - timedelta(hours=3))
    result = services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id, order_ids=None,
                             actor_id=a.owner.id, method="phone_tail", now=NOW)
    db.session.commit()
    assert result.moved == sorted([a.orders[1].id, second.id])
    assert len(result.verification_ids) == 2 and result.refused == []
    for oid in result.moved:
        order = db.session.get(Order, oid)
        assert order.status == "picked_up" and order.picked_up_at == NOW
        assert live_verifications(db, oid) == 1
    v = db.session.get(PickupVerification, result.verification_ids[0])
    assert v.method == "phone_tail" and v.verified_by_id == a.owner.id and v.store_id == a.store.id
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(
        OrderEvent.order_id.in_(result.moved), OrderEvent.to_status == "picked_up")) == 2


def test_partial_pickup_leaves_the_rest_waiting(db, world, order_factory):
    a = world.a
    second = order_factory()
    result = services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id, order_ids=[second.id],
                             actor_id=a.owner.id, method="manual", now=NOW)
    db.session.commit()
    assert result.moved == [second.id]
    assert db.session.get(Order, a.orders[1].id).status == "arrived"


@pytest.mark.parametrize(("status", "expected"), [
    ("paid", "has not arrived yet"),
    ("shipped", "has not arrived yet"),
    ("refunded", "was refunded"),
    ("cancelled", "was cancelled"),
])
def test_orders_that_cannot_be_picked_up_say_why(db, world, order_factory, status, expected):
    a = world.a
    order = order_factory(status=status)
    with pytest.raises(services.PickupRefused) as info:
        services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id, order_ids=[order.id],
                        actor_id=a.owner.id, method="manual", now=NOW)
    db.session.rollback()
    assert order.code in info.value.message and expected in info.value.message
    assert db.session.get(Order, order.id).status == status
    assert live_verifications(db, order.id) == 0


def test_not_arrived_message_in_chinese(app, db, world, order_factory):
    a = world.a
    order = order_factory(status="paid")
    with app.test_request_context("/?lang=zh_CN"), pytest.raises(services.PickupRefused) as info:
        services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id, order_ids=[order.id],
                        actor_id=a.owner.id, method="manual", now=NOW)
    db.session.rollback()
    assert "还没到货" in info.value.message


def test_second_tap_is_refused_with_when_and_who(db, world):
    a = world.a
    args = dict(store_id=a.store.id, member_id=a.members[1].id, order_ids=[a.orders[1].id], actor_id=a.owner.id,
                method="manual")
    services.verify(db.session, now=NOW, **args)
    db.session.commit()
    with pytest.raises(services.PickupRefused) as info:
        services.verify(db.session, now=NOW + timedelta(seconds=5), **args)
    db.session.rollback()
    assert "already picked up" in info.value.message and a.owner.name in info.value.message
    assert live_verifications(db, a.orders[1].id) == 1


def test_mixed_selection_moves_what_it_can_and_explains_the_rest(db, world, order_factory):
    a = world.a
    paid = order_factory(status="paid")
    result = services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id,
                             order_ids=[a.orders[1].id, paid.id], actor_id=a.owner.id, method="manual", now=NOW)
    db.session.commit()
    assert result.moved == [a.orders[1].id]
    assert len(result.refused) == 1 and paid.code in result.refused[0]


def test_other_stores_member_or_order_is_not_found(db, world):
    a, b = world.a, world.b
    with pytest.raises(services.NotFound):
        services.verify(db.session, store_id=a.store.id, member_id=b.members[1].id, order_ids=None,
                        actor_id=a.owner.id, method="manual", now=NOW)
    with pytest.raises(services.NotFound):  # A's member, B's order
        services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id, order_ids=[b.orders[1].id],
                        actor_id=a.owner.id, method="manual", now=NOW)
    db.session.rollback()
    assert db.session.get(Order, b.orders[1].id).status == "arrived"


def test_member_without_waiting_orders_and_empty_selection(db, world):
    a = world.a
    with pytest.raises(services.PickupRefused):
        services.verify(db.session, store_id=a.store.id, member_id=a.members[2].id, order_ids=None,
                        actor_id=a.owner.id, method="manual", now=NOW)
    with pytest.raises(services.PickupError):
        services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id, order_ids=[],
                        actor_id=a.owner.id, method="manual", now=NOW)
    db.session.rollback()


def _tap(db, world, *orders, now=NOW):
    a = world.a
    result = services.verify(db.session, store_id=a.store.id, member_id=a.members[1].id,
                             order_ids=[o.id for o in orders] or None, actor_id=a.owner.id, method="manual", now=now)
    db.session.commit()
    return result


def test_undo_takes_back_the_whole_tap(db, world, order_factory):
    a = world.a
    second = order_factory()
    result = _tap(db, world)
    undone = services.undo(db.session, store_id=a.store.id, verification_id=result.verification_ids[-1],
                           actor_id=a.owner.id, now=NOW + UNDO_WINDOW - timedelta(seconds=1))
    db.session.commit()
    assert undone.order_ids == sorted([a.orders[1].id, second.id]) and undone.member_id == a.members[1].id
    for oid in undone.order_ids:
        order = db.session.get(Order, oid)
        assert order.status == "arrived" and order.picked_up_at is None
        assert live_verifications(db, oid) == 0
    # Handed over again later: a new live verification, the undone one stays for audit.
    _tap(db, world, now=NOW + timedelta(minutes=10))
    assert db.session.scalar(select(func.count()).select_from(PickupVerification).where(
        PickupVerification.order_id == second.id)) == 2


def test_undo_only_undoes_its_own_tap(db, world, order_factory):
    a = world.a
    second = order_factory()
    first = _tap(db, world, a.orders[1])
    _tap(db, world, second, now=NOW + timedelta(seconds=30))
    services.undo(db.session, store_id=a.store.id, verification_id=first.verification_ids[0], actor_id=a.owner.id,
                  now=NOW + timedelta(minutes=1))
    db.session.commit()
    assert db.session.get(Order, a.orders[1].id).status == "arrived"
    assert db.session.get(Order, second.id).status == "picked_up"


@pytest.mark.parametrize("after", [UNDO_WINDOW, UNDO_WINDOW + timedelta(seconds=1), timedelta(hours=2)])
def test_undo_after_five_minutes_is_refused(db, world, after):
    a = world.a
    result = _tap(db, world)
    with pytest.raises(services.UndoRefused) as info:
        services.undo(db.session, store_id=a.store.id, verification_id=result.verification_ids[0],
                      actor_id=a.owner.id, now=NOW + after)
    db.session.rollback()
    assert "5 minutes" in info.value.message
    assert db.session.get(Order, a.orders[1].id).status == "picked_up"
    assert live_verifications(db, a.orders[1].id) == 1


def test_second_undo_and_other_stores_verification(db, world):
    a, b = world.a, world.b
    result = _tap(db, world)
    kw = dict(store_id=a.store.id, verification_id=result.verification_ids[0], actor_id=a.owner.id,
              now=NOW + timedelta(minutes=1))
    services.undo(db.session, **kw)
    db.session.commit()
    with pytest.raises(services.UndoRefused, match="already undone"):
        services.undo(db.session, **kw)
    db.session.rollback()
    with pytest.raises(services.NotFound):
        services.undo(db.session, store_id=a.store.id, verification_id=b.verification.id, actor_id=a.owner.id,
                      now=NOW)


def test_undo_refused_when_order_was_refunded_meanwhile(db, world):
    from workbench.orders import transitions

    a = world.a
    result = _tap(db, world)
    transitions.move(db.session, [a.orders[1].id], "refunded", actor_id=None, now=NOW)
    db.session.commit()
    with pytest.raises(services.UndoRefused):
        services.undo(db.session, store_id=a.store.id, verification_id=result.verification_ids[0],
                      actor_id=a.owner.id, now=NOW + timedelta(minutes=1))
    db.session.rollback()
    assert live_verifications(db, a.orders[1].id) == 1


def test_undo_refused_once_the_pickups_month_is_closed(db, world):
    """Tapped at 23:58 on the month's last day, the month closed at 00:01: the pickup has
    earned on the closed statement, so an undo (and a re-pick next month) is refused."""
    from workbench.commission.statements import close_period

    a = world.a
    tapped = datetime(2026, 10, 31, 15, 58, tzinfo=UTC)  # 23:58 in Shanghai
    result = _tap(db, world, now=tapped)
    close_period(db.session, "2026-10", tapped + timedelta(minutes=3), [a.store.id])
    db.session.commit()
    with pytest.raises(services.UndoRefused) as info:
        services.undo(db.session, store_id=a.store.id, verification_id=result.verification_ids[0],
                      actor_id=a.owner.id, now=tapped + timedelta(minutes=4))
    db.session.rollback()
    assert "closed commission statement" in info.value.message
    assert db.session.get(Order, a.orders[1].id).status == "picked_up"
    assert live_verifications(db, a.orders[1].id) == 1


# ------------------------------------------------------------------ the list and counts


def test_counter_page_groups_by_member_longest_waiting_first(db, world, order_factory):
    a = world.a
    late = order_factory(member=a.members[2], arrived_at=NOW - timedelta(days=3))
    order_factory(member=a.members[1], arrived_at=NOW - timedelta(hours=1))
    order_factory(sw=world.b, member=world.b.members[1])  # another store: never here
    page = services.counter_page(db.session, a.store.id, NOW)
    assert [m.id for m in page.members] == [a.members[2].id, a.members[1].id]
    first = page.members[0]
    assert first.overdue and first.waiting[0].code == late.code
    assert first.waiting[0].items[0].quantity == 2 and first.pickup_code == a.members[2].pickup_code
    assert page.counts.waiting == 3 and page.counts.overdue == 1 and page.counts.members_waiting == 2
    assert not page.has_more


def test_counts_follow_pickups_and_show_undo(db, world):
    a = world.a
    now = datetime.now(UTC)
    before = services.counter_counts(db.session, a.store.id, now)
    result = _tap(db, world, now=now)
    after = services.counter_counts(db.session, a.store.id, now)
    assert (after.waiting, after.picked_today) == (before.waiting - 1, before.picked_today + 1)
    card = services.member_cards(db.session, a.store.id, [a.members[1].id], now + timedelta(minutes=1))[0]
    assert not card.waiting and card.picked_today[0].id == a.orders[1].id
    assert card.undo.verification_id == result.verification_ids[0]
    later = services.member_cards(db.session, a.store.id, [a.members[1].id], now + UNDO_WINDOW)[0]
    assert later.undo is None


def test_counter_pages(db, world, monkeypatch):
    monkeypatch.setattr(services, "PAGE_SIZE", 1)
    a = world.a
    first = services.counter_page(db.session, a.store.id, NOW, 1)
    assert len(first.members) == 1 and not first.has_more  # A has one member waiting
    assert services.counter_page(db.session, a.store.id, NOW, 2).members == []


# ------------------------------------------------------------------ search


@pytest.mark.parametrize(("query", "kind"), [
    ("1234", "phone_tail"), ("１２３４", "phone_tail"), ("123456", "pickup_code"), ("13800001234", "phone"),
    ("502", "address"), ("3栋502", "address"), ("3-502", "address"), ("3#1单元502", "address"),
    ("A01000123", "order_code"), ("a01", "order_code"), ("王阿姨", "text"), ("", "empty"), ("  ", "empty"),
])
def test_classify(query, kind):
    assert search.classify(search.normalise(query)) == kind


def test_scanner_payloads_become_the_code():
    assert search.normalise("WBPICKUP:123456") == "123456"
    assert search.normalise("https://x.example/c/p?code=654321") == "654321"


def _find(db, world, q, now=None):
    return search.search(db.session, world.a.store.id, q, now or datetime.now(UTC))


def test_search_kinds_find_the_member(db, world):
    a = world.a
    m = a.members[1]
    order = a.orders[1]
    for q in (m.phone[-4:], m.pickup_code, m.phone, order.code, order.code[:5].lower(), m.name, "3栋502",
              "3-502", "502", "3栋"):
        result = _find(db, world, q)
        assert [c.id for c in result.members] == [m.id], q
    assert _find(db, world, m.phone[-4:]).method == "phone_tail"
    assert _find(db, world, m.pickup_code).method == "qr"
    assert _find(db, world, order.code).method == "order_code"


def test_search_is_scoped_to_the_store_and_the_counter(db, world):
    a, b = world.a, world.b
    assert _find(db, world, b.members[1].phone).members == []
    assert _find(db, world, b.members[1].pickup_code).members == []
    assert _find(db, world, b.orders[1].code).members == []
    assert _find(db, world, b.members[1].name).members == []
    # Member 2 has only a paid order: not at the counter.
    assert _find(db, world, a.members[2].name).members == []
    # Member 0's order was picked up three days ago: not today.
    assert _find(db, world, a.members[0].name).members == []


def test_search_finds_todays_pickups_for_undo(db, world):
    a = world.a
    now = datetime.now(UTC)
    _tap(db, world, now=now)
    result = _find(db, world, a.members[1].phone[-4:], now)
    assert result.members[0].undo is not None


def test_like_wildcards_are_literal(db, world):
    assert _find(db, world, "%").members == []
    assert _find(db, world, "_").members == []
