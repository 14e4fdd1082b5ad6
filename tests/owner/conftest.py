"""A small, fully controlled store for the owner services' worked examples."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from tests.factories import gen_member, gen_order
from workbench.models import (
    Brand,
    Building,
    Category,
    Community,
    Member,
    Order,
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

    def order(self, *, local: datetime, items: list[tuple[Product, int]], status: str = "paid",
              store: Store | None = None, member: Member | None = None, **kw) -> Order:
        """An order placed at ``local`` (a naive Shanghai time) with ``items`` at list price."""
        store = store or self.store
        member = member or (self.member if store is self.store else self.other_member)
        return gen_order(self.session, store, member, items, code_prefix="T", status=status,
                         placed_at=shanghai(local), **kw)


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
    member = gen_member(s, store, community, building=building, phone="13800001111", name="王阿姨",
                        room="2单元301", joined_on=date(2026, 1, 1))
    other_member = gen_member(s, other, other_community, phone="13900002222", name="李叔",
                              joined_on=date(2026, 1, 1))
    return Shop(s, store, other, community, building, fruit, dairy, grapes, yogurt, member, other_member)
