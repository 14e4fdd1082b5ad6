"""What the card builders read about one store (and the brand), loaded in a few queries.

Days are local (Asia/Shanghai) and kept as offsets from the card day D (−1 = yesterday),
so the builders never touch time zones. Sales are order lines of orders that were not
cancelled or failed, dated by when the order was placed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy import and_, func, select

from workbench.catalog.models import Category, Product, StockBatch
from workbench.members.models import Interaction, Member, MemberTag, Tag
from workbench.orders.models import Campaign, CampaignProduct, Order, OrderItem
from workbench.stores.models import Community, Store, Weather
from workbench.suggestions import stocking
from workbench.timeutil import day_start_utc

HISTORY_DAYS = 91  # 13 weeks: weekday patterns, tag spend, price response, baskets
EXCLUDED = ("cancelled", "failed")
RUNNING_CAMPAIGNS = ("active", "grouped")
SHANGHAI_OFFSET_S = 8 * 3600


@dataclass(frozen=True)
class ProductInfo:
    id: int
    name: str
    category_id: int
    category: str
    category_code: str
    price_fen: int
    cost_fen: int
    shelf_life_days: int
    attributes: tuple[str, ...]


@dataclass
class Catalogue:
    """Active products and brand-wide figures shared by every store of a run."""

    products: dict[int, ProductInfo]
    #: category id → (elasticity, rows) measured over all stores' discounted days, shrunk
    #: towards ``brand_elasticity_all`` (``stocking.shrink``)
    brand_elasticity: dict[int, tuple[float, int]] = field(default_factory=dict)
    #: all categories together: the prior each category's estimate is pulled towards
    brand_elasticity_all: float = 2.0
    #: (profile, product id) → mean daily units per store over the last 28 days
    profile_daily: dict[tuple[str, int], float] = field(default_factory=dict)
    #: profile → number of stores with sales behind ``profile_daily``
    profile_stores: dict[str, int] = field(default_factory=dict)
    store_profile: dict[int, str] = field(default_factory=dict)
    #: (tag name, category id) → the brand's lift (shrunk towards 1): how much more often
    #: the tag's members' orders hold the category than all orders do
    brand_tag_lift: dict[tuple[str, int], float] = field(default_factory=dict)
    #: category id → standard error of ``brand_elasticity``
    brand_elasticity_se: dict[int, float] = field(default_factory=dict)


@dataclass
class StoreData:
    store_id: int
    day: date
    profile: str
    city: str
    # Order lines over the history: one entry per line (numpy arrays of equal length).
    product: np.ndarray
    offset: np.ndarray  # local day − D (negative)
    hour: np.ndarray  # local hour placed
    qty: np.ndarray
    unit_fen: np.ndarray
    list_fen: np.ndarray
    member: np.ndarray
    order: np.ndarray
    batches: list  # StockBatch rows with quantity > 0, not yet expired on D
    campaign_price: dict[int, int]  # product → group price on D
    talk_kind: np.ndarray
    talk_topic: np.ndarray  # object array (None when about a product only)
    talk_product: np.ndarray
    talk_offset: np.ndarray
    talk_hour: np.ndarray
    temp_today: int | None
    temp_by_offset: dict[int, int]
    tag_members: dict[str, set[int]]  # tag name → members who may be pushed to
    sales_days: int  # local days with any sale in the last 28
    opted_out: set[int] = field(default_factory=set)  # members who take no messages

    def usual_units(self, days: int) -> dict[int, float]:
        """product → mean units a day over the last ``days`` days."""
        keep = self.offset >= -days
        out: dict[int, float] = defaultdict(float)
        for p, q in zip(self.product[keep].tolist(), self.qty[keep].tolist(), strict=True):
            out[p] += q / days
        return dict(out)

    def reachable_buyers(self, category_ids: set[int], catalogue: Catalogue, days: int = 28) -> int:
        """Members (who take messages) that bought any of ``category_ids`` in the last ``days`` days."""
        keep = self.offset >= -days
        buyers = {int(m) for m, p in zip(self.member[keep].tolist(), self.product[keep].tolist(), strict=True)
                  if p in catalogue.products and catalogue.products[p].category_id in category_ids}
        return len(buyers - self.opted_out)

    def units_by_product_day(self, days: int) -> dict[int, np.ndarray]:
        """product → (days,) units for offsets −days … −1."""
        keep = self.offset >= -days
        out: dict[int, np.ndarray] = {}
        for p in np.unique(self.product[keep]):
            sel = keep & (self.product == p)
            out[int(p)] = np.bincount(self.offset[sel] + days, weights=self.qty[sel], minlength=days)[:days]
        return out


def _local(instants) -> tuple[np.ndarray, np.ndarray]:
    """Aware UTC datetimes → (local epoch day, local hour) arrays."""
    # numpy parses naive datetimes in bulk; per-value .timestamp() was the slowest line of a run.
    naive = np.array([v.replace(tzinfo=None) for v in instants], dtype="datetime64[s]")
    secs = naive.astype(np.int64) + SHANGHAI_OFFSET_S
    return secs // 86_400, (secs % 86_400) // 3600


def _epoch_day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def load_catalogue(session, day: date) -> Catalogue:
    """Products, the brand's price response per category, and profile averages."""
    rows = session.execute(
        select(Product, Category.name, Category.code).join(Category, Category.id == Product.category_id)
        .where(Product.is_active)
    ).all()
    products = {
        p.id: ProductInfo(p.id, p.name, p.category_id, name, code, p.price_fen, p.cost_fen, p.shelf_life_days,
                          tuple(p.attributes or ()))
        for p, name, code in rows
    }
    cat = Catalogue(products=products)
    cat.store_profile = store_profiles(session)

    # Brand price response: campaign product-days of every store (see stocking.estimate_elasticity).
    start = day_start_utc(day - timedelta(days=HISTORY_DAYS))
    camp = session.execute(
        select(Order.store_id, Order.placed_at, OrderItem.product_id, OrderItem.quantity,
               OrderItem.unit_price_fen, OrderItem.list_price_fen)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.placed_at >= start, Order.placed_at < day_start_utc(day),
               Order.status.not_in(EXCLUDED), OrderItem.unit_price_fen < OrderItem.list_price_fen)
    ).all()
    if camp:
        days, _ = _local([r.placed_at for r in camp])
        cells: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for r, d in zip(camp, days.tolist(), strict=True):
            c = cells[(r.store_id, r.product_id, d)]
            c[0] += r.quantity
            c[1] += r.quantity * (1.0 - r.unit_price_fen / r.list_price_fen)
            c[2] += r.quantity
        by_cat: dict[int, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
        pooled: tuple[list, list, list] = ([], [], [])
        for (s, p, _d), (units, depth_sum, n) in cells.items():
            info = products.get(p)
            if info is None:
                continue
            g, dep, u = by_cat[info.category_id]
            for lists in ((g, dep, u), pooled):
                lists[0].append((s, p))
                lists[1].append(depth_sum / n)
                lists[2].append(units)
        overall = stocking.estimate_elasticity(*pooled)
        if overall is not None:
            cat.brand_elasticity_all = overall[0]
        for cid, (g, dep, u) in by_cat.items():
            est = stocking.estimate_elasticity_se(g, dep, u)
            if est is not None:
                value, se = stocking.pool_response(est[0], est[2], cat.brand_elasticity_all)
                cat.brand_elasticity[cid] = (value, est[1])
                cat.brand_elasticity_se[cid] = se

    # Profile averages for cold starts: units per store-day over the last 28 days.
    since = day_start_utc(day - timedelta(days=28))
    sums = session.execute(
        select(Order.store_id, OrderItem.product_id, func.sum(OrderItem.quantity))
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.placed_at >= since, Order.placed_at < day_start_utc(day), Order.status.not_in(EXCLUDED))
        .group_by(Order.store_id, OrderItem.product_id)
    ).all()
    store_units: dict[int, float] = defaultdict(float)
    for s, _p, q in sums:
        store_units[s] += float(q)
    # Only established stores (a real month of sales) make the average.
    established = {s for s, q in store_units.items() if q >= 28}
    totals: dict[tuple[str, int], float] = defaultdict(float)
    for s, p, q in sums:
        if s in established:
            totals[(cat.store_profile.get(s, "mixed"), p)] += float(q)
    for s in established:
        prof = cat.store_profile.get(s, "mixed")
        cat.profile_stores[prof] = cat.profile_stores.get(prof, 0) + 1
    cat.profile_daily = {k: v / (28.0 * cat.profile_stores[k[0]]) for k, v in totals.items()}
    cat.brand_tag_lift = brand_tag_lifts(session, since, day_start_utc(day), products)
    return cat


