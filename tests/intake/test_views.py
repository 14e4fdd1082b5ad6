"""HTTP: pages, htmx fragments, confirm, CSV, mark paid, and other stores' campaigns."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.intake.conftest import PASTE
from workbench.models import Campaign, Member, Order, OrderEvent

HX = {"HX-Request": "true"}


def _url(shop, tail=""):
    return f"/store/orders/campaigns/{shop.campaign.id}{tail}"


def _orders(db):
    return db.session.scalar(select(func.count()).select_from(Order).where(Order.source.in_(("jielong", "csv"))))


def _hash(text: str) -> str:
    from workbench.intake.views import _text_hash

    return _text_hash(text)


def _preview(client, shop, text=PASTE, **extra):
    r = client.post(_url(shop, "/paste/preview"), data={"text": text, **extra})
    previewed = r.text.split('name="previewed" value="')[1].split('"')[0]
    return r, previewed


def test_index_lists_open_campaigns_and_empty_state(owner_client, shop, db):
    r = owner_client.get("/store/orders/")
    assert r.status_code == 200 and shop.campaign.title in r.text and "粘贴接龙" in r.text
    shop.campaign.status = "closed"
    db.session.commit()
    assert "没有进行中的活动" in owner_client.get("/store/orders/").text


def test_index_leaves_out_grouped_campaigns_long_past_their_pickup_day(owner_client, shop, db):
    from datetime import timedelta

    from workbench.formatting import local_today

    shop.campaign.status = "grouped"
    shop.campaign.pickup_on = local_today() - timedelta(days=3)
    db.session.commit()
    assert shop.campaign.title in owner_client.get("/store/orders/").text
    shop.campaign.pickup_on = local_today() - timedelta(days=30)
    db.session.commit()
    assert shop.campaign.title not in owner_client.get("/store/orders/").text


def test_anonymous_goes_to_login(client, shop):
    r = client.get(_url(shop, "/paste"))
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_other_stores_campaign_is_404(owner_client, world, shop, db):
    other = world.b.campaign.id
    for path in ("/paste", "/csv", "/orders"):
        assert owner_client.get(f"/store/orders/campaigns/{other}{path}").status_code == 404
    before = _orders(db)
    r = owner_client.post(f"/store/orders/campaigns/{other}/paste/confirm", data={"text": PASTE})
    assert r.status_code == 404 and _orders(db) == before


def test_preview_full_page_and_htmx_fragment(owner_client, shop):
    page = owner_client.post(_url(shop, "/paste/preview"), data={"text": PASTE})
    assert page.status_code == 200 and "<html" in page.text and "待修正" in page.text
    frag = owner_client.post(_url(shop, "/paste/preview"), data={"text": PASTE}, headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text
    assert "可导入" in frag.text and "30枚 = 1盒" in frag.text and "新会员" in frag.text


def test_empty_and_headerless_pastes_are_400(owner_client, shop):
    r = owner_client.post(_url(shop, "/paste/preview"), data={"text": "  "}, headers=HX)
    assert r.status_code == 400 and "请先粘贴接龙内容" in r.text
    r = owner_client.post(_url(shop, "/paste/preview"), data={"text": "#接龙\n例：1. 张三 蓝莓1"}, headers=HX)
    assert r.status_code == 400 and "没有找到订单行" in r.text


def test_fix_one_line_via_htmx(owner_client, shop):
    r = owner_client.post(_url(shop, "/paste/line"), headers=HX,
                          data={"text": PASTE, "line": "6", "p-6-0": str(shop.blueberry.id), "q-6-0": "2"})
    assert r.status_code == 200
    assert 'id="line-6"' in r.text and "jl-line--ready" in r.text
    assert 'id="jl-summary" hx-swap-oob="true"' in r.text
    assert 'id="jl-confirm" name="confirm" value="1" hx-swap-oob="true"' in r.text and "导入 4 单" in r.text
    assert owner_client.post(_url(shop, "/paste/line"), headers=HX, data={"text": PASTE}).status_code == 400


def test_confirm_imports_then_repaste_shows_already_in(owner_client, shop, db, world):
    _r, previewed = _preview(owner_client, shop)
    r = owner_client.post(_url(shop, "/paste/confirm"), data={"text": PASTE, "previewed": previewed})
    assert r.status_code == 303 and r.headers["Location"].endswith(_url(shop, "/orders"))
    assert _orders(db) == 3
    page = owner_client.get(r.headers["Location"])
    assert "已导入 3 单" in page.text and "待付款：3 单" in page.text
    again, previewed = _preview(owner_client, shop)
    assert again.text.count("之前已导入，订单号") == 3
    # A double tap: the second confirm of the same preview adds nothing.
    r = owner_client.post(_url(shop, "/paste/confirm"), data={"text": PASTE, "previewed": previewed})
    assert r.status_code == 400 and _orders(db) == 3


def test_confirm_of_text_changed_since_preview_is_refused(owner_client, shop, db):
    _r, previewed = _preview(owner_client, shop)
    r = owner_client.post(_url(shop, "/paste/confirm"),
                          data={"text": PASTE + "5. 王阿姨 蓝莓1", "previewed": previewed})
    assert r.status_code == 409 and "内容在预览后改过了" in r.text and _orders(db) == 0


def test_confirm_into_closed_campaign_is_refused(owner_client, shop, db):
    _r, previewed = _preview(owner_client, shop)
    db.session.get(Campaign, shop.campaign.id).status = "closed"
    db.session.commit()
    r = owner_client.post(_url(shop, "/paste/confirm"), data={"text": PASTE, "previewed": previewed})
    assert r.status_code == 409 and "已停止接单" in r.text and _orders(db) == 0


def test_confirm_racing_another_device_is_409_and_writes_nothing(owner_client, shop, db, monkeypatch):
    """The other device's insert lands between our preview and our flush: the unique key
    refuses ours, the whole action rolls back (the new member too) and the lines show as in."""
    from workbench.intake import services

    _r, previewed = _preview(owner_client, shop)
    owner_client.post(_url(shop, "/paste/confirm"), data={"text": PASTE, "previewed": previewed})
    members = db.session.scalar(select(func.count()).select_from(Member))
    real = services.existing_keys
    calls = {"n": 0}

    def blind_first_time(*args, **kwargs):  # the first look misses the other device's rows
        calls["n"] += 1
        return {} if calls["n"] == 1 else real(*args, **kwargs)

    monkeypatch.setattr(services, "existing_keys", blind_first_time)
    text = PASTE.replace("4. 13912345678 小李", "4. 13912340000 小李")  # a new member would be made
    text = text.replace("4. 13912340000 小李 酸奶*3", "4. 13912345678 小李 酸奶*3\n5. 13912340000 小周 蓝莓1")
    r = owner_client.post(_url(shop, "/paste/confirm"), data={"text": text, "previewed": _hash(text)})
    assert r.status_code == 409 and "另一台设备" in r.text
    assert "之前已导入" in r.text
    assert _orders(db) == 3 and db.session.scalar(select(func.count()).select_from(Member)) == members


def test_mark_paid_moves_placed_orders_with_an_event(owner_client, shop, db, world):
    _r, previewed = _preview(owner_client, shop)
    owner_client.post(_url(shop, "/paste/confirm"), data={"text": PASTE, "previewed": previewed})
    ids = list(db.session.scalars(select(Order.id).where(Order.source == "jielong")))
    foreign = world.b.orders[2].id  # store B's order id slipped into the form: ignored
    r = owner_client.post(_url(shop, "/orders/mark-paid"), headers=HX,
                          data={"order_id": [str(i) for i in ids[:2]] + [str(foreign)]})
    assert r.status_code == 200 and "2 单已标记为已付款" in r.text
    statuses = dict(db.session.execute(select(Order.id, Order.status).where(Order.id.in_(ids + [foreign]))).all())
    assert [statuses[i] for i in ids] == ["paid", "paid", "placed"] and statuses[foreign] == "paid"
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == ids[0], OrderEvent.to_status == "paid"))
    assert event.actor_id == world.owner_a.id
    r = owner_client.post(_url(shop, "/orders/mark-paid"), headers=HX, data={})
    assert r.status_code == 400 and "请先勾选" in r.text


# --------------------------------------------------------------------------- CSV

CSV = ("手机号,姓名,楼栋,房号,商品,数量,外部单号\n"
       "13700001111,张姐,3栋,1单元502,蓝莓,2,W1\n"
       "13700001111,张姐,3栋,1单元502,SKU{yog},1,W1\n"
       "13666668888,新人,3栋,808,散养土鸡蛋,1,\n"
       "1.37E+10,坏,,,蓝莓,1,\n"
       "13700002222,王阿姨,,,火龙果,1,\n"
       "13700002222,王阿姨,,,蓝莓,0,\n")


def _csv(shop, world, encoding="utf-8"):
    sku = world.products[1].sku.removeprefix("SKU")
    return CSV.replace("SKU{yog}", "SKU" + sku).encode(encoding)


def _upload(client, shop, data: bytes, name="orders.csv"):
    # The body is built here, in memory: werkzeug's test client spools big uploads to a
    # temporary file it never closes.
    boundary = "----intake-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(_url(shop, "/csv/preview"), data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_csv_preview_lists_errors_by_excel_line(owner_client, shop, world):
    r = _upload(owner_client, shop, _csv(shop, world, "gbk"))
    assert r.status_code == 200
    assert "第 5 行" in r.text and "科学计数法" not in r.text and "1.37E+10" in r.text
    assert "第 6 行" in r.text and "火龙果" in r.text
    assert "第 7 行" in r.text and "1 到 999" in r.text
    assert "将导入 3 行" in r.text


def test_csv_confirm_imports_valid_rows_once(owner_client, shop, world, db):
    r = _upload(owner_client, shop, b"\xef\xbb\xbf" + _csv(shop, world))
    text = r.text.split('name="csv_text" type="hidden" value="')[1].split('"')[0]
    import html
    csv_text = html.unescape(text)
    r = owner_client.post(_url(shop, "/csv/confirm"), data={"csv_text": csv_text})
    assert r.status_code == 303
    orders = db.session.scalars(select(Order).where(Order.source == "csv")).all()
    assert len(orders) == 2  # W1 (two rows, one order) and the new member's row
    w1 = next(o for o in orders if o.member_id == shop.zhang.id)
    assert w1.total_fen == 2 * 2590 + 1090
    assert db.session.scalar(select(Member).where(Member.phone == "13666668888")).room == "808"
    again = _upload(owner_client, shop, _csv(shop, world))
    assert again.text.count("之前已导入") == 3
    r = owner_client.post(_url(shop, "/csv/confirm"), data={"csv_text": csv_text})
    assert r.status_code == 400 and len(db.session.scalars(select(Order).where(Order.source == "csv")).all()) == 2


def test_csv_order_with_one_bad_row_is_refused_whole(owner_client, shop, world, db):
    data = ("手机号,姓名,商品,数量,外部单号\n"
            "13700001111,张姐,蓝莓,2,W9\n"
            "13700001111,张姐,火龙果,1,W9\n"
            "13700002222,王阿姨,蓝莓,1,W8\n"
            "13700001111,张姐,蓝莓,1,W8\n").encode()
    r = _upload(owner_client, shop, data)
    assert r.status_code == 200 and "同一外部单号的其他行有错误" in r.text and "手机号不一致" in r.text
    assert "将导入 0 行" in r.text and 'name="csv_text"' not in r.text  # nothing to confirm


def test_csv_rejects_bad_files(owner_client, shop):
    cases = [
        (b"", "文件是空的"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel 工作簿"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "不是文本文件"),
        ("手机号,姓名,商品,数量\n".encode(), "只有表头"),
        ("name,qty\n张,1\n".encode(), "缺少"),
        (b"x" * (2 * 1024 * 1024 + 10), "超过 2 MB"),
    ]
    for data, message in cases:
        r = _upload(owner_client, shop, data)
        assert r.status_code == 400 and message in r.text, message
    r = owner_client.post(_url(shop, "/csv/preview"), data={}, content_type="multipart/form-data")
    assert r.status_code == 400 and "请先选择 CSV 文件" in r.text


def test_csv_template_downloads(owner_client):
    r = owner_client.get("/store/orders/csv-template")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.startswith("\ufeff手机号".encode())


def test_closed_campaign_can_be_previewed_but_not_imported(owner_client, shop, db):
    db.session.get(Campaign, shop.campaign.id).status = "closed"
    db.session.commit()
    page = owner_client.get(_url(shop, "/paste"))
    assert page.status_code == 200 and "已停止接单" in page.text
    r = owner_client.post(_url(shop, "/paste/preview"), data={"text": PASTE}, headers=HX)
    assert r.status_code == 200 and 'id="jl-confirm"' not in r.text


def test_too_many_lines_is_400(owner_client, shop):
    text = "\n".join(f"{i}. 张姐 蓝莓1" for i in range(1, 1003))
    r = owner_client.post(_url(shop, "/paste/preview"), data={"text": text}, headers=HX)
    assert r.status_code == 400 and "一次最多 1000 行" in r.text


def test_staff_cannot_use_the_owner_pages(hq_client, shop):
    assert hq_client.get("/store/orders/").status_code == 403
    assert hq_client.post(_url(shop, "/paste/preview"), data={"text": PASTE}).status_code == 403
