"""Imported orders in their campaign's life: 成团 already reached, 截单 passed, the day's lists.

Service level (``lifecycle`` with the fulfilment lists and HQ's marks) and HTTP (the
orders page's mark-paid, the paste and CSV confirms, the owner's 采购单 and HQ's marks).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.intake.conftest import PASTE
from workbench.fulfilment import lists, marking
from workbench.intake import lifecycle, services
from workbench.models import Order, OrderEvent
from workbench.types import utcnow

HX = {"HX-Request": "true"}


def _import(db, world, shop, text=PASTE):
    ctx = services.StoreContext.load(db.session, world.a.store.id, shop.campaign.id)
    preview = services.build_preview(db.session, ctx, text)
    result = services.import_preview(db.session, ctx, preview, actor_id=world.owner_a.id, now=utcnow(),
                                     today=date.today())
    db.session.commit()
    return result


def _grouped(db, shop):
    shop.campaign.status = "grouped"
    db.session.commit()


def _statuses(db, ids):
    return {db.session.get(Order, i).status for i in ids}


# --------------------------------------------------------------------------- service


def test_paid_in_a_grouped_campaign_joins_the_group_and_the_day_lists(db, world, shop):
    _grouped(db, shop)
    result = _import(db, world, shop)
    ids = set(result.order_ids)
    paid = lifecycle.mark_paid(db.session, world.a.store.id, shop.campaign, ids, actor_id=world.owner_a.id,
                               now=utcnow())
    db.session.commit()
    assert set(paid.paid) == ids and set(paid.grouped) == ids
    assert _statuses(db, ids) == {"grouped"}
    events = db.session.scalars(select(OrderEvent.to_status).where(OrderEvent.order_id.in_(ids))).all()
    assert sorted(set(events)) == ["grouped", "paid", "placed"]
    # On the pickup day's lists, and HQ can mark them packed.
    day = shop.campaign.pickup_on
    on_lists = {ln.order_id for ln in lists.batch_lines(db.session, [world.a.store.id], day)}
    assert ids <= on_lists
    marked = marking.mark(db.session, [world.a.store.id], day, [(world.a.store.id, world.a.pickup_point.id)],
                          "packed", actor_id=world.hq.id, now=utcnow())
    db.session.commit()
    assert ids <= set(marked.moved) and _statuses(db, ids) == {"packed"}


def test_paid_in_an_active_campaign_stays_paid_like_the_campaign_page_orders(db, world, shop):
    result = _import(db, world, shop)
    paid = lifecycle.mark_paid(db.session, world.a.store.id, shop.campaign, set(result.order_ids),
                               actor_id=world.owner_a.id, now=utcnow())
    assert paid.grouped == [] and _statuses(db, result.order_ids) == {"paid"}


def test_orders_left_paid_in_a_grouped_campaign_can_be_moved_on(db, world, shop):
    result = _import(db, world, shop)
    lifecycle.mark_paid(db.session, world.a.store.id, shop.campaign, set(result.order_ids),
                        actor_id=world.owner_a.id, now=utcnow())
    _grouped(db, shop)  # the threshold is reached after they were paid (or before this fix)
    assert all(lifecycle.can_tick(shop.campaign, "paid") for _ in result.order_ids)
    again = lifecycle.mark_paid(db.session, world.a.store.id, shop.campaign, set(result.order_ids),
                                actor_id=world.owner_a.id, now=utcnow())
    assert again.paid == [] and set(again.grouped) == set(result.order_ids)


def test_mark_paid_never_touches_another_stores_or_campaigns_orders(db, world, shop):
    _grouped(db, shop)
    other = world.b.orders[2]  # store B's paid order
    paid = lifecycle.mark_paid(db.session, world.a.store.id, shop.campaign, {other.id}, actor_id=world.owner_a.id,
                               now=utcnow())
    assert paid.paid == [] and paid.grouped == [] and _statuses(db, [other.id]) == {"paid"}


def test_cutoff_passed(shop):
    assert not lifecycle.cutoff_passed(shop.campaign, utcnow())
    assert lifecycle.cutoff_passed(shop.campaign, shop.campaign.ends_at)


# --------------------------------------------------------------------------- HTTP


def _url(shop, tail=""):
    return f"/store/orders/campaigns/{shop.campaign.id}{tail}"


def _hash(text):
    from workbench.intake.views import _text_hash

    return _text_hash(text)


def test_http_mark_paid_in_a_grouped_campaign_reaches_the_purchase_list(owner_client, db, world, shop):
    _grouped(db, shop)
    result = _import(db, world, shop)
    page = owner_client.get(_url(shop, "/orders"))
    assert "已成团" in page.text or "成团" in page.text
    day = shop.campaign.pickup_on.isoformat()
    assert "蓝莓" not in owner_client.get(f"/store/fulfilment/purchase?day={day}").text  # placed: not yet
    r = owner_client.post(_url(shop, "/orders/mark-paid"), data={"order_id": [str(i) for i in result.order_ids]},
                          headers=HX)
    assert r.status_code == 200 and "成团" in r.text
    assert _statuses(db, result.order_ids) == {"grouped"}
    purchase = owner_client.get(f"/store/fulfilment/purchase?day={day}")
    assert purchase.status_code == 200 and "蓝莓" in purchase.text


def test_http_hq_marks_imported_orders_packed(owner_client, hq_client, db, world, shop):
    _grouped(db, shop)
    result = _import(db, world, shop)
    owner_client.post(_url(shop, "/orders/mark-paid"), data={"order_id": [str(i) for i in result.order_ids]})
    r = hq_client.post("/hq/fulfilment/mark", data={"day": shop.campaign.pickup_on.isoformat(), "status": "packed",
                                                    "target": f"{world.a.store.id}-{world.a.pickup_point.id}"})
    assert r.status_code in (200, 303)
    assert _statuses(db, result.order_ids) == {"packed"}


def _past_cutoff(db, shop):
    shop.campaign.ends_at = utcnow() - timedelta(hours=2)
    db.session.commit()


def test_http_paste_after_the_cutoff_needs_the_owners_confirmation(owner_client, db, shop):
    _past_cutoff(db, shop)
    preview = owner_client.post(_url(shop, "/paste/preview"), data={"text": PASTE}, headers=HX)
    assert preview.status_code == 200 and "截单" in preview.text and 'name="late_ok"' in preview.text
    data = {"text": PASTE, "previewed": _hash(PASTE), "confirm": "1"}
    refused = owner_client.post(_url(shop, "/paste/confirm"), data=data)
    assert refused.status_code == 409 and "截单" in refused.text
    assert db.session.scalar(select(Order.id).where(Order.source == "jielong")) is None
    done = owner_client.post(_url(shop, "/paste/confirm"), data={**data, "late_ok": "1"})
    assert done.status_code == 303
    assert db.session.scalars(select(Order.id).where(Order.source == "jielong")).all()


def test_http_paste_before_the_cutoff_needs_no_confirmation(owner_client, db, shop):
    r = owner_client.post(_url(shop, "/paste/preview"), data={"text": PASTE}, headers=HX)
    assert 'name="late_ok"' not in r.text
    done = owner_client.post(_url(shop, "/paste/confirm"), data={"text": PASTE, "previewed": _hash(PASTE)})
    assert done.status_code == 303


def test_http_csv_after_the_cutoff_needs_the_owners_confirmation(owner_client, db, world, shop):
    from tests.intake.test_views import _csv

    _past_cutoff(db, shop)
    text = _csv(shop, world).decode()
    refused = owner_client.post(_url(shop, "/csv/confirm"), data={"csv_text": text})
    assert refused.status_code == 409 and "截单" in refused.text
    assert db.session.scalar(select(Order.id).where(Order.source == "csv")) is None
    done = owner_client.post(_url(shop, "/csv/confirm"), data={"csv_text": text, "late_ok": "1"})
    assert done.status_code == 303
    assert db.session.scalars(select(Order.id).where(Order.source == "csv")).all()
