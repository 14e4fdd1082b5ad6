"""Owner list pages, CSV downloads and HQ's shipping marks over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import gen_campaign
from tests.fulfilment.conftest import DAY, add_order
from workbench.models import Order, OrderEvent, OutboxMessage

HX = {"HX-Request": "true"}
LISTS = ["/store/fulfilment/purchase", "/store/fulfilment/sorting", "/store/fulfilment/slips"]


def text(response) -> str:
    return response.get_data(as_text=True)


def status_of(db, order) -> str:
    return db.session.scalar(select(Order.status).where(Order.id == order.id))


# --------------------------------------------------------------------------- owner pages


def test_index_defaults_to_the_next_day_with_orders(owner_client, batch):
    page = text(owner_client.get("/store/fulfilment/"))
    assert DAY.isoformat() in page
    assert "采购单" in page and "分拣单" in page and "配送单" in page
    assert "已提货" in page and "不在单据中" in page


def test_empty_day(owner_client, batch):
    page = text(owner_client.get(f"/store/fulfilment/slips?day={DAY + timedelta(days=1)}"))
    assert "没有要配送的订单" in page
    assert "fl-table" not in page


@pytest.mark.parametrize("url", [
    *LISTS,
    "/store/fulfilment/sorting?by=building", "/store/fulfilment/sorting?by=member",
    "/store/fulfilment/slips?order=product-building-room", "/store/fulfilment/slips?order=building-product-room",
])
@pytest.mark.parametrize("paper", ["a4", "80", "58"])
def test_list_pages(owner_client, world, batch, url, paper):
    sep = "&" if "?" in url else "?"
    response = owner_client.get(f"{url}{sep}day={DAY}&paper={paper}")
    assert response.status_code == 200
    page = text(response)
    assert f"fl-paper-{paper}" in page
    assert ("size: A4" if paper == "a4" else f"size: {paper}mm 297mm") in page
    assert "阳光玫瑰葡萄" in page and world.a.store.name in page
    if "purchase" not in url:
        assert "139****2222" in page and "13911112222" not in page
    # Another store's batch on the same day never shows.
    assert "BSTORE0001" not in page and world.b.members[0].name not in page
    assert world.b.pickup_point.name not in page


def test_slips_have_cut_lines_between_buildings(owner_client, batch):
    page = text(owner_client.get(f"/store/fulfilment/slips?day={DAY}&paper=58"))
    assert page.count('class="fl-cut"') == 2  # three slips: 2栋, 10栋, no building
    assert "✂" in page
    assert page.index("2栋") < page.index("10栋") < page.index("未登记楼栋")


def test_htmx_gets_the_fragment(owner_client, batch):
    response = owner_client.get(f"/store/fulfilment/sorting?day={DAY}", headers=HX)
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page and "fl-doc" in page


@pytest.mark.parametrize("query, message", [
    ("day=2031-13-01", "日期格式应为"),
    ("day=tomorrow", "日期格式应为"),
    ("paper=A3", "纸张只能是"),
    ("by=price", "不支持的分拣方式"),
    ("order=room", "不支持的配送单排序方式"),
    ("format=xlsx", "不支持的格式"),
])
def test_bad_parameters_are_400_in_chinese(owner_client, batch, query, message):
    response = owner_client.get(f"/store/fulfilment/sorting?{query}")
    assert response.status_code == 400
    assert message in text(response)


@pytest.mark.parametrize("kind", ["purchase", "sorting", "slips"])
def test_csv_download(owner_client, world, batch, kind):
    response = owner_client.get(f"/store/fulfilment/{kind}?day={DAY}&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{kind}-{DAY}.csv"' in response.headers["Content-Disposition"]
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    decoded = body.decode("utf-8-sig")
    assert "阳光玫瑰葡萄" in decoded
    assert "13911112222" not in decoded and "BSTORE0001" not in decoded
    assert world.b.pickup_point.name not in decoded


def test_csv_with_a_bad_parameter_is_not_a_file(owner_client, batch):
    response = owner_client.get("/store/fulfilment/slips?day=x&format=csv")
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_staff_cannot_open_owner_lists(hq_client, batch):
    assert hq_client.get("/store/fulfilment/slips").status_code == 403


# --------------------------------------------------------------------------- HQ marks


def target(store, point) -> str:
    return f"{store.id}-{point.id if point else 0}"


def mark(client, status, *targets, day=DAY, htmx=False, row=False):
    data = {"day": day.isoformat(), "status": status, "target": list(targets)}
    if row:
        data["row"] = "1"
    return client.post("/hq/fulfilment/mark", data=data, headers=HX if htmx else {})


def outbox(db):
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_hq_index_lists_points_with_counts(hq_client, world, batch):
    page = text(hq_client.get(f"/hq/fulfilment/?day={DAY}"))
    assert world.a.pickup_point.name in page and batch.point2.name in page and world.b.pickup_point.name in page
    assert "标记已到货" in page and "标记已打包" in page


def test_mark_arrived_plain_post(db, hq_client, world, batch):
    o = batch.orders
    response = mark(hq_client, "arrived", target(world.a.store, world.a.pickup_point))
    assert response.status_code == 303
    assert all(status_of(db, o[k]) == "arrived" for k in ("wang", "li", "zhang"))
    assert status_of(db, o["zhao"]) == "grouped" and status_of(db, o["packed"]) == "packed"
    assert status_of(db, o["picked"]) == "picked_up", "a bulk arrival never undoes a pickup"
    assert status_of(db, batch.other_store_order) == "shipped"
    events = list(db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == o["wang"].id)))
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [("shipped", "arrived", world.hq.id)]
    messages = outbox(db)
    assert len(messages) == 3
    by_member = {m.member_id: m for m in messages}
    assert by_member[batch.members["张女士"].id].status == "skipped"
    assert by_member[batch.members["王阿姨"].id].status == "pending"
    assert all(m.kind == "arrival_notice" for m in messages)
    page = text(hq_client.get(response.headers["Location"]))
    assert "已到货 3 单；到货提醒 2 条" in page and "1 位会员已关闭提醒" in page
    # The sender was queued (now, or at 08:00 when this runs in quiet hours).
    from workbench.jobs.queue import get_queue

    queue = get_queue()
    assert len(queue) + len(queue.scheduled_job_registry) == 1


def test_repeat_mark_moves_nothing(db, hq_client, world, batch):
    t = target(world.a.store, world.a.pickup_point)
    assert mark(hq_client, "arrived", t).status_code == 303
    before = len(outbox(db))
    events = db.session.scalar(select(func.count()).select_from(OrderEvent))
    response = mark(hq_client, "arrived", t)
    assert response.status_code == 409
    assert "没有可标记的订单" in text(response)
    assert len(outbox(db)) == before
    assert db.session.scalar(select(func.count()).select_from(OrderEvent)) == events


def test_marks_go_one_step_at_a_time(db, hq_client, world, batch):
    t = target(world.a.store, batch.point2)
    assert mark(hq_client, "arrived", t).status_code == 409, "grouped/packed orders cannot jump to arrived"
    assert mark(hq_client, "shipped", t).status_code == 303
    assert status_of(db, batch.orders["packed"]) == "shipped" and status_of(db, batch.orders["zhao"]) == "grouped"
    assert mark(hq_client, "packed", t).status_code == 303
    assert status_of(db, batch.orders["zhao"]) == "packed"
    assert outbox(db) == []


def test_htmx_row_mark_returns_the_row(db, hq_client, world, batch):
    t = target(world.a.store, world.a.pickup_point)
    response = mark(hq_client, "arrived", t, htmx=True, row=True)
    assert response.status_code == 200
    page = text(response)
    assert page.lstrip().startswith(f'<tr id="pt-{t}"')
    assert "已到货 3 单" in page and 'hx-swap-oob="true"' in page
    again = mark(hq_client, "arrived", t, htmx=True, row=True)
    assert again.status_code == 409 and f'id="pt-{t}"' in text(again)


def test_htmx_bulk_mark_returns_the_table(db, hq_client, world, batch):
    response = mark(hq_client, "arrived", target(world.a.store, world.a.pickup_point),
                    target(world.b.store, world.b.pickup_point), htmx=True)
    assert response.status_code == 200
    page = text(response)
    assert 'id="hq-fulfilment-table"' in page and "已到货 4 单" in page
    assert status_of(db, batch.other_store_order) == "arrived"


@pytest.mark.parametrize("data, message", [
    ({"status": "arrived", "target": "1-1"}, "请选择提货日"),
    ({"day": DAY.isoformat(), "status": "eaten", "target": "1-1"}, "请选择要标记的状态"),
    ({"day": DAY.isoformat(), "status": "arrived"}, "请至少勾选一个自提点"),
    ({"day": DAY.isoformat(), "status": "arrived", "target": "x-1"}, "请至少勾选一个自提点"),
])
def test_bad_mark_is_400(db, hq_client, batch, data, message):
    response = hq_client.post("/hq/fulfilment/mark", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(select(func.count()).select_from(OrderEvent)) == 0


def test_point_of_another_store_is_404(db, hq_client, world, batch):
    # Store A's id with store B's point: refused as a whole.
    response = mark(hq_client, "arrived", f"{world.a.store.id}-{world.b.pickup_point.id}")
    assert response.status_code == 404
    assert status_of(db, batch.other_store_order) == "shipped"


def test_regional_sees_and_marks_only_its_region(db, login_as, world, batch):
    c = world.c
    c_order = add_order(db.session, c.store, c.members[0], batch.campaign, c.pickup_point, "shipped",
                        [(batch.products["grape"], 1)], code="CSTORE0001")
    # The campaign belongs to A; give C its own so the batch rule holds.
    c_order.campaign_id = None
    db.session.commit()
    c_campaign = gen_campaign(db.session, c.store, title="滨江团", starts_at=batch.campaign.starts_at,
                              ends_at=batch.campaign.ends_at, pickup_on=DAY, status="grouped")
    c_order.campaign_id = c_campaign.id
    db.session.commit()
    regional = login_as(world.regional)
    page = text(regional.get(f"/hq/fulfilment/?day={DAY}"))
    assert world.a.pickup_point.name in page and c.pickup_point.name not in page
    response = mark(regional, "arrived", target(c.store, c.pickup_point))
    assert response.status_code == 404
    assert status_of(db, c_order) == "shipped"
    assert mark(regional, "arrived", target(world.a.store, world.a.pickup_point)).status_code == 303
    purchase = text(regional.get(f"/hq/fulfilment/purchase?day={DAY}"))
    assert c.store.name not in purchase and world.b.store.name in purchase
    hq = text(login_as(world.hq).get(f"/hq/fulfilment/?day={DAY}"))
    assert c.pickup_point.name in hq


def test_hq_purchase_page_and_csv(hq_client, world, batch):
    page = text(hq_client.get(f"/hq/fulfilment/purchase?day={DAY}&paper=80"))
    assert "采购单" in page and "阳光玫瑰葡萄" in page and "fl-paper-80" in page
    assert f"{world.b.store.name} · {world.b.pickup_point.name}" in page
    csv_response = hq_client.get(f"/hq/fulfilment/purchase?day={DAY}&format=csv")
    assert csv_response.status_code == 200
    assert csv_response.data.startswith(b"\xef\xbb\xbf")
    assert f'purchase-hq-{DAY}.csv' in csv_response.headers["Content-Disposition"]
    assert hq_client.get("/hq/fulfilment/purchase?day=nope").status_code == 400


def test_owner_cannot_mark(owner_client, world, batch):
    assert mark(owner_client, "arrived", target(world.a.store, world.a.pickup_point)).status_code == 403
