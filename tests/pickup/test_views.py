"""The counter over HTTP: pages, htmx fragments, taps, undo, reports and photos, scoping."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from workbench.models import AfterSalesTicket, Order, OrderItem, PickupVerification
from workbench.types import utcnow

HX = {"HX-Request": "true"}


def hand_over(client, member, *order_ids, hx=True, **data):
    form = {"scope": "selected", "order_id": [str(o) for o in order_ids], "method": "phone_tail", **data}
    return client.post(f"/store/pickup/members/{member.id}/pickup", data=form, headers=HX if hx else {})


def live(db, order_id):
    return db.session.scalar(select(func.count()).select_from(PickupVerification).where(
        PickupVerification.order_id == order_id, PickupVerification.undone_at.is_(None)))


def test_counter_page_lists_waiting_members(owner_client, world):
    html = owner_client.get("/store/pickup").get_data(as_text=True)
    a = world.a
    assert a.orders[1].code in html and a.members[1].name in html
    assert a.members[1].phone not in html and a.members[1].phone[:3] + "****" in html
    assert a.orders[0].code not in html and a.orders[2].code not in html
    assert 'inputmode="search"' in html and 'autocomplete="off"' in html
    assert "js/pickup." in html  # content-hashed: js/pickup.<hash>.js
    assert 'id="pickup-counts"' in html
    # The counter's old address lands on the same page.
    assert a.orders[1].code in owner_client.get("/store/counter/", follow_redirects=True).get_data(as_text=True)


def test_counter_has_one_address(owner_client):
    """/store/counter/ was a second address of the counter: now a permanent redirect to the one."""
    r = owner_client.get("/store/counter/?q=0001")
    assert r.status_code == 301 and r.headers["Location"] == "/store/pickup?q=0001"
    assert owner_client.get("/store/pickup/").status_code == 404  # no second spelling either


def test_htmx_tab_refresh_gets_the_fragment(owner_client, world):
    html = owner_client.get("/store/pickup", headers=HX).get_data(as_text=True)
    assert "<html" not in html and 'id="counter-results"' in html


def test_search_fragment_and_plain_get(owner_client, world):
    a = world.a
    tail = a.members[1].phone[-4:]
    frag = owner_client.get(f"/store/pickup/search?q={tail}", headers=HX).get_data(as_text=True)
    assert "<html" not in frag and f'id="member-{a.members[1].id}"' in frag
    assert 'name="method" value="phone_tail"' in frag
    page = owner_client.get(f"/store/pickup?q={tail}").get_data(as_text=True)
    assert "<html" in page and f'value="{tail}"' in page and f'id="member-{a.members[1].id}"' in page
    none = owner_client.get("/store/pickup/search?q=9999", headers=HX).get_data(as_text=True)
    assert "没有找到" in none


def test_tap_swaps_the_card_with_undo_and_oob_counts(owner_client, db, world):
    a = world.a
    r = hand_over(owner_client, a.members[1], a.orders[1].id)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert html.lstrip().startswith("<article") and f'id="member-{a.members[1].id}"' in html
    assert 'id="pickup-counts"' in html and 'hx-swap-oob="true"' in html
    assert "/store/pickup/undo/" in html and "data-deadline" in html
    assert "已提货 1 单" in html  # the flash, out of band
    assert db.session.get(Order, a.orders[1].id).status == "picked_up"
    v = db.session.scalar(select(PickupVerification).where(PickupVerification.order_id == a.orders[1].id,
                                                           PickupVerification.undone_at.is_(None)))
    assert v.method == "phone_tail" and v.verified_by_id == a.owner.id


def test_second_tap_is_409_with_a_reason(owner_client, db, world):
    a = world.a
    hand_over(owner_client, a.members[1], a.orders[1].id)
    r = hand_over(owner_client, a.members[1], a.orders[1].id)
    assert r.status_code == 409
    assert "不能重复提货" in r.get_data(as_text=True)
    assert live(db, a.orders[1].id) == 1


def test_not_arrived_is_409_in_chinese(owner_client, db, world, order_factory):
    a = world.a
    paid = order_factory(status="paid")
    r = hand_over(owner_client, a.members[1], paid.id)
    assert r.status_code == 409 and "还没到货" in r.get_data(as_text=True)


def test_empty_selection_is_400(owner_client, world):
    r = hand_over(owner_client, world.a.members[1])
    assert r.status_code == 400 and "请至少勾选" in r.get_data(as_text=True)
    bad = owner_client.post(f"/store/pickup/members/{world.a.members[1].id}/pickup",
                            data={"scope": "selected", "order_id": "x"}, headers=HX)
    assert bad.status_code == 400


def test_member_level_tap_without_scope_takes_all(owner_client, db, world, order_factory):
    a = world.a
    second = order_factory()
    r = owner_client.post(f"/store/pickup/members/{a.members[1].id}/pickup", data={}, headers=HX)
    assert r.status_code == 200
    assert {db.session.get(Order, o).status for o in (a.orders[1].id, second.id)} == {"picked_up"}


def test_plain_form_post_redirects_back(owner_client, db, world):
    a = world.a
    r = hand_over(owner_client, a.members[1], a.orders[1].id, hx=False, q="0001")
    assert r.status_code == 303 and "/store/pickup?q=0001" in r.headers["Location"]


def test_undo_and_undo_again(owner_client, db, world):
    a = world.a
    hand_over(owner_client, a.members[1], a.orders[1].id)
    vid = db.session.scalar(select(PickupVerification.id).where(PickupVerification.order_id == a.orders[1].id,
                                                                PickupVerification.undone_at.is_(None)))
    r = owner_client.post(f"/store/pickup/undo/{vid}", headers=HX)
    assert r.status_code == 200 and "已撤销" in r.get_data(as_text=True)
    assert db.session.get(Order, a.orders[1].id).status == "arrived"
    again = owner_client.post(f"/store/pickup/undo/{vid}", headers=HX)
    assert again.status_code == 409 and "已经撤销过" in again.get_data(as_text=True)


def test_undo_after_five_minutes_is_409(owner_client, db, world):
    a = world.a
    hand_over(owner_client, a.members[1], a.orders[1].id)
    v = db.session.scalar(select(PickupVerification).where(PickupVerification.order_id == a.orders[1].id,
                                                           PickupVerification.undone_at.is_(None)))
    v.verified_at = utcnow() - timedelta(minutes=5, seconds=1)
    db.session.commit()
    r = owner_client.post(f"/store/pickup/undo/{v.id}", headers=HX)
    assert r.status_code == 409
    assert "超过 5 分钟，不能撤销；如需处理请联系总部" in r.get_data(as_text=True)
    assert db.session.get(Order, a.orders[1].id).status == "picked_up"


def test_other_stores_objects_are_404_and_unchanged(owner_client, db, world):
    b = world.b
    assert hand_over(owner_client, b.members[1], b.orders[1].id).status_code == 404
    assert owner_client.post(f"/store/pickup/members/{b.members[1].id}/pickup", headers=HX).status_code == 404
    # A's member with B's order
    assert hand_over(owner_client, world.a.members[1], b.orders[1].id).status_code == 404
    assert owner_client.post(f"/store/pickup/undo/{b.verification.id}", headers=HX).status_code == 404
    item = db.session.scalar(select(OrderItem.id).where(OrderItem.order_id == b.orders[1].id))
    assert owner_client.get(f"/store/pickup/items/{item}/report", headers=HX).status_code == 404
    assert owner_client.post(f"/store/pickup/items/{item}/report", data={"kind": "damage", "quantity": "1"},
                             headers=HX).status_code == 404
    assert owner_client.get(f"/store/pickup/tickets/{b.ticket.id}/photo").status_code == 404
    assert db.session.get(Order, b.orders[1].id).status == "arrived"
    assert db.session.get(PickupVerification, b.verification.id).undone_at is None


def test_staff_cannot_use_the_counter(hq_client, world):
    assert hq_client.get("/store/pickup").status_code == 403
    assert hand_over(hq_client, world.a.members[1], world.a.orders[1].id).status_code == 403


# ------------------------------------------------------------------ reports and photos


def jpeg_bytes(size=(2400, 1800), exif=True) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kw = {}
    if exif:
        e = Image.Exif()
        e[0x010F] = "PhoneMaker"  # Make
        e[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPS IFD
        kw["exif"] = e
    img.save(out, "JPEG", **kw)
    return out.getvalue()


def item_of(db, order):
    return db.session.scalar(select(OrderItem).where(OrderItem.order_id == order.id))


def report(client, item_id, photo=None, **data):
    form = {"kind": "damage", "quantity": "1", "note": "盒子压坏", **data}
    if photo is not None:
        form["photo"] = (io.BytesIO(photo), "p.jpg")
    return client.post(f"/store/pickup/items/{item_id}/report", data=form, headers=HX,
                       content_type="multipart/form-data")


@pytest.fixture
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def test_report_form_fragment(owner_client, db, world):
    item = item_of(db, world.a.orders[1])
    html = owner_client.get(f"/store/pickup/items/{item.id}/report", headers=HX).get_data(as_text=True)
    assert 'accept="image/*"' in html and 'capture="environment"' in html and 'max="2"' in html
    assert "<html" in owner_client.get(f"/store/pickup/items/{item.id}/report").get_data(as_text=True)


def test_report_with_photo_opens_ticket_and_strips_exif(owner_client, db, world, uploads):
    a = world.a
    item = item_of(db, a.orders[1])
    r = report(owner_client, item.id, photo=jpeg_bytes(), quantity="2")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert f'id="member-{a.members[1].id}"' in r.get_data(as_text=True)
    assert "已报 2 件" in r.get_data(as_text=True)  # the card says so at once
    ticket = db.session.scalar(select(AfterSalesTicket).where(AfterSalesTicket.order_item_id == item.id))
    assert (ticket.kind, ticket.quantity, ticket.status, ticket.store_id) == ("damage", 2, "open", a.store.id)
    assert ticket.photo.startswith(f"{a.store.id}/") and ticket.photo.endswith(".jpg")
    with Image.open(uploads / ticket.photo) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 1600
        assert not stored.getexif()
    photo = owner_client.get(f"/store/pickup/tickets/{ticket.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.get_data()[:2] == b"\xff\xd8"
    photo.close()


def test_report_quantity_over_ordered_is_400(owner_client, db, world, uploads):
    item = item_of(db, world.a.orders[1])
    r = report(owner_client, item.id, quantity="3")
    assert r.status_code == 400 and "最多还能报 2 件" in r.get_data(as_text=True)
    assert r.headers["HX-Retarget"] == f"#report-{world.a.members[1].id}"
    report(owner_client, item.id, quantity="2")
    again = report(owner_client, item.id, quantity="1")
    assert again.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(AfterSalesTicket).where(
        AfterSalesTicket.order_item_id == item.id)) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "lost"}, "请选择缺货或破损"),
    ({"quantity": "0"}, "数量至少为 1"),
    ({"quantity": "abc"}, "请输入整数数量"),
    ({"note": "长" * 301}, "备注太长"),
])
def test_report_validation(owner_client, db, world, uploads, data, message):
    item = item_of(db, world.a.orders[1])
    r = report(owner_client, item.id, **data)
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AfterSalesTicket).where(
        AfterSalesTicket.order_item_id == item.id)) == 0


def test_non_image_photo_is_rejected_and_nothing_written(owner_client, db, world, uploads):
    item = item_of(db, world.a.orders[1])
    r = report(owner_client, item.id, photo=b"#!/bin/sh\necho not a photo\n")
    assert r.status_code == 400 and "不是可识别的照片" in r.get_data(as_text=True)
    assert not uploads.exists() or not any(uploads.rglob("*.jpg"))
    assert db.session.scalar(select(func.count()).select_from(AfterSalesTicket).where(
        AfterSalesTicket.order_item_id == item.id)) == 0


def test_oversized_upload_is_413_not_500(app, owner_client, db, world, uploads):
    # The real limit is 8 MB; a small one keeps the upload in memory (no spooled temp file).
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    item = item_of(db, world.a.orders[1])
    r = report(owner_client, item.id, photo=b"\xff" * 60_000)
    assert r.status_code == 413
    assert db.session.scalar(select(func.count()).select_from(AfterSalesTicket).where(
        AfterSalesTicket.order_item_id == item.id)) == 0


def test_photo_over_8_mb_is_refused_by_the_service():
    from workbench.pickup import photos

    with pytest.raises(photos.PhotoRejected, match="8 MB"):
        photos.reencode(b"\xff" * (photos.MAX_BYTES + 1))


def test_report_on_an_order_not_arrived_is_400(owner_client, db, world, uploads):
    item = item_of(db, world.a.orders[2])  # paid
    r = report(owner_client, item.id)
    assert r.status_code == 400 and "还没到货" in r.get_data(as_text=True)


def test_ticket_without_photo_gets_a_placeholder(owner_client, world):
    r = owner_client.get(f"/store/pickup/tickets/{world.a.ticket.id}/photo")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
