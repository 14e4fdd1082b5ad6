"""Preview and import against the database: idempotency, one transaction, new members."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.intake.conftest import PASTE
from workbench.intake import services
from workbench.models import Member, Order, OrderEvent, OrderItem
from workbench.types import utcnow


def _ctx(db, world, shop):
    return services.StoreContext.load(db.session, world.a.store.id, shop.campaign.id)


def _count(db, model, **where):
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    return db.session.scalar(stmt)


def _import(db, world, shop, text, fixes=None):
    ctx = _ctx(db, world, shop)
    preview = services.build_preview(db.session, ctx, text, fixes)
    result = services.import_preview(db.session, ctx, preview, actor_id=world.owner_a.id, now=utcnow(),
                                     today=date.today())
    db.session.commit()
    return preview, result


def test_preview_reads_each_line(db, world, shop):
    preview = services.build_preview(db.session, _ctx(db, world, shop), PASTE)
    assert [pl.status for pl in preview.lines] == ["ignored", "ignored", "ignored", "ready", "ready", "fix", "ready"]
    zhang = preview.lines[3]
    assert zhang.member.id == shop.zhang.id
    assert [(i.product.name, i.quantity) for i in zhang.items] == [("蓝莓", 2), ("低糖酸奶", 1)]
    assert preview.lines[5].problems == ["product_none"]  # 榴莲: not in this campaign
    assert preview.lines[6].new_member.phone == "13912345678"


def test_import_creates_placed_orders_once(db, world, shop):
    _preview, result = _import(db, world, shop, PASTE)
    assert len(result.created_codes) == 3 and result.new_members == 1 and result.skipped == 1
    orders = db.session.scalars(select(Order).where(Order.source == "jielong")).all()
    assert {o.status for o in orders} == {"placed"}
    zhang = next(o for o in orders if o.member_id == shop.zhang.id)
    assert zhang.total_fen == 2 * 2590 + 1090
    assert zhang.source_text == "1. 张姐 3栋1单元502 蓝莓×2 酸奶1"
    assert zhang.pickup_point_id == world.a.pickup_point.id and zhang.campaign_id == shop.campaign.id
    items = db.session.scalars(select(OrderItem).where(OrderItem.order_id == zhang.id)).all()
    assert {(i.quantity, i.unit_price_fen, i.list_price_fen) for i in items} == {(2, 2590, 2990), (1, 1090, 1290)}
    assert _count(db, OrderEvent, order_id=zhang.id, to_status="placed") == 1
    new = db.session.scalar(select(Member).where(Member.phone == "13912345678"))
    assert new.name == "小李" and new.store_id == world.a.store.id and len(new.pickup_code) == 6

    # The same paste again, and the chain grown by one line: only the new line lands.
    again = services.build_preview(db.session, _ctx(db, world, shop), PASTE)
    assert again.count("already") == 3 and again.count("ready") == 0
    grown = PASTE + "5. 王阿姨 蓝莓1\n"
    _p, result = _import(db, world, shop, grown.replace("1. 张姐", "9. 张姐"))
    assert len(result.created_codes) == 1 and result.already == 3
    assert _count(db, Order, source="jielong") == 4


def test_fixes_choose_product_quantity_member_and_skip(db, world, shop):
    fixes = services.parse_fixes({"p-6-0": str(shop.blueberry.id), "q-6-0": "３", "skip-7": "1",
                                  "m-4": str(shop.zhang.id)})
    preview = services.build_preview(db.session, _ctx(db, world, shop), PASTE, fixes)
    wang = preview.lines[5]
    assert wang.status == "ready" and [(i.product.name, i.quantity) for i in wang.items] == [("蓝莓", 3)]
    assert preview.lines[6].status == "skipped"


def test_bad_fixes_are_reported_not_applied(db, world, shop, app):
    other_member = world.b.members[0].id  # another store's member id: not in the list
    fixes = services.parse_fixes({"m-4": str(other_member), "q-6-0": "0", "phone-5": "12345"})
    preview = services.build_preview(db.session, _ctx(db, world, shop), PASTE, fixes)
    assert preview.lines[3].problems == ["member_invalid"]
    assert "phone_invalid" in preview.lines[4].problems
    assert "quantity_invalid" in preview.lines[5].problems


def test_new_member_from_name_and_room_needs_a_phone(db, world, shop):
    text = "1. 新邻居 3栋2单元808 蓝莓1\n"
    line = services.build_preview(db.session, _ctx(db, world, shop), text).lines[0]
    assert line.status == "fix" and line.problems == ["member_needs_phone"]
    _p, result = _import(db, world, shop, text, services.parse_fixes({"phone-1": "137 0000 9999"}))
    member = db.session.scalar(select(Member).where(Member.phone == "13700009999"))
    assert result.new_members == 1 and member.name == "新邻居" and member.room == "2单元808"
    assert member.building_id == world.a.building.id  # "3栋" found by its number


def test_a_failure_mid_import_leaves_nothing(db, world, shop, monkeypatch):
    ctx = _ctx(db, world, shop)
    preview = services.build_preview(db.session, ctx, PASTE)
    before = (_count(db, Order), _count(db, Member), _count(db, OrderItem), _count(db, OrderEvent))
    real_add = db.session.add
    calls = {"n": 0}

    def failing_add(obj):
        if isinstance(obj, OrderItem):
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("disk full")
        return real_add(obj)

    monkeypatch.setattr(db.session, "add", failing_add)
    with pytest.raises(RuntimeError):
        services.import_preview(db.session, ctx, preview, actor_id=None, now=utcnow(), today=date.today())
    monkeypatch.undo()
    db.session.rollback()
    assert (_count(db, Order), _count(db, Member), _count(db, OrderItem), _count(db, OrderEvent)) == before


def test_concurrent_second_import_hits_the_unique_key(db, world, shop):
    """Two confirms of one preview: the second flush raises, nothing of it stays."""
    from sqlalchemy.exc import IntegrityError

    ctx = _ctx(db, world, shop)
    stale = services.build_preview(db.session, ctx, PASTE)  # made before the first confirm
    _import(db, world, shop, PASTE)
    n = _count(db, Order)
    with pytest.raises(IntegrityError):
        services.import_preview(db.session, ctx, stale, actor_id=None, now=utcnow(), today=date.today())
    db.session.rollback()
    assert _count(db, Order) == n


def test_two_devices_confirming_at_once_import_once(db, world, shop, app):
    """Two sessions, each with its own preview, flush together: the database lets one win."""
    import threading

    from sqlalchemy.exc import IntegrityError, OperationalError
    from sqlalchemy.orm import Session

    store_id, campaign_id = world.a.store.id, shop.campaign.id
    barrier = threading.Barrier(2, timeout=20)
    results: list = []

    def confirm() -> None:
        with app.app_context(), Session(db.engine) as session:
            ctx = services.StoreContext.load(session, store_id, campaign_id)
            preview = services.build_preview(session, ctx, PASTE)
            barrier.wait()
            try:
                result = services.import_preview(session, ctx, preview, actor_id=None, now=utcnow(),
                                                 today=date.today())
                session.commit()
                results.append(len(result.created_codes))
            except (IntegrityError, OperationalError) as exc:  # SQLite may say "locked" instead
                session.rollback()
                results.append(type(exc).__name__)

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results, key=str)[0] == 3 and len(results) == 2, results
    assert results.count(3) == 1
    db.session.expire_all()
    assert _count(db, Order, source="jielong") == 3
    assert db.session.scalar(select(func.count()).select_from(Member).where(Member.phone == "13912345678")) == 1


def test_an_edited_line_is_new_but_the_owner_is_told(db, world, shop):
    _import(db, world, shop, PASTE)
    edited = PASTE.replace("蓝莓×2 酸奶1", "蓝莓×3 酸奶1")
    zhang = services.build_preview(db.session, _ctx(db, world, shop), edited).lines[3]
    assert zhang.status == "ready" and len(zhang.earlier_codes) == 1


def test_a_csv_row_with_a_slip_is_an_error_not_a_correction(db, world, shop):
    """A file is exported by a program, not typed in a chat: 兰莓 there is no 蓝莓."""
    from workbench.intake import csvimport

    ctx = _ctx(db, world, shop)
    rows = csvimport.read_rows("手机号,姓名,楼栋,房号,商品,数量,外部单号\n13700001111,张姐,3栋,1单元502,兰莓,2,W9\n")
    preview = csvimport.build_csv_preview(ctx, rows, {})
    assert preview.count("error") == 1 and "兰莓" in " ".join(preview.rows[0].errors)
