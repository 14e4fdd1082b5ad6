"""A small, fully controlled store for the owner services' worked examples."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import count

import pytest

from workbench.models import (
    Brand,
    Building,
    Category,
    Community,
    Member,
    Order,
    OrderItem,
    Product,
    Region,
    Store,
    Supplier,
)
from workbench.timeutil import day_start_utc

#: The day the examples are computed for (a Monday) and noon of it in Shanghai.
TODAY = date(2026, 11, 23)
NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def shanghai(local: datetime) -> datetime:
    """The aware UTC instant of a naive Shanghai wall-clock time."""
    return day_start_utc(local.date()) + (local - datetime.combine(local.date(), time.min))


@dataclass
class Shop:
    session: object
    store: Store
    other: Store  # a second store whose rows must never count
    community: Community
    building: Building
    fruit: Category
    dairy: Category
    grapes: Product
    yogurt: Product
    member: Member
    other_member: Member
    _codes = count(1)

    def order(self, *, local: datetime, items: list[tuple[Product, int]], status: str = "paid",
              store: Store | None = None, member: Member | None = None, **kw) -> Order:
        """An order placed at ``local`` (a naive Shanghai time) with ``items`` at list price."""
        store = store or self.store
        member = member or (self.member if store is self.store else self.other_member)
        placed = shanghai(local)
        total = sum(p.price_fen * q for p, q in items)
        order = Order(code=f"T{next(self._codes):07d}", store_id=store.id, member_id=member.id, status=status,
                      source="demo", total_fen=total, placed_at=placed, **kw)
        self.session.add(order)
        self.session.flush()
        for p, q in items:
            self.session.add(OrderItem(order_id=order.id, product_id=p.id, quantity=q, unit_price_fen=p.price_fen,
                                       list_price_fen=p.price_fen, amount_fen=p.price_fen * q))
        self.session.flush()
        return order


@pytest.fixture
def shop(db):
    s = db.session
    brand = Brand(name="测试品牌")
    s.add(brand)
    s.flush()
    region = Region(brand_id=brand.id, name="测试区")
    s.add(region)
    s.flush()
    store = Store(region_id=region.id, code="T01", name="测试店", city="杭州", opened_on=date(2025, 1, 1))
    other = Store(region_id=region.id, code="T02", name="隔壁店", city="杭州", opened_on=date(2025, 1, 1))
    s.add_all([store, other])
    s.flush()
    community = Community(store_id=store.id, name="阳光小区", profile="premium", households=400)
    other_community = Community(store_id=other.id, name="隔壁小区", profile="elderly", households=100)
    s.add_all([community, other_community])
    s.flush()
    building = Building(community_id=community.id, name="1栋", household_type="young_family", households=100)
    s.add(building)
    fruit, dairy = Category(code="fruit", name="水果"), Category(code="dairy", name="乳品")
    supplier = Supplier(name="测试供应商")
    s.add_all([fruit, dairy, supplier])
    s.flush()
    grapes = Product(sku="G1", name="葡萄", category_id=fruit.id, supplier_id=supplier.id, spec="500g", unit="盒",
                     price_fen=3000, cost_fen=2000, shelf_life_days=5)
    yogurt = Product(sku="Y1", name="酸奶", category_id=dairy.id, supplier_id=supplier.id, spec="1L", unit="瓶",
                     price_fen=1000, cost_fen=600, shelf_life_days=10)
    s.add_all([grapes, yogurt])
    s.flush()
    member = Member(store_id=store.id, community_id=community.id, building_id=building.id, phone="13800001111",
                    name="王阿姨", room="2单元301", joined_on=date(2026, 1, 1))
    other_member = Member(store_id=other.id, community_id=other_community.id, phone="13900002222", name="李叔",
                          joined_on=date(2026, 1, 1))
    s.add_all([member, other_member])
    s.flush()
    return Shop(s, store, other, community, building, fruit, dairy, grapes, yogurt, member, other_member)
