"""A delivery day's batch on top of the shared world (store A mostly, one order of B)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest

from tests.factories import gen_campaign, gen_member, gen_order, gen_product
from workbench.models import (
    Building,
    Campaign,
    Category,
    Member,
    Order,
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
    """An order placed on 2031-05-18 (before the batch's day) with ``items``: [(product, qty)]."""
    return gen_order(session, store, member, items, code=code, code_prefix="F", campaign=campaign,
                     pickup_point=point, status=status, placed_at=datetime(2031, 5, 18, 2, 0, tzinfo=UTC))


def build_batch(session, world, day: date = DAY) -> Batch:
    a = world.a
    fruit = session.get(Category, world.products[0].category_id)
    veg_supplier = Supplier(name="绿野蔬菜")
    session.add(veg_supplier)
    session.flush()
    grape, yogurt = world.products[0], world.products[1]
    cabbage = gen_product(session, fruit, veg_supplier, "有机小白菜", 590, spec="300g/袋", unit="袋")
    campaign = gen_campaign(session, a.store, title="周三蔬果团", starts_at=datetime(2031, 5, 15, tzinfo=UTC),
                            ends_at=datetime(2031, 5, 18, tzinfo=UTC), pickup_on=day, status="grouped")
    point2 = PickupPoint(store_id=a.store.id, community_id=a.community.id, name="东门快递柜")
    b2 = Building(community_id=a.community.id, name="2栋", household_type="mixed", households=50)
    b10 = Building(community_id=a.community.id, name="10栋", household_type="mixed", households=50)
    session.add_all([point2, b2, b10])
    session.flush()
    buildings = {"2栋": b2, "3栋": a.building, "10栋": b10}

    def member(name, building, room, phone, opt_out=False):
        return gen_member(session, a.store, a.community, building=building, phone=phone, name=name, room=room,
                          joined_on=day - timedelta(days=30), push_opt_out=opt_out, pickup_code=f"9{next(_seq):05d}")

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
    b_campaign = gen_campaign(session, b.store, title="和平苑蔬果团", starts_at=datetime(2031, 5, 15, tzinfo=UTC),
                              ends_at=datetime(2031, 5, 18, tzinfo=UTC), pickup_on=day, status="grouped")
    batch.other_store_order = add_order(session, b.store, b.members[0], b_campaign, b.pickup_point, "shipped",
                                        [(grape, 6)], code="BSTORE0001")
    session.commit()
    return batch


@pytest.fixture
def batch(db, world) -> Batch:
    return build_batch(db.session, world)
