"""HQ's after-sales tickets: scoped lists, resolving once, photos."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from workbench.auth.scoping import store_condition
from workbench.models import AfterSalesTicket
from workbench.pickup import tickets

HX = {"HX-Request": "true"}


def test_hq_sees_every_store_regional_only_theirs(hq_client, regional_client, world):
    html = hq_client.get("/hq/aftersales/").get_data(as_text=True)
    for sw in (world.a, world.b, world.c):
        assert sw.orders[0].code in html
    assert "盒子压坏了" in html
    regional = regional_client.get("/hq/aftersales/").get_data(as_text=True)
    assert world.a.orders[0].code in regional and world.c.orders[0].code not in regional


def test_filter_by_status_and_fragment(hq_client, world):
    frag = hq_client.get("/hq/aftersales/?status=accepted", headers=HX).get_data(as_text=True)
    assert "<html" not in frag and 'id="tickets-table"' in frag and "暂无工单" in frag
    assert hq_client.get("/hq/aftersales/?status=bogus").status_code == 200


def test_resolve_requires_a_note_and_happens_once(hq_client, db, world):
    t = world.a.ticket
    url = f"/hq/aftersales/{t.id}/resolve"
    r = hq_client.post(url, data={"decision": "accept", "resolution": "  "}, headers=HX)
    assert r.status_code == 400 and "请填写处理说明" in r.get_data(as_text=True)
    r = hq_client.post(url, data={"decision": "maybe", "resolution": "x"}, headers=HX)
    assert r.status_code == 400
    assert db.session.get(AfterSalesTicket, t.id).status == "open"
    r = hq_client.post(url, data={"decision": "accept", "resolution": "补发一盒"}, headers=HX)
    assert r.status_code == 200
    ticket = db.session.get(AfterSalesTicket, t.id)
    assert ticket.status == "accepted" and ticket.resolution == "补发一盒" and ticket.resolved_at is not None
    again = hq_client.post(url, data={"decision": "reject", "resolution": "重复"}, headers=HX)
    assert again.status_code == 409 and "已被处理" in again.get_data(as_text=True)
    assert db.session.get(AfterSalesTicket, t.id).status == "accepted"


def test_plain_post_redirects(hq_client, world):
    r = hq_client.post(f"/hq/aftersales/{world.b.ticket.id}/resolve?status=open",
                       data={"decision": "reject", "resolution": "照片不清楚"})
    assert r.status_code == 303 and "/hq/aftersales/" in r.headers["Location"]


def test_regional_cannot_resolve_or_see_another_region(regional_client, db, world):
    c = world.c.ticket
    assert regional_client.post(f"/hq/aftersales/{c.id}/resolve", data={"decision": "accept", "resolution": "x"},
                                headers=HX).status_code == 404
    assert regional_client.get(f"/hq/aftersales/{c.id}/photo").status_code == 404
    assert db.session.get(AfterSalesTicket, c.id).status == "open"
    ok = regional_client.post(f"/hq/aftersales/{world.b.ticket.id}/resolve",
                              data={"decision": "reject", "resolution": "不在售后范围"}, headers=HX)
    assert ok.status_code == 200


def test_owner_is_403(owner_client, world):
    assert owner_client.get("/hq/aftersales/").status_code == 403


def test_resolve_service_is_conditional(app, db, world):
    with app.test_request_context("/?lang=en"):
        scope = store_condition(AfterSalesTicket.store_id, world.hq)
        now = datetime.now(UTC)
        tickets.resolve(db.session, ticket_id=world.a.ticket.id, scope=scope, decision="reject", resolution="no",
                        actor_id=world.hq.id, now=now)
        with pytest.raises(tickets.AlreadyResolved):
            tickets.resolve(db.session, ticket_id=world.a.ticket.id, scope=scope, decision="accept", resolution="yes",
                            actor_id=world.hq.id, now=now)
        db.session.commit()
    rows = db.session.scalars(select(AfterSalesTicket.status).where(AfterSalesTicket.id == world.a.ticket.id)).all()
    assert rows == ["rejected"]
