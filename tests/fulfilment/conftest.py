"""A delivery day's batch on top of the shared world (store A mostly, one order of B)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest

from tests.factories import gen_product
from workbench.models import (
    Building,
    Campaign,
    Category,
    Member,
    Order,
    OrderItem,
    PickupPoint,
    Supplier,
)

_seq = count(1)
DAY = date(2031, 5, 20)  # far from "today", so the world's own orders never mix in


@dataclass
class Batch:
    day: date
    campaign: Campaign
    point2: PickupPoint  # store A's second pickup point
    buildings: dict[str, Building]
    members: dict[str, Member]
    orders: dict[str, Order] = field(default_factory=dict)
    products: dict[str, object] = field(default_factory=dict)
    other_store_order: Order | None = None


def add_order(session, store, member, campaign, point, status, items, code=None) -> Order:
    total = sum(q * p.price_fen for p, q in items)
    order = Order(code=code or f"F{next(_seq):07d}", store_id=store.id, member_id=member.id,
                  campaign_id=campaign.id if campaign else None, pickup_point_id=point.id if point else None,
                  status=status, source="demo", total_fen=total,
                  placed_at=datetime(2031, 5, 18, 2, 0, tzinfo=UTC))
    session.add(order)
    session.flush()
    for p, q in items:
        session.add(OrderItem(order_id=order.id, product_id=p.id, quantity=q, unit_price_fen=p.price_fen,
                              list_price_fen=p.price_fen, amount_fen=q * p.price_fen))
    session.flush()
    return order


def build_batch(session, world, day: date = DAY) -> Batch:
    a = world.a
    fruit = session.get(Category, world.products[0].category_id)
    veg_supplier = Supplier(name="绿野蔬菜")
    session.add(veg_supplier)
    session.flush()
    grape, yogurt = world.products[0], world.products[1]
    cabbage = gen_product(session, fruit, veg_supplier, "有机小白菜", 590, spec="300g/袋", unit="袋")
    campaign = Campaign(store_id=a.store.id, title="周三蔬果团", starts_at=datetime(2031, 5, 15, tzinfo=UTC),
                        ends_at=datetime(2031, 5, 18, tzinfo=UTC), pickup_on=day, status="grouped")
    session.add(campaign)
    point2 = PickupPoint(store_id=a.store.id, community_id=a.community.id, name="东门快递柜")
    b2 = Building(community_id=a.community.id, name="2栋", household_type="mixed", households=50)
    b10 = Building(community_id=a.community.id, name="10栋", household_type="mixed", households=50)
    session.add_all([point2, b2, b10])
    session.flush()
    buildings = {"2栋": b2, "3栋": a.building, "10栋": b10}

    def member(name, building, room, phone, opt_out=False):
        m = Member(store_id=a.store.id, community_id=a.community.id, building_id=building.id if building else None,
                   phone=phone, name=name, room=room, joined_on=day - timedelta(days=30), push_opt_out=opt_out,
                   pickup_code=f"9{next(_seq):05d}")
        session.add(m)
        session.flush()
        return m

    members = {
        "王阿姨": member("王阿姨", b10, "1单元502", "13911112222"),
        "李先生": member("李先生", b2, "1单元1001", "13933334444"),
        "张女士": member("张女士", b2, "1单元502", "13955556666", opt_out=True),
        "赵老师": member("赵老师", None, "", "13977778888"),
    }
    batch = Batch(day, campaign, point2, buildings, members,
                  products={"grape": grape, "yogurt": yogurt, "cabbage": cabbage})
    p1 = a.pickup_point
    o = batch.orders
    o["wang"] = add_order(session, a.store, members["王阿姨"], campaign, p1, "shipped", [(grape, 2), (cabbage, 1)])
    o["li"] = add_order(session, a.store, members["李先生"], campaign, p1, "shipped", [(cabbage, 3)])
    o["zhang"] = add_order(session, a.store, members["张女士"], campaign, p1, "shipped", [(yogurt, 1)])
    o["zhao"] = add_order(session, a.store, members["赵老师"], campaign, point2, "grouped", [(grape, 1)])
    o["packed"] = add_order(session, a.store, members["李先生"], campaign, point2, "packed", [(yogurt, 4)])
    # Not in the batch: picked up already, still only paid, refunded.
    o["picked"] = add_order(session, a.store, members["王阿姨"], campaign, p1, "picked_up", [(grape, 9)])
    o["paid"] = add_order(session, a.store, members["王阿姨"], campaign, p1, "paid", [(grape, 7)])
    o["refunded"] = add_order(session, a.store, members["李先生"], campaign, p1, "refunded", [(grape, 5)])
    # Store B's batch on the same day: must never show up in A's lists.
    b = world.b
    b_campaign = Campaign(store_id=b.store.id, title="和平苑蔬果团", starts_at=datetime(2031, 5, 15, tzinfo=UTC),
                          ends_at=datetime(2031, 5, 18, tzinfo=UTC), pickup_on=day, status="grouped")
    session.add(b_campaign)
    session.flush()
    batch.other_store_order = add_order(session, b.store, b.members[0], b_campaign, b.pickup_point, "shipped",
                                        [(grape, 6)], code="BSTORE0001")
    session.commit()
    return batch


@pytest.fixture
def batch(db, world) -> Batch:
    return build_batch(db.session, world)
