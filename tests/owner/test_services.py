"""The owner services with worked numbers: what goes in, what the tab must show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import plotly.graph_objects as go
import pytest

from tests.factories import gen_campaign, gen_member
from tests.owner.conftest import NOON, TODAY, shanghai
from workbench.charts import table_rows
from workbench.models import (
    Building,
    Interaction,
    LiveSession,
    MemberTag,
    Review,
    StockBatch,
    Tag,
    Weather,
)
from workbench.owner import charts, services
from workbench.suggestions.charts import forecast_figure

D = datetime  # naive Shanghai wall-clock times in the examples


# ------------------------------------------------------------------ 今日


def test_daily_sales_buckets_by_shanghai_day(shop):
    # 23:30 on the 22nd in Shanghai is 15:30 UTC; 00:10 on the 23rd is 16:10 UTC on the 22nd.
    shop.order(local=D(2026, 11, 22, 23, 30), items=[(shop.grapes, 1)])            # 3000 → 22nd
    shop.order(local=D(2026, 11, 23, 0, 10), items=[(shop.yogurt, 2)])             # 2000 → 23rd
    shop.order(local=D(2026, 11, 22, 12, 0), items=[(shop.grapes, 5)], status="cancelled")
    shop.order(local=D(2026, 11, 22, 12, 0), items=[(shop.grapes, 5)], status="refunded")
    shop.order(local=D(2026, 11, 22, 12, 0), items=[(shop.grapes, 9)], store=shop.other)
    days = services.daily_sales(shop.session, shop.store.id, date(2026, 11, 21), TODAY)
    assert [(d.day.day, d.gmv_fen, d.orders) for d in days] == [(21, 0, 0), (22, 3000, 1), (23, 2000, 1)]


def test_today_overview_yesterday_against_last_week(shop):
    # Yesterday (Sunday 22nd): 3000 + 2×1000 + 3000 = 8000 in 3 orders; the Sunday before: 4000 in 2.
    shop.order(local=D(2026, 11, 22, 9, 0), items=[(shop.grapes, 1)])
    shop.order(local=D(2026, 11, 22, 10, 0), items=[(shop.yogurt, 2)], status="picked_up")
    shop.order(local=D(2026, 11, 22, 20, 0), items=[(shop.grapes, 1)], status="arrived")
    shop.order(local=D(2026, 11, 15, 9, 0), items=[(shop.grapes, 1)])
    shop.order(local=D(2026, 11, 15, 9, 30), items=[(shop.yogurt, 1)])
    shop.order(local=D(2026, 11, 23, 8, 0), items=[(shop.yogurt, 3)])  # today so far
    data = services.today_overview(shop.session, shop.store.id, TODAY)
    assert data.yesterday.gmv_fen == 8000 and data.yesterday.orders == 3
    assert data.same_day_last_week.day == date(2026, 11, 15)
    assert data.same_day_last_week.gmv_fen == 4000 and data.same_day_last_week.orders == 2
    assert data.gmv_change == pytest.approx(1.0)  # 8000 against 4000: doubled
    assert data.orders_change == pytest.approx(0.5)
    assert data.today_so_far.gmv_fen == 3000 and data.today_so_far.orders == 1
    assert [d.day for d in data.last_7_days] == [date(2026, 11, 16) + timedelta(days=i) for i in range(7)]
    assert sum(d.gmv_fen for d in data.last_7_days) == 8000
    # Best sellers yesterday, by money: grapes 2×3000 = 6000, then yogurt 2×1000 = 2000.
    assert [(p.name, p.quantity, p.amount_fen) for p in data.top_products] == [("葡萄", 2, 6000), ("酸奶", 2, 2000)]


def test_no_change_without_a_base(shop):
    shop.order(local=D(2026, 11, 22, 9, 0), items=[(shop.grapes, 1)])
    data = services.today_overview(shop.session, shop.store.id, TODAY)
    assert data.gmv_change is None and data.orders_change is None


def test_weather_today_and_tomorrow_for_the_store_city(shop):
    s = shop.session
    s.add_all([
        Weather(city="杭州", day=TODAY, temp_high_c=30, temp_low_c=20, rain_mm=0),
        Weather(city="杭州", day=TODAY + timedelta(days=1), temp_high_c=25, temp_low_c=18, rain_mm=120),
        Weather(city="杭州", day=TODAY + timedelta(days=2), temp_high_c=20, temp_low_c=10, rain_mm=0),
        Weather(city="宁波", day=TODAY, temp_high_c=10, temp_low_c=5, rain_mm=0),
    ])
    s.flush()
    weather = services.today_overview(s, shop.store.id, TODAY).weather
    assert [(w.day, w.high_c, w.rain_tenths_mm) for w in weather] == [(TODAY, 30, 0), (TODAY + timedelta(days=1), 25, 120)]


def test_expiring_stock_within_two_days(shop):
    s = shop.session

    def batch(product, qty, expires_in, store=shop.store):
        s.add(StockBatch(store_id=store.id, product_id=product.id, quantity=qty, cost_fen=100,
                         received_on=TODAY - timedelta(days=5), expires_on=TODAY + timedelta(days=expires_in)))

    batch(shop.grapes, 5, 0)
    batch(shop.grapes, 2, 1)    # a second grape batch adds up with the first
    batch(shop.yogurt, 3, 2)
    batch(shop.yogurt, 7, 3)    # too far off
    batch(shop.grapes, 4, -1)   # already expired: not for sale
    batch(shop.grapes, 0, 1)    # none left
    batch(shop.grapes, 9, 1, store=shop.other)
    s.flush()
    rows = services.expiring_stock(s, shop.store.id, TODAY)
    assert [(r.product, r.quantity, r.days_left, r.cost_fen) for r in rows] == [("葡萄", 7, 0, 7 * 100), ("酸奶", 3, 2, 300)]


def test_campaign_progress_counts_paid_quantities(shop):
    s = shop.session
    camp = gen_campaign(s, shop.store, title="周末葡萄团", starts_at=NOON - timedelta(days=1),
                        ends_at=NOON + timedelta(days=1), pickup_on=TODAY + timedelta(days=2), status="active",
                        products=[(shop.grapes, 2500, 10), (shop.yogurt, 800, 2)])
    gen_campaign(s, shop.store, title="已结束", starts_at=NOON - timedelta(days=9), ends_at=NOON - timedelta(days=8),
                 pickup_on=TODAY, status="closed")
    shop.order(local=D(2026, 11, 23, 9, 0), items=[(shop.grapes, 4), (shop.yogurt, 2)], campaign_id=camp.id)
    shop.order(local=D(2026, 11, 23, 9, 5), items=[(shop.grapes, 3)], campaign_id=camp.id, status="arrived")
    shop.order(local=D(2026, 11, 23, 9, 9), items=[(shop.grapes, 50)], campaign_id=camp.id, status="placed")
    shop.order(local=D(2026, 11, 23, 9, 9), items=[(shop.grapes, 50)], campaign_id=camp.id, status="cancelled")
    shop.order(local=D(2026, 11, 23, 9, 9), items=[(shop.grapes, 50)])  # not in the campaign
    [progress] = services.campaign_progress(s, shop.store.id)
    assert progress.title == "周末葡萄团"
    grapes, yogurt = progress.lines
    assert (grapes.sold, grapes.threshold, grapes.missing) == (7, 10, 3)
    assert grapes.progress == pytest.approx(0.7)
    assert (yogurt.sold, yogurt.missing, yogurt.progress) == (2, 0, 1.0)
    assert not progress.reached


# ------------------------------------------------------------------ 直播


def test_live_overview(shop):
    s = shop.session
    s.add_all([
        LiveSession(store_id=shop.store.id, title="昨晚直播", started_at=NOON - timedelta(hours=16),
                    ended_at=NOON - timedelta(hours=15), viewers=40),
        LiveSession(store_id=shop.store.id, title="上周直播", started_at=NOON - timedelta(days=7),
                    ended_at=NOON - timedelta(days=7) + timedelta(minutes=45), viewers=20),
        LiveSession(store_id=shop.store.id, title="很久以前", started_at=NOON - timedelta(days=60), viewers=500),
        LiveSession(store_id=shop.store.id, title="明晚直播", started_at=NOON + timedelta(hours=32)),
        LiveSession(store_id=shop.other.id, title="隔壁直播", started_at=NOON - timedelta(hours=5), viewers=999),
    ])
    # 12:30 UTC is 20:30 in Shanghai; 23:10 UTC is 07:10 the next morning.
    for hour, n in ((12, 3), (23, 1)):
        for _ in range(n):
            s.add(Interaction(store_id=shop.store.id, member_id=shop.member.id, kind="live_view", topic="直播",
                              occurred_at=datetime(2026, 11, 20, hour, 30, tzinfo=UTC)))
    s.add(Interaction(store_id=shop.store.id, member_id=shop.member.id, kind="group_message", topic="水果",
                      occurred_at=datetime(2026, 11, 20, 12, 30, tzinfo=UTC)))
    s.add(Interaction(store_id=shop.other.id, member_id=shop.other_member.id, kind="live_view", topic="直播",
                      occurred_at=datetime(2026, 11, 20, 12, 30, tzinfo=UTC)))
    s.flush()
    data = services.live_overview(s, shop.store.id, NOON)
    assert [u.title for u in data.upcoming] == ["明晚直播"]
    assert [r.title for r in data.recent] == ["昨晚直播", "上周直播", "很久以前"]
    assert data.recent[1].minutes == 45
    assert data.sessions_30d == 2 and data.avg_viewers_30d == pytest.approx(30)
    assert data.views_by_hour[20] == 3 and data.views_by_hour[7] == 1 and data.total_views == 4
    assert data.peak_hour == 20




# ------------------------------------------------------------------ 社区


def test_community_overview(shop):
    s = shop.session
    b2 = Building(community_id=shop.community.id, name="2栋", household_type="elderly", households=50)
    s.add(b2)
    s.flush()
    extra = [gen_member(s, shop.store, shop.community, building=b2, phone=f"1360000{i:04d}", name=f"会员{i}",
                        joined_on=TODAY - timedelta(days=10 * i), flush=False) for i in range(1, 4)]
    s.flush()
    kids, price = Tag(name="有孩家庭", kind="static"), Tag(name="价格敏感", kind="dynamic")
    s.add_all([kids, price])
    s.flush()
    s.add_all([MemberTag(member_id=m.id, tag_id=kids.id, source="signup") for m in extra[:2]])
    s.add(MemberTag(member_id=shop.member.id, tag_id=price.id, source="behaviour"))
    s.add(MemberTag(member_id=shop.other_member.id, tag_id=price.id, source="behaviour"))
    for rating, nps, days_ago in ((5, 10, 1), (4, 9, 2), (3, 7, 3), (2, 3, 4), (5, None, 5), (1, 0, 200)):
        s.add(Review(store_id=shop.store.id, member_id=shop.member.id, rating=rating, nps=nps, text="好",
                     created_at=NOON - timedelta(days=days_ago)))
    s.add(Review(store_id=shop.other.id, member_id=shop.other_member.id, rating=1, nps=0, created_at=NOON))
    s.flush()
    data = services.community_overview(s, shop.store.id, TODAY)
    [c] = data.communities
    assert (c.name, c.households, c.members) == ("阳光小区", 400, 4)
    assert c.penetration == pytest.approx(0.01)
    assert [(b.name, b.members, b.households) for b in c.buildings] == [("1栋", 1, 100), ("2栋", 3, 50)]
    assert data.members == 4 and data.households == 400
    assert data.new_members_30d == 2  # joined 10 and 20 days ago; 30 days ago is not "last 30 days"
    assert [(t.name, t.members) for t in data.tags] == [("有孩家庭", 2), ("价格敏感", 1)]
    assert data.tags[0].share == pytest.approx(0.5)
    # Last 90 days: ratings 5,4,3,2,5 → 3.8; NPS answers 10,9,7,3 → (2 promoters − 1 detractor) / 4.
    assert data.review_count == 5 and data.avg_rating == pytest.approx(3.8)
    assert data.nps_responses == 4 and data.nps == pytest.approx(25)
    assert len(data.reviews) == 5 and data.reviews[0].rating == 5


# ------------------------------------------------------------------ charts


def test_chart_figures_are_valid_plotly(app):
    days = [services.DaySales(date(2026, 11, 16) + timedelta(days=i), 1000 * i, i) for i in range(7)]
    go.Figure(charts.sales_figure(days))  # raises on any invalid property
    go.Figure(charts.hours_figure([0] * 20 + [5, 9, 2, 0], 21))
    with app.test_request_context():
        html = charts.sales_chart(days)
    assert "plotly-graph-div" in html and 'class="chart__spec"' in html
    assert "<script src" not in html  # plotly.js is fetched lazily by app.js, from our static files
    assert "data-chart-src=\"/static/vendor/plotly-bar-scatter-4.1.1.min." in html
    # The numbers are on the page as a table before (and without) the chart.
    assert "<th scope=\"row\">一 11/16</th><td>¥0</td>" in html or "11/16" in html
    assert html.count("<tr>") == 8  # a header and seven days


@pytest.fixture(autouse=True)
def _request_context(app):
    """Charts translate their hover text, which needs a request's locale."""
    with app.test_request_context("/"):
        yield


def test_now_constant_is_noon_in_shanghai():
    assert shanghai(D(2026, 11, 23, 12, 0)) == NOON == datetime(2026, 11, 23, 4, tzinfo=UTC)


def test_chart_table_reads_the_figure():
    """The table under a chart says what the chart draws: ranges for banded bars, labels for hours."""
    from datetime import date as d

    hours = table_rows(charts.hours_figure([0] * 21 + [5, 9, 2], 22), {h: f"{h}:00" for h in range(24)})
    assert hours[22] == ("22:00", "9") and len(hours) == 24
    forecast = table_rows(forecast_figure([(d(2026, 11, 1), 4)], d(2026, 11, 2), 3.0, 5.0, 8.0))
    assert forecast == [("11/1", "4"), ("11/2", "3–8"), ("11/2", "5")]
    sales = table_rows(charts.sales_figure([services.DaySales(d(2026, 11, 16), 123456, 3)]))
    assert sales[0][1] == "¥1,234.56"
