"""The lists as pure services over a worked example (tests/fulfilment/conftest.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.fulfilment.conftest import DAY, add_order
from workbench.fulfilment import lists
from workbench.fulfilment.lists import natural_key


def test_natural_sort_of_buildings_and_rooms():
    assert sorted(["10栋", "2栋", "3栋", "1栋"], key=natural_key) == ["1栋", "2栋", "3栋", "10栋"]
    assert sorted(["1单元1001", "1单元502", "2单元101", "1单元0503"], key=natural_key) == [
        "1单元502", "1单元0503", "1单元1001", "2单元101"]
    assert sorted(["B座12", "A座3", "A座20"], key=natural_key) == ["A座3", "A座20", "B座12"]
    # Mixed shapes never compare an int with a str, and empty sorts last.
    assert sorted(["", "5", "栋", "5栋", "05"], key=natural_key)[-1] == ""
    assert natural_key("  2栋 ") == natural_key("2栋")


def test_batch_rule(db, world, batch):
    lines = lists.batch_lines(db.session, [world.a.store.id], DAY)
    codes = {ln.order_code for ln in lines}
    o = batch.orders
    assert codes == {o[k].code for k in ("wang", "li", "zhang", "zhao", "packed")}
    assert {ln.status for ln in lines} == {"shipped", "grouped", "packed"}
    assert lists.picked_up_count(db.session, [world.a.store.id], DAY) == 1
    summary = lists.summarise(lines, DAY, 1)
    assert (summary.orders, summary.members, summary.units, summary.picked_up) == (5, 4, 12, 1)
    # Another store's batch stays out; another day has nothing.
    assert batch.other_store_order.code not in codes
    assert lists.batch_lines(db.session, [world.a.store.id], DAY + timedelta(days=1)) == []
    assert lists.batch_lines(db.session, [], DAY) == []


def test_orders_without_a_campaign_are_not_in_any_batch(db, world, batch):
    add_order(db.session, world.a.store, batch.members["王阿姨"], None, world.a.pickup_point, "shipped",
              [(batch.products["grape"], 1)], code="NOCAMPAIGN1")
    assert "NOCAMPAIGN1" not in {ln.order_code for ln in lists.batch_lines(db.session, [world.a.store.id], DAY)}


def test_phones_are_masked(db, world, batch):
    lines = lists.batch_lines(db.session, [world.a.store.id], DAY)
    wang = next(ln for ln in lines if ln.member_name == "王阿姨")
    assert wang.phone == "139****2222"
    assert all("****" in ln.phone for ln in lines)


def test_default_day(db, world, batch):
    ids = [world.a.store.id]
    assert lists.default_day(db.session, ids, DAY - timedelta(days=3)) == DAY
    assert lists.default_day(db.session, ids, DAY) == DAY
    later = DAY + timedelta(days=1)
    assert lists.default_day(db.session, ids, later) == later, "nothing ahead: today"
    assert lists.default_day(db.session, [], date(2030, 1, 1)) == date(2030, 1, 1)


def test_purchase_totals_per_supplier_and_point(db, world, batch):
    plist = lists.purchase_list(lists.batch_lines(db.session, [world.a.store.id], DAY))
    assert [s.name for s in plist.suppliers] == sorted(["绿野蔬菜", "鲜果供应链"], key=natural_key)
    p1, p2 = world.a.pickup_point, batch.point2
    keys = {p.name: p.key for p in plist.points}
    assert set(keys) == {p1.name, p2.name}
    rows = {r.product: r for s in plist.suppliers for r in s.rows}
    assert rows["阳光玫瑰葡萄"].total == 3
    assert rows["阳光玫瑰葡萄"].by_point == {keys[p1.name]: 2, keys[p2.name]: 1}
    assert rows["有机小白菜"].total == 4 and rows["有机小白菜"].by_point == {keys[p1.name]: 4}
    assert rows["有机小白菜"].spec == "300g/袋" and rows["有机小白菜"].unit == "袋"
    assert rows["低糖酸奶"].total == 5
    assert plist.total == 12
    veg = next(s for s in plist.suppliers if s.name == "绿野蔬菜")
    assert [r.product for r in veg.rows] == ["有机小白菜"] and veg.total == 4


def test_purchase_across_stores_keeps_points_apart(db, world, batch):
    plist = lists.purchase_list(lists.batch_lines(db.session, [world.a.store.id, world.b.store.id], DAY))
    grape = next(r for s in plist.suppliers for r in s.rows if r.product == "阳光玫瑰葡萄")
    assert grape.total == 9
    b_key = (world.b.store.id, world.b.pickup_point.id)
    assert grape.by_point[b_key] == 6
    assert {p.store_name for p in plist.points} == {world.a.store.name, world.b.store.name}


def _titles(groups):
    return [g.title for g in groups]


def test_sorting_by_product(db, world, batch):
    points = lists.sorting_list(lists.batch_lines(db.session, [world.a.store.id], DAY), "product")
    main = next(sp for sp in points if sp.point.point_id == world.a.pickup_point.id)
    assert sorted(_titles(main.groups)) == sorted(["阳光玫瑰葡萄", "有机小白菜", "低糖酸奶"])
    cabbage = next(g for g in main.groups if g.title == "有机小白菜")
    # 2栋 before 10栋 within a product.
    assert [(ln.building, ln.room, ln.quantity) for ln in cabbage.lines] == [("2栋", "1单元1001", 3),
                                                                              ("10栋", "1单元502", 1)]
    assert cabbage.total == 4 and main.total == 7


def test_sorting_by_building_then_room(db, world, batch):
    points = lists.sorting_list(lists.batch_lines(db.session, [world.a.store.id], DAY), "building")
    main = next(sp for sp in points if sp.point.point_id == world.a.pickup_point.id)
    assert _titles(main.groups) == ["2栋", "10栋"]
    assert [ln.room for ln in main.groups[0].lines] == ["1单元502", "1单元1001"]
    second = next(sp for sp in points if sp.point.point_id == batch.point2.id)
    assert _titles(second.groups) == ["2栋", ""], "members without a building come last"


def test_sorting_by_member(db, world, batch):
    points = lists.sorting_list(lists.batch_lines(db.session, [world.a.store.id], DAY), "member")
    main = next(sp for sp in points if sp.point.point_id == world.a.pickup_point.id)
    wang = next(g for g in main.groups if g.title == "王阿姨")
    assert "139****2222" in wang.subtitle and "10栋" in wang.subtitle and "1单元502" in wang.subtitle
    assert [ln.product for ln in wang.lines] == sorted(["阳光玫瑰葡萄", "有机小白菜"], key=natural_key)
    with pytest.raises(ValueError):
        lists.sorting_list([], "price")


def _slip_rows(slips):
    return [(s.title, [(ln.building, ln.room, ln.product) for ln in s.lines]) for s in slips]


def test_slips_building_room_product(db, world, batch):
    slips = lists.delivery_slips(lists.batch_lines(db.session, [world.a.store.id], DAY), "building-room-product")
    assert _slip_rows(slips) == [
        ("2栋", [("2栋", "1单元502", "低糖酸奶"), ("2栋", "1单元1001", "低糖酸奶"), ("2栋", "1单元1001", "有机小白菜")]),
        ("10栋", [("10栋", "1单元502", "有机小白菜"), ("10栋", "1单元502", "阳光玫瑰葡萄")]),
        ("", [("", "", "阳光玫瑰葡萄")]),
    ]
    assert slips[0].members == 2 and slips[0].total == 8


def test_slips_building_product_room(db, world, batch):
    slips = lists.delivery_slips(lists.batch_lines(db.session, [world.a.store.id], DAY), "building-product-room")
    assert _slip_rows(slips)[0] == (
        "2栋", [("2栋", "1单元502", "低糖酸奶"), ("2栋", "1单元1001", "低糖酸奶"), ("2栋", "1单元1001", "有机小白菜")])
    # Within 10栋 products come in product order, rooms after.
    assert [ln.product for ln in slips[1].lines] == sorted(["有机小白菜", "阳光玫瑰葡萄"], key=natural_key)


def test_slips_product_building_room(db, world, batch):
    slips = lists.delivery_slips(lists.batch_lines(db.session, [world.a.store.id], DAY), "product-building-room")
    grape = next(s for s in slips if s.title == "阳光玫瑰葡萄")
    assert [(ln.building, ln.room) for ln in grape.lines] == [("10栋", "1单元502"), ("", "")]
    yogurt = next(s for s in slips if s.title == "低糖酸奶")
    assert [(ln.building, ln.room) for ln in yogurt.lines] == [("2栋", "1单元502"), ("2栋", "1单元1001")]
    with pytest.raises(ValueError):
        lists.delivery_slips([], "room")


def test_one_query_per_list(db, world, batch):
    """No N+1: the lines of a day come from a single SELECT however many orders there are."""
    from sqlalchemy import event

    store_id = world.a.store.id  # loaded before counting
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        lines = lists.batch_lines(db.session, [store_id], DAY)
        lists.purchase_list(lines)
        lists.sorting_list(lines, "building")
        lists.delivery_slips(lines)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
