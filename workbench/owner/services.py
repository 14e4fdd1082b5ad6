"""What the owner's five tabs show, computed for one store from the data there is.

Every function takes the session, the store's id and the local day (or instant) it is
for, and returns plain dataclasses; none of them reads the request. The owner views get
the store id from ``current_store()`` only, so every query here filters on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, distinct, extract, func, select
from sqlalchemy.orm import Session

from workbench.catalog.models import Product, StockBatch
from workbench.live.models import LiveSession
from workbench.members.models import Interaction, InteractionKind, Member, MemberTag, Review, Tag
from workbench.orders.models import (
    NOT_SALES,
    Campaign,
    CampaignProduct,
    CampaignStatus,
    Order,
    OrderItem,
    OrderStatus,
)
from workbench.stores.models import Building, Community, Store, Weather
from workbench.timeutil import local_day, local_days_utc

#: Orders that count towards a campaign's threshold: paid and not undone. An unpaid
#: 接龙 entry is a promise, not a purchase.
COUNTS_TOWARDS_GROUP = (
    OrderStatus.PAID,
    OrderStatus.GROUPED,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.ARRIVED,
    OrderStatus.PICKED_UP,
)


def _ratio(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None


# ---------------------------------------------------------------- 今日 (today)


@dataclass(frozen=True)
class WeatherDay:
    day: date
    high_c: int
    low_c: int
    rain_tenths_mm: int


@dataclass(frozen=True)
class DaySales:
    day: date
    gmv_fen: int
    orders: int


@dataclass(frozen=True)
class TopProduct:
    name: str
    spec: str
    unit: str
    quantity: int
    amount_fen: int


@dataclass(frozen=True)
class ExpiringStock:
    """One product's stock that expires soon, its batches added up."""

    product: str
    spec: str
    unit: str
    quantity: int
    expires_on: date  # the earliest batch's expiry
    days_left: int
    cost_fen: int  # what the store paid for it: the loss if it is thrown away


@dataclass(frozen=True)
class CampaignLine:
    product: str
    group_price_fen: int
    threshold: int
    sold: int

    @property
    def progress(self) -> float:
        """Share of the threshold reached, capped at 1 for the progress bar."""
        return min(1.0, self.sold / self.threshold) if self.threshold else 1.0

    @property
    def missing(self) -> int:
        return max(0, self.threshold - self.sold)


@dataclass(frozen=True)
class CampaignProgress:
    id: int
    title: str
    ends_at: datetime
    pickup_on: date
    has_live: bool
    lines: list[CampaignLine]

    @property
    def reached(self) -> bool:
        """Every product of the campaign has reached its 成团 threshold."""
        return bool(self.lines) and all(line.missing == 0 for line in self.lines)


@dataclass(frozen=True)
class TodayOverview:
    today: date
    weather: list[WeatherDay]
    yesterday: DaySales
    same_day_last_week: DaySales
    today_so_far: DaySales
    last_7_days: list[DaySales]
    top_products: list[TopProduct]
    expiring: list[ExpiringStock]
    campaigns: list[CampaignProgress]

    @property
    def expiring_cost_fen(self) -> int:
        """What the expiring stock cost the store: the most it can lose by not selling it."""
        return sum(e.cost_fen for e in self.expiring)

    @property
    def gmv_change(self) -> float | None:
        """Yesterday's GMV against the same weekday a week earlier (None: nothing to compare)."""
        base = self.same_day_last_week.gmv_fen
        return (self.yesterday.gmv_fen - base) / base if base else None

    @property
    def orders_change(self) -> float | None:
        base = self.same_day_last_week.orders
        return (self.yesterday.orders - base) / base if base else None


def daily_sales(session: Session, store_id: int, first: date, last: date) -> list[DaySales]:
    """GMV and order count per local day ``first``..``last`` (days without sales are zero).

    Orders are bucketed into Shanghai days in Python: a store places at most a few
    hundred orders in a week, and this keeps the query the same on SQLite and PostgreSQL.
    """
    start, end = local_days_utc(first, last)
    rows = session.execute(
        select(Order.placed_at, Order.total_fen).where(
            Order.store_id == store_id,
            Order.placed_at >= start,
            Order.placed_at < end,
            Order.status.not_in(NOT_SALES),
        )
    )
    gmv: dict[date, int] = defaultdict(int)
    count: dict[date, int] = defaultdict(int)
    for placed_at, total in rows:
        day = local_day(placed_at)
        gmv[day] += total
        count[day] += 1
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [DaySales(d, gmv[d], count[d]) for d in days]