def brand_tag_lifts(session, start, end, products: dict[int, ProductInfo]) -> dict[tuple[str, int], float]:
    """(tag, category id) → lift of the tag's orders holding the category, over all stores, shrunk to 1."""
    from workbench.suggestions.signals import shrunk_lift

    orders = select(Order.id, Order.member_id).where(
        Order.placed_at >= start, Order.placed_at < end, Order.status.not_in(EXCLUDED)).subquery()
    total = session.scalar(select(func.count()).select_from(orders)) or 0
    if not total:
        return {}
    by_cat = dict(session.execute(
        select(Product.category_id, func.count(func.distinct(orders.c.id)))
        .join(OrderItem, OrderItem.order_id == orders.c.id).join(Product, Product.id == OrderItem.product_id)
        .group_by(Product.category_id)).all())
    tagged = select(Tag.name, MemberTag.member_id).join(MemberTag, MemberTag.tag_id == Tag.id).subquery()
    by_tag = dict(session.execute(
        select(tagged.c.name, func.count(orders.c.id)).join(tagged, tagged.c.member_id == orders.c.member_id)
        .group_by(tagged.c.name)).all())
    out = {}
    for tag, cid, hits in session.execute(
        select(tagged.c.name, Product.category_id, func.count(func.distinct(orders.c.id)))
        .join(tagged, tagged.c.member_id == orders.c.member_id)
        .join(OrderItem, OrderItem.order_id == orders.c.id).join(Product, Product.id == OrderItem.product_id)
        .group_by(tagged.c.name, Product.category_id)).all():
        lift, _low = shrunk_lift(int(hits), int(by_tag.get(tag, 0)), by_cat.get(cid, 0) / total)
        out[(tag, cid)] = lift
    return out


