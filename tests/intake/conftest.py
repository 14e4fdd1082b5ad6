"""Intake fixtures: a campaign with products members write in many ways, and members to match."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import gen_product
from workbench.models import Building, CampaignProduct, Category, Member, Supplier
from workbench.orders.models import Campaign

PASTE = """#接龙
周末水果团 周六提货
例：1. 张三 3栋502 蓝莓×2
1. 张姐 3栋1单元502 蓝莓×2 酸奶1
2. 138****0001 土鸡蛋 30枚
3. 王阿姨 榴莲两盒
4. 13912345678 小李 酸奶*3
"""


@dataclass
class Shop:
    campaign: Campaign
    blueberry: CampaignProduct
    yoghurt: CampaignProduct
    eggs: CampaignProduct
    zhang: Member
    wang: Member


@pytest.fixture
def shop(db, world):
    return make_shop(db.session, world)


def make_shop(session, world) -> Shop:
    """Store A's campaign sells 蓝莓 / 低糖酸奶 / 散养土鸡蛋; 张姐 (3栋1单元502) and 王阿姨 are members."""
    sw = world.a
    category = session.query(Category).first()
    supplier = session.query(Supplier).first()
    blueberry = gen_product(session, category, supplier, "蓝莓", 2990, spec="125g/盒", unit="盒", aliases=["蓝梅"])
    eggs = gen_product(session, category, supplier, "散养土鸡蛋", 3500, spec="30枚/盒", unit="盒", aliases=["土鸡蛋"])
    campaign = sw.campaign
    cps = []
    for product, price in ((blueberry, 2590), (world.products[1], 1090), (eggs, 2990)):
        cp = CampaignProduct(campaign_id=campaign.id, product_id=product.id, group_price_fen=price, threshold_qty=5)
        session.add(cp)
        cps.append(cp)
    building = session.query(Building).filter_by(community_id=sw.community.id).one()
    zhang = Member(store_id=sw.store.id, community_id=sw.community.id, building_id=building.id,
                   phone="13700001111", name="张姐", room="1单元502", joined_on=sw.members[0].joined_on,
                   pickup_code="900001")
    wang = Member(store_id=sw.store.id, community_id=sw.community.id, building_id=None,
                  phone="13700002222", name="王阿姨", room="", joined_on=sw.members[0].joined_on,
                  pickup_code="900002")
    session.add_all([zhang, wang])
    session.commit()
    return Shop(campaign, cps[0], cps[1], cps[2], zhang, wang)