def top_products(session: Session, store_id: int, day: date, limit: int = 5) -> list[TopProduct]:
    """The products that took the most money on local ``day``."""
    start, end = local_days_utc(day, day)
    amount = func.sum(OrderItem.amount_fen)
    rows = session.execute(
        select(Product.name, Product.spec, Product.unit, func.sum(OrderItem.quantity), amount)
        .join(Order, Order.id == OrderItem.order_id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(
            Order.store_id == store_id,
            Order.placed_at >= start,
            Order.placed_at < end,
            Order.status.not_in(NOT_SALES),
        )
        .group_by(Product.id, Product.name, Product.spec, Product.unit)
        .order_by(amount.desc(), Product.name)
        .limit(limit)
    )
    return [TopProduct(n, s, u, int(q), int(a)) for n, s, u, q, a in rows]


def expiring_stock(session: Session, store_id: int, today: date, within_days: int = 2) -> list[ExpiringStock]:
    """Products on the shelf with batches expiring between today and ``within_days`` on.

    Batches of one product add up, so a store with many small deliveries sees one line
    per product; soonest first, then the most money at stake.
    """
    earliest = func.min(StockBatch.expires_on)
    cost = func.sum(StockBatch.quantity * StockBatch.cost_fen)
    rows = session.execute(
        select(Product.name, Product.spec, Product.unit, func.sum(StockBatch.quantity), earliest, cost)
        .join(Product, Product.id == StockBatch.product_id)
        .where(
            StockBatch.store_id == store_id,
            StockBatch.quantity > 0,
            StockBatch.expires_on >= today,
            StockBatch.expires_on <= today + timedelta(days=within_days),
        )
        .group_by(Product.id, Product.name, Product.spec, Product.unit)
        .order_by(earliest, cost.desc(), Product.name)
    )
    return [ExpiringStock(n, sp, u, int(q), e, (e - today).days, int(c)) for n, sp, u, q, e, c in rows]


def campaign_progress(session: Session, store_id: int, limit: int = 10) -> list[CampaignProgress]:
    """Open campaigns with each product's paid quantity against its 成团 threshold.

    Sold quantities come from one grouped query over the campaigns' orders, matched to
    the campaign's product lines by product.
    """
    campaigns = session.scalars(
        select(Campaign)
        .where(Campaign.store_id == store_id, Campaign.status == CampaignStatus.ACTIVE)
        .order_by(Campaign.ends_at)
        .limit(limit)
    ).all()
    if not campaigns:
        return []
    ids = [c.id for c in campaigns]
    lines = session.execute(
        select(CampaignProduct.campaign_id, CampaignProduct.product_id, Product.name,
               CampaignProduct.group_price_fen, CampaignProduct.threshold_qty)
        .join(Product, Product.id == CampaignProduct.product_id)
        .where(CampaignProduct.campaign_id.in_(ids))
        .order_by(CampaignProduct.id)
    ).all()
    sold = dict(
        ((cid, pid), int(q))
        for cid, pid, q in session.execute(
            select(Order.campaign_id, OrderItem.product_id, func.sum(OrderItem.quantity))
            .join(Order, Order.id == OrderItem.order_id)
            .where(
                Order.store_id == store_id,
                Order.campaign_id.in_(ids),
                Order.status.in_(COUNTS_TOWARDS_GROUP),
            )
            .group_by(Order.campaign_id, OrderItem.product_id)
        )
    )
    by_campaign: dict[int, list[CampaignLine]] = defaultdict(list)
    for cid, pid, name, price, threshold in lines:
        by_campaign[cid].append(CampaignLine(name, price, threshold, sold.get((cid, pid), 0)))
    return [
        CampaignProgress(c.id, c.title, c.ends_at, c.pickup_on, c.has_live, by_campaign[c.id])
        for c in campaigns
    ]


def weather(session: Session, store_id: int, first: date, last: date) -> list[WeatherDay]:
    """The weather of the store's city for local days ``first``..``last`` that are known."""
    rows = session.execute(
        select(Weather.day, Weather.temp_high_c, Weather.temp_low_c, Weather.rain_mm)
        .join(Store, Store.city == Weather.city)
        .where(Store.id == store_id, Weather.day >= first, Weather.day <= last)
        .order_by(Weather.day)
    )
    return [WeatherDay(*row) for row in rows]


def today_overview(session: Session, store_id: int, today: date) -> TodayOverview:
    """Everything the 今日 tab shows for ``store_id`` on local day ``today``."""
    yesterday = today - timedelta(days=1)
    # One pass over eight days of orders gives the chart, yesterday, the same weekday a
    # week earlier and today so far.
    days = {d.day: d for d in daily_sales(session, store_id, today - timedelta(days=8), today)}
    return TodayOverview(
        today=today,
        weather=weather(session, store_id, today, today + timedelta(days=1)),
        yesterday=days[yesterday],
        same_day_last_week=days[today - timedelta(days=8)],
        today_so_far=days[today],
        last_7_days=[days[today - timedelta(days=i)] for i in range(7, 0, -1)],
        top_products=top_products(session, store_id, yesterday),
        expiring=expiring_stock(session, store_id, today),
        campaigns=campaign_progress(session, store_id),
    )


# ---------------------------------------------------------------- 直播 (live)


@dataclass(frozen=True)
class LiveRow:
    id: int
    title: str
    started_at: datetime
    ended_at: datetime | None
    viewers: int
    campaign: str | None

    @property
    def minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)


