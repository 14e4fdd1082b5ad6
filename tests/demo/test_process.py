"""The generating process shows up in the seeded data, read back from the database.

One mid-sized brand is seeded once for the module (six stores in three climates, a
summer-to-autumn window), then every test reads it the way a later feature would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from tests.conftest import _Config, _empty_tables
from workbench import calendar_cn, create_app
from workbench.demo.catalog_data import CATEGORIES
from workbench.demo.generate import SeedParams
from workbench.demo.seed import seed
from workbench.extensions import db
from workbench.formatting import SHANGHAI
from workbench.models import (
    Campaign,
    CampaignProduct,
    Category,
    Community,
    Interaction,
    LiveSession,
    Member,
    MemberTag,
    Order,
    OrderItem,
    Product,
    Refund,
    Review,
    StockBatch,
    Store,
    Tag,
    Weather,
)

END = date(2026, 10, 31)
PARAMS = SeedParams.build(stores=6, members=7200, days=120, seed=5, end_date=END)
START = PARAMS.start_date
D = PARAMS.days
CODES = [c.code for c in CATEGORIES]
TOPICS = [c.topic for c in CATEGORIES]


@dataclass
class Data:
    """The seeded rows as arrays (index = id - 1), plus per-line order attributes."""

    o_store: np.ndarray
    o_member: np.ndarray
    o_day: np.ndarray
    o_status: np.ndarray
    o_campaign: np.ndarray
    i_order: np.ndarray
    i_product: np.ndarray
    i_cp: np.ndarray
    i_qty: np.ndarray
    p_cat: np.ndarray
    p_imported: np.ndarray
    store_city: list[str]

    @property
    def sold_items(self) -> np.ndarray:
        return ~np.isin(self.o_status[self.i_order], ["cancelled", "failed"])


def local_day(ts) -> int:
    return (ts.astimezone(SHANGHAI).date() - START).days


@pytest.fixture(scope="module")
def data(_schema, database_url, redis_url):
    app = create_app(_Config(database_url, redis_url))
    with app.app_context():
        _empty_tables()
        seed(PARAMS)
        s = db.session
        orders = s.execute(select(Order.id, Order.store_id, Order.member_id, Order.placed_at, Order.status,
                                  Order.campaign_id).order_by(Order.id)).all()
        items = s.execute(select(OrderItem.order_id, OrderItem.product_id, OrderItem.campaign_product_id,
                                 OrderItem.quantity).order_by(OrderItem.id)).all()
        cats = {c.id: CODES.index(c.code) for c in s.scalars(select(Category))}
        products = s.scalars(select(Product).order_by(Product.id)).all()
        yield Data(
            o_store=np.array([o.store_id - 1 for o in orders]),
            o_member=np.array([o.member_id - 1 for o in orders]),
            o_day=np.array([local_day(o.placed_at) for o in orders]),
            o_status=np.array([o.status for o in orders]),
            o_campaign=np.array([(o.campaign_id or 0) - 1 for o in orders]),
            i_order=np.array([i.order_id - 1 for i in items]),
            i_product=np.array([i.product_id - 1 for i in items]),
            i_cp=np.array([(i.campaign_product_id or 0) - 1 for i in items]),
            i_qty=np.array([i.quantity for i in items]),
            p_cat=np.array([cats[p.category_id] for p in products]),
            p_imported=np.array(["进口" in p.attributes for p in products]),
            store_city=[st.city for st in s.scalars(select(Store).order_by(Store.id))],
        )
        db.session.remove()
        _empty_tables(bulk=True)
        db.engine.dispose()


def daily_units(data: Data, mask: np.ndarray, by_category: bool = False) -> np.ndarray:
    """Units of the masked order lines per store × day (× category)."""
    store = data.o_store[data.i_order][mask]
    day = data.o_day[data.i_order][mask]
    if by_category:
        out = np.zeros((len(data.store_city), len(CODES), D))
        np.add.at(out, (store, data.p_cat[data.i_product][mask], day), data.i_qty[mask])
    else:
        out = np.zeros((len(data.store_city), D))
        np.add.at(out, (store, day), data.i_qty[mask])
    return out


def test_premium_compounds_buy_more_imported_fruit_per_household(data):
    communities = db.session.scalars(select(Community).order_by(Community.id)).all()
    member_comm = np.array(db.session.scalars(select(Member.community_id).order_by(Member.id)).all()) - 1
    comm = member_comm[data.o_member[data.i_order]]
    fruit = CODES.index("FRU")
    baby = CODES.index("BAB")

    def per_household(mask):
        units = np.bincount(comm[mask], weights=data.i_qty[mask], minlength=len(communities))
        per_hh = units / np.array([c.households for c in communities])
        return {p: per_hh[[c.profile == p for c in communities]].mean() for p in ("premium", "elderly",
                                                                               "young_family")}

    profiles = {c.profile for c in communities}
    assert {"premium", "elderly", "young_family"} <= profiles
    sold = data.sold_items
    imported_fruit = per_household(sold & (data.p_cat[data.i_product] == fruit) & data.p_imported[data.i_product])
    assert imported_fruit["premium"] > 3 * imported_fruit["elderly"]
    baby_food = per_household(sold & (data.p_cat[data.i_product] == baby))
    assert baby_food["young_family"] > 2 * baby_food["elderly"]


def test_hot_days_lift_fruit_sales(data):
    weather = db.session.execute(select(Weather.city, Weather.day, Weather.temp_high_c)).all()
    high = {(w.city, w.day): w.temp_high_c for w in weather}
    regular = data.sold_items & (data.i_cp < 0)  # campaigns would drown the weather in noise
    by_cat = daily_units(data, regular, by_category=True)
    fruit = by_cat[:, CODES.index("FRU")]
    # Categories the weather does not move: the day's baseline demand.
    base = by_cat[:, [CODES.index(c) for c in ("VEG", "GRA", "CON", "BAK", "DLY", "DAI", "SNA", "BAB")]].sum(axis=1)
    days = [START + timedelta(days=t) for t in range(D)]
    festive = np.array([calendar_cn.is_holiday(d) or calendar_cn.is_holiday(d + timedelta(days=1)) for d in days])
    ratios = []
    for s, city in enumerate(data.store_city):
        temp = np.array([high[(city, d)] for d in days])
        hot, mild = (temp >= 30) & ~festive, (temp >= 15) & (temp <= 26) & ~festive
        if hot.sum() >= 5 and mild.sum() >= 5:
            ratios.append((fruit[s, hot].sum() / base[s, hot].sum()) / (fruit[s, mild].sum() / base[s, mild].sum()))
    assert len(ratios) >= 3
    assert np.exp(np.mean(np.log(ratios))) > 1.2


def test_group_chat_mentions_lead_category_sales(data):
    rows = db.session.execute(select(Interaction.store_id, Interaction.topic, Interaction.occurred_at)
                              .where(Interaction.kind == "group_message")).all()
    mentions = np.zeros((len(data.store_city), len(CODES), D))
    for r in rows:
        mentions[r.store_id - 1, TOPICS.index(r.topic), local_day(r.occurred_at)] += 1
    sales = daily_units(data, data.sold_items, by_category=True)

    def z(a):
        a = a - a.mean(axis=2, keepdims=True)
        sd = a.std(axis=2, keepdims=True)
        return a / np.where(sd > 0, sd, 1)

    zm, zs = z(mentions), z(np.log1p(sales))

    def corr(lag):  # mentions on day t against sales on day t + lag
        if lag >= 0:
            return (zm[:, :, :D - lag] * zs[:, :, lag:]).mean()
        return (zm[:, :, -lag:] * zs[:, :, :D + lag]).mean()

    leading = np.mean([corr(k) for k in (1, 2, 3)])
    lagging = np.mean([corr(-k) for k in (1, 2, 3)])
    assert leading > 0.05
    assert leading > lagging + 0.03


def test_weekends_are_busier_than_weekdays(data):
    sold = ~np.isin(data.o_status, ["cancelled", "failed"])
    per_day = np.bincount(data.o_day[sold], minlength=D)
    days = [START + timedelta(days=t) for t in range(D)]
    kinds = [calendar_cn.day_kind(d) for d in days]
    weekend = np.array([k == calendar_cn.WEEKEND for k in kinds])
    weekday = np.array([k == calendar_cn.WORKDAY and d.weekday() < 4 for k, d in zip(kinds, days, strict=True)])
    assert per_day[weekend].mean() > 1.08 * per_day[weekday].mean()


def test_campaigns_succeed_and_fail_against_their_threshold(data):
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
    statuses = [c.status for c in campaigns]
    assert statuses.count("grouped") >= 20 and statuses.count("failed") >= 20
    assert 0.35 < statuses.count("grouped") / (statuses.count("grouped") + statuses.count("failed")) < 0.8
    cps = db.session.scalars(select(CampaignProduct).order_by(CampaignProduct.id)).all()
    live = data.i_cp >= 0
    counted = live & (data.o_status[data.i_order] != "cancelled")
    realised = np.bincount(data.i_cp[counted], weights=data.i_qty[counted], minlength=len(cps))
    reached = {}
    for cp in cps:
        reached.setdefault(cp.campaign_id, []).append(realised[cp.id - 1] >= cp.threshold_qty)
        assert cp.group_price_fen < cp.product.price_fen
    for c in campaigns:
        if c.status == "grouped":
            assert all(reached[c.id])
        elif c.status == "failed":
            assert not all(reached[c.id])
    # Orders follow their campaign: failed campaigns' orders failed, grouped ones went on.
    camp_status = np.array(statuses)[np.maximum(data.o_campaign, 0)]
    in_campaign = data.o_campaign >= 0
    assert set(data.o_status[in_campaign & (camp_status == "failed")]) <= {"failed", "cancelled"}
    grouped = data.o_status[in_campaign & (camp_status == "grouped")]
    assert "failed" not in set(grouped) and (grouped == "picked_up").mean() > 0.8


def test_discounts_and_live_streams_lift_demand(data):
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign))}
    cps = db.session.scalars(select(CampaignProduct)).all()
    sold = data.sold_items
    units = np.zeros((len(data.store_city), len(data.p_cat), D))
    np.add.at(units, (data.o_store[data.i_order][sold], data.i_product[sold], data.o_day[data.i_order][sold]),
              data.i_qty[sold])
    featured = np.zeros(units.shape, dtype=bool)  # on sale in a campaign, or a day either side
    spans = []
    for cp in cps:
        c = campaigns[cp.campaign_id]
        first, last = local_day(c.starts_at), min(local_day(c.ends_at), D - 1)
        featured[c.store_id - 1, cp.product_id - 1, max(first - 1, 0):last + 2] = True
        spans.append((c.store_id - 1, cp.product_id - 1, first, last, c.has_live))
    everyday = np.where(featured, 0, units).sum(axis=2) / np.maximum((~featured).sum(axis=2), 1)
    # Pooled over campaign products: sold units against the everyday rate for as many days.
    sold_on = expected_on = 0.0
    day_one_two = {True: [0.0, 0.0], False: [0.0, 0.0]}
    for store, product, first, last, has_live in spans:
        sold_on += units[store, product, first:last + 1].sum()
        expected_on += everyday[store, product] * (last - first + 1)
        if last > first:
            day_one_two[has_live][0] += units[store, product, first]
            day_one_two[has_live][1] += units[store, product, first + 1]
    assert sold_on / expected_on > 8  # discount and promotion: many times the everyday rate
    # The live stream is on a campaign's first evening: day one outsells day two by more.
    live, plain = (day_one_two[k][0] / day_one_two[k][1] for k in (True, False))
    assert live > 1.2 * plain
    lives = db.session.scalars(select(LiveSession)).all()
    assert lives and all(lv.campaign_id and campaigns[lv.campaign_id].has_live for lv in lives)
    assert sum(lv.viewers for lv in lives) == db.session.query(Interaction).filter_by(kind="live_view").count()


def test_orders_move_through_their_lifecycle_up_to_the_end_date(data):
    cutoff = max(o.placed_at for o in db.session.scalars(select(Order).order_by(Order.id.desc()).limit(50)))
    statuses = set(data.o_status)
    assert {"picked_up", "arrived", "refunded", "cancelled", "failed"} <= statuses
    assert statuses & {"paid", "packed", "shipped", "grouped"}
    waiting = db.session.scalars(select(Order).where(Order.status == "arrived")).all()
    assert waiting and all(o.arrived_at is not None and o.picked_up_at is None for o in waiting)
    overdue = [o for o in waiting if o.arrived_at < cutoff - timedelta(days=2)]
    assert overdue, "some orders arrived more than two days ago and wait at the counter"
    for o in db.session.scalars(select(Order).where(Order.status == "picked_up").limit(300)):
        assert o.placed_at <= o.paid_at <= o.arrived_at <= o.picked_up_at
    recent = db.session.scalars(select(Order).where(Order.status.in_(["paid", "packed", "shipped"]))).all()
    assert all(o.arrived_at is None and local_day(o.placed_at) >= D - 4 for o in recent)
    refunded = db.session.scalars(select(Order).where(Order.status == "refunded").limit(20)).all()
    for o in refunded:
        refunds = db.session.scalars(select(Refund).join(OrderItem).where(OrderItem.order_id == o.id)).all()
        assert sum(r.amount_fen for r in refunds) == o.total_fen
    cancelled = db.session.scalars(select(Order).where(Order.status == "cancelled").limit(20)).all()
    assert all(o.paid_at is None and o.arrived_at is None for o in cancelled)


def test_members_join_over_time_and_some_go_silent(data):
    joined = np.array([(d - START).days for d in db.session.scalars(select(Member.joined_on))])
    assert (joined < 0).mean() > 0.4 and (joined >= D // 2).mean() > 0.1
    sold = ~np.isin(data.o_status, ["cancelled", "failed"])
    last = np.full(PARAMS.members, -1)
    np.maximum.at(last, data.o_member[sold], data.o_day[sold])
    active_before = np.bincount(data.o_member[sold & (data.o_day < D - 60)], minlength=PARAMS.members) >= 3
    silent = active_before & (last < D - 45)
    assert 0.03 < silent.sum() / active_before.sum() < 0.4


def test_stock_has_fresh_batches_things_to_clear_and_spoilage(data):
    batches = db.session.scalars(select(StockBatch)).all()
    today = END + timedelta(days=1)
    assert len({b.store_id for b in batches}) == PARAMS.stores
    assert any(b.expires_on in (today, today + timedelta(days=1)) for b in batches)
    assert any(b.expires_on < today for b in batches)  # spoiled, still to write off
    assert all(b.expires_on >= b.received_on and b.quantity > 0 for b in batches)
    short = [b for b in batches if b.product.shelf_life_days <= 3]
    assert short and all((b.expires_on - b.received_on).days == b.product.shelf_life_days for b in short)


def test_weather_has_history_and_a_week_of_forecast(data):
    days = db.session.scalars(select(Weather.day).where(Weather.city == data.store_city[0])).all()
    assert min(days) == START and max(days) == END + timedelta(days=7) and len(days) == D + 7
    assert db.session.query(Weather).filter(Weather.rain_mm > 0).count() > 0


def test_member_tags_come_from_sign_up_and_behaviour(data):
    rows = db.session.execute(select(Tag.name, Tag.kind, MemberTag.source).join(MemberTag)).all()
    by_tag = {}
    for name, kind, source in rows:
        by_tag.setdefault(name, set()).add((kind, source))
    for name in ("有孩家庭", "退休老人", "健身人群"):
        assert by_tag[name] == {("static", "signup")}
    for name in ("价格敏感", "水果常客", "品质生活", "沉睡会员"):
        assert by_tag[name] == {("dynamic", "behaviour")}


def test_reviews_rate_orders(data):
    reviews = db.session.scalars(select(Review)).all()
    assert len(reviews) > 50
    assert {r.rating for r in reviews} == {1, 2, 3, 4, 5}
    assert all(r.nps is None or 0 <= r.nps <= 10 for r in reviews)
    assert all(r.text for r in reviews)
