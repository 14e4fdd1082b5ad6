"""A store with a commission plan and helpers to pick up and refund order items at given times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from tests import factories
from workbench.formatting import SHANGHAI
from workbench.models import (
    CommissionPlan,
    CommissionPlanVersion,
    CommissionRate,
    CommissionTier,
    OrderItem,
    Refund,
)

TIERS = ((0, 800), (2_000_000, 1000), (5_000_000, 1200))


def at(day: date, hour: int = 12) -> datetime:
    """The UTC instant of ``hour`` o'clock Shanghai time on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)


@dataclass
class Ledger:
    session: object
    world: factories.World
    plan: CommissionPlan

    @property
    def store(self):
        return self.world.a.store

    def version(self, since: date, mode: str = "whole", tiers=TIERS, after_sales_days: int = 7,
                category_bp: dict | None = None, product_bp: dict | None = None,
                campaign_bp: dict | None = None) -> CommissionPlanVersion:
        v = CommissionPlanVersion(plan_id=self.plan.id, effective_from=since, tier_mode=mode,
                                  after_sales_days=after_sales_days)
        self.session.add(v)
        self.session.flush()
        self.session.add_all([CommissionTier(version_id=v.id, min_gmv_fen=m, rate_bp=r) for m, r in tiers])
        for field_name, rates in (("category_id", category_bp), ("product_id", product_bp),
                                  ("campaign_id", campaign_bp)):
            for target, bp in (rates or {}).items():
                self.session.add(CommissionRate(version_id=v.id, rate_bp=bp, **{field_name: target}))
        self.session.flush()
        return v

    def pickup(self, day: date, amount_fen: int, *, product=None, hour: int = 12, store=None,
               campaign_id: int | None = None) -> OrderItem:
        """An order of one item (quantity 1) picked up at ``hour`` on local ``day``."""
        sw = store or self.world.a
        product = product or self.world.products[1]
        moment = at(day, hour)
        # The "CM" prefix lets the property tests delete exactly the orders made here.
        order = factories.gen_order(self.session, sw.store, sw.members[0], [(product, 1, amount_fen)],
                                    code_prefix="CM", status="picked_up", placed_at=moment, arrived_at=moment,
                                    picked_up_at=moment, campaign=campaign_id)
        return order.items[0]

    def refund(self, item: OrderItem, amount_fen: int, when: datetime) -> Refund:
        r = Refund(store_id=self.store.id, order_item_id=item.id, quantity=1, amount_fen=amount_fen,
                   reason="test", created_at=when)
        self.session.add(r)
        self.session.flush()
        return r


@pytest.fixture
def ledger(app, db, world):
    """Store A on a fresh plan (no versions yet: each test states its rules); other stores unplanned."""
    plan = CommissionPlan(name="测试方案")
    db.session.add(plan)
    db.session.flush()
    world.a.store.commission_plan_id = plan.id
    for sw in (world.b, world.c):
        sw.store.commission_plan_id = None
    # The world's own orders were picked up "now": keep them out of the months under test.
    for sw in (world.a, world.b, world.c):
        for o in sw.orders:
            o.picked_up_at = None
    db.session.commit()
    return Ledger(db.session, world, plan)