@dataclass(frozen=True)
class LiveOverview:
    upcoming: list[LiveRow]
    recent: list[LiveRow]
    sessions_30d: int
    avg_viewers_30d: float | None
    views_by_hour: list[int]  # 24 local hours, live views over ``history_days``
    history_days: int

    @property
    def peak_hour(self) -> int | None:
        """The local hour with the most live views, if any were seen."""
        best = max(self.views_by_hour) if self.views_by_hour else 0
        return self.views_by_hour.index(best) if best else None

    @property
    def total_views(self) -> int:
        return sum(self.views_by_hour)


def _live_rows(session: Session, stmt) -> list[LiveRow]:
    return [LiveRow(*row) for row in session.execute(stmt)]


def live_overview(session: Session, store_id: int, now: datetime, history_days: int = 30) -> LiveOverview:
    """Upcoming and recent live streams and when the store's members watch, by hour."""
    columns = (LiveSession.id, LiveSession.title, LiveSession.started_at, LiveSession.ended_at,
               LiveSession.viewers, Campaign.title)
    base = (
        select(*columns)
        .outerjoin(Campaign, Campaign.id == LiveSession.campaign_id)
        .where(LiveSession.store_id == store_id)
    )
    upcoming = _live_rows(session, base.where(LiveSession.started_at > now).order_by(LiveSession.started_at).limit(5))
    recent = _live_rows(
        session, base.where(LiveSession.started_at <= now).order_by(LiveSession.started_at.desc()).limit(10)
    )
    since = now - timedelta(days=history_days)
    n_sessions, avg_viewers = session.execute(
        select(func.count(LiveSession.id), func.avg(LiveSession.viewers)).where(
            LiveSession.store_id == store_id, LiveSession.started_at >= since, LiveSession.started_at <= now
        )
    ).one()
    # The database gives the UTC hour (portable EXTRACT); Shanghai is UTC+8 all year.
    utc_hour = extract("hour", Interaction.occurred_at)
    by_hour = [0] * 24
    for hour, n in session.execute(
        select(utc_hour, func.count(Interaction.id))
        .where(
            Interaction.store_id == store_id,
            Interaction.kind == InteractionKind.LIVE_VIEW,
            Interaction.occurred_at >= since,
            Interaction.occurred_at <= now,
        )
        .group_by(utc_hour)
    ):
        by_hour[(int(hour) + 8) % 24] += int(n)
    return LiveOverview(
        upcoming=upcoming,
        recent=recent,
        sessions_30d=int(n_sessions),
        avg_viewers_30d=float(avg_viewers) if avg_viewers is not None else None,
        views_by_hour=by_hour,
        history_days=history_days,
    )




# ---------------------------------------------------------------- 社区 (community)


class _Reach:
    """Members per household: how much of a building, compound or store's area is reached."""

    members: int
    households: int

    @property
    def penetration(self) -> float | None:
        return _ratio(self.members, self.households)


@dataclass(frozen=True)
class BuildingRow(_Reach):
    name: str
    household_type: str
    households: int
    members: int