def store_profiles(session) -> dict[int, str]:
    """Each store's profile: that of its largest compound."""
    out: dict[int, tuple[int, str]] = {}
    for sid, profile, households in session.execute(
            select(Community.store_id, Community.profile, Community.households)).all():
        if sid not in out or households > out[sid][0]:
            out[sid] = (households, profile)
    return {s: v[1] for s, v in out.items()}


def load_store(session, store_id: int, day: date, catalogue: Catalogue) -> StoreData:
    """Everything the builders need about ``store_id`` for card day ``day``."""
    store = session.get(Store, store_id)
    if store is None:
        raise LookupError(f"no store {store_id}")
    start_day = day - timedelta(days=HISTORY_DAYS)
    start, end = day_start_utc(start_day), day_start_utc(day)
    d0 = _epoch_day(day)
    lines = session.execute(
        select(Order.id, Order.member_id, Order.placed_at, OrderItem.product_id, OrderItem.quantity,
               OrderItem.unit_price_fen, OrderItem.list_price_fen)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.store_id == store_id, Order.placed_at >= start, Order.placed_at < end,
               Order.status.not_in(EXCLUDED))
    ).all()
    if lines:
        ld, lh = _local([r.placed_at for r in lines])
        cols = list(zip(*[(r.id, r.member_id, r.product_id, r.quantity, r.unit_price_fen, r.list_price_fen)
                          for r in lines], strict=True))
        order, member, product, qty, unit, lst = (np.array(c, dtype=np.int64) for c in cols)
        offset = ld - d0
    else:
        order = member = product = qty = unit = lst = offset = lh = np.zeros(0, dtype=np.int64)

    batches = session.scalars(
        select(StockBatch).where(StockBatch.store_id == store_id, StockBatch.quantity > 0,
                                 StockBatch.expires_on >= day)
    ).all()

    day_start, day_end = day_start_utc(day), day_start_utc(day + timedelta(days=1))
    campaign_price: dict[int, int] = {}
    for pid, price in session.execute(
        select(CampaignProduct.product_id, CampaignProduct.group_price_fen)
        .join(Campaign, Campaign.id == CampaignProduct.campaign_id)
        .where(Campaign.store_id == store_id, Campaign.status.in_(RUNNING_CAMPAIGNS),
               Campaign.starts_at < day_end, Campaign.ends_at > day_start)
    ).all():
        campaign_price[pid] = min(price, campaign_price.get(pid, price))

    talk = session.execute(
        select(Interaction.kind, Interaction.topic, Interaction.product_id, Interaction.occurred_at)
        .where(Interaction.store_id == store_id, Interaction.occurred_at >= day_start_utc(day - timedelta(days=56)),
               Interaction.occurred_at < end)
    ).all()
    if talk:
        td, th = _local([r.occurred_at for r in talk])
        talk_kind = np.array([r.kind for r in talk], dtype=object)
        talk_topic = np.array([r.topic for r in talk], dtype=object)
        talk_product = np.array([r.product_id if r.product_id is not None else -1 for r in talk], dtype=np.int64)
        talk_offset = td - d0
    else:
        talk_kind = talk_topic = np.zeros(0, dtype=object)
        talk_product = talk_offset = th = np.zeros(0, dtype=np.int64)

    temps = dict(session.execute(
        select(Weather.day, Weather.temp_high_c).where(Weather.city == store.city, Weather.day >= start_day,
                                                      Weather.day <= day)
    ).all())
    temp_by_offset = {(d - day).days: t for d, t in temps.items()}

    opted_out = set(session.scalars(select(Member.id).where(Member.store_id == store_id,
                                                          Member.push_opt_out.is_(True))).all())
    tag_members: dict[str, set[int]] = defaultdict(set)
    for name, mid in session.execute(
        select(Tag.name, MemberTag.member_id).join(MemberTag, MemberTag.tag_id == Tag.id)
        .join(Member, and_(Member.id == MemberTag.member_id, Member.store_id == store_id))
        .where(Member.push_opt_out.is_(False))
    ).all():
        tag_members[name].add(mid)

    recent = offset >= -28
    return StoreData(
        store_id=store_id, day=day, profile=catalogue.store_profile.get(store_id, "mixed"), city=store.city,
        product=product, offset=offset, hour=lh, qty=qty, unit_fen=unit, list_fen=lst, member=member,
        order=order, batches=list(batches), campaign_price=campaign_price, talk_kind=talk_kind,
        talk_topic=talk_topic, talk_product=talk_product, talk_offset=talk_offset, talk_hour=th,
        temp_today=temp_by_offset.get(0), temp_by_offset=temp_by_offset, tag_members=dict(tag_members),
        sales_days=int(len(np.unique(offset[recent]))), opted_out=opted_out,
    )