@dataclass(frozen=True)
class CommunityRow(_Reach):
    name: str
    profile: str
    households: int
    members: int
    buildings: list[BuildingRow]


@dataclass(frozen=True)
class TagCount:
    name: str
    kind: str
    members: int
    share: float


@dataclass(frozen=True)
class ReviewRow:
    member: str
    product: str | None
    rating: int
    nps: int | None
    text: str
    created_at: datetime


@dataclass(frozen=True)
class CommunityOverview(_Reach):
    communities: list[CommunityRow]
    members: int
    households: int
    new_members_30d: int
    tags: list[TagCount]
    reviews: list[ReviewRow]
    review_count: int
    avg_rating: float | None
    nps: float | None  # −100 … 100
    nps_responses: int
    review_days: int


def community_overview(session: Session, store_id: int, today: date, review_days: int = 90) -> CommunityOverview:
    """The store's compounds and buildings, member reach, top tags and what members say."""
    communities = session.execute(
        select(Community.id, Community.name, Community.profile, Community.households)
        .where(Community.store_id == store_id)
        .order_by(Community.name)
    ).all()
    buildings = session.execute(
        select(Building.id, Building.community_id, Building.name, Building.household_type, Building.households)
        .join(Community, Community.id == Building.community_id)
        .where(Community.store_id == store_id)
        .order_by(Building.community_id, Building.name)
    ).all()
    per_community = dict(
        session.execute(
            select(Member.community_id, func.count(Member.id))
            .where(Member.store_id == store_id)
            .group_by(Member.community_id)
        ).all()
    )
    per_building = dict(
        session.execute(
            select(Member.building_id, func.count(Member.id))
            .where(Member.store_id == store_id, Member.building_id.is_not(None))
            .group_by(Member.building_id)
        ).all()
    )
    building_rows: dict[int, list[BuildingRow]] = defaultdict(list)
    for bid, cid, name, htype, households in buildings:
        building_rows[cid].append(BuildingRow(name, htype, households, int(per_building.get(bid, 0))))
    rows = [
        CommunityRow(name, profile, households, int(per_community.get(cid, 0)), building_rows[cid])
        for cid, name, profile, households in communities
    ]
    total_members = sum(int(n) for n in per_community.values())
    new_members = session.scalar(
        select(func.count(Member.id)).where(Member.store_id == store_id, Member.joined_on > today - timedelta(days=30))
    )
    tag_count = func.count(distinct(MemberTag.member_id))
    tags = [
        TagCount(name, kind, int(n), int(n) / total_members if total_members else 0.0)
        for name, kind, n in session.execute(
            select(Tag.name, Tag.kind, tag_count)
            .join(MemberTag, MemberTag.tag_id == Tag.id)
            .join(Member, Member.id == MemberTag.member_id)
            .where(Member.store_id == store_id)
            .group_by(Tag.id, Tag.name, Tag.kind)
            .order_by(tag_count.desc(), Tag.name)
            .limit(10)
        )
    ]
    since = local_days_utc(today - timedelta(days=review_days - 1), today)[0]
    promoters = func.sum(case((Review.nps >= 9, 1), else_=0))
    detractors = func.sum(case((Review.nps <= 6, 1), else_=0))
    n_reviews, avg_rating, n_nps, n_promoters, n_detractors = session.execute(
        select(func.count(Review.id), func.avg(Review.rating), func.count(Review.nps), promoters, detractors)
        .where(Review.store_id == store_id, Review.created_at >= since)
    ).one()
    recent = [
        ReviewRow(*row)
        for row in session.execute(
            select(Member.name, Product.name, Review.rating, Review.nps, Review.text, Review.created_at)
            .join(Member, Member.id == Review.member_id)
            .outerjoin(Product, Product.id == Review.product_id)
            .where(Review.store_id == store_id)
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(5)
        )
    ]
    nps = (int(n_promoters or 0) - int(n_detractors or 0)) * 100 / n_nps if n_nps else None
    return CommunityOverview(
        communities=rows,
        members=total_members,
        households=sum(c.households for c in rows),
        new_members_30d=int(new_members or 0),
        tags=tags,
        reviews=recent,
        review_count=int(n_reviews),
        avg_rating=float(avg_rating) if avg_rating is not None else None,
        nps=nps,
        nps_responses=int(n_nps),
        review_days=review_days,
    )
