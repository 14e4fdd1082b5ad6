"""The card contract: typed metrics per kind, figures that follow them, numbers that add up.

Engine-made cards come from one small seeded brand (module fixture); the properties are
checked on every card it writes, plus a hypothesis property on the clear card's arithmetic.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import get_type_hints

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.owner.suggestion_cards import (
    BUNDLE_METRICS,
    CLEAR_METRICS,
    PUSH_METRICS,
    RESTOCK_METRICS,
)
from workbench.suggestions import cards, charts, stocking
from workbench.suggestions.models import Suggestion

DAY = date(2026, 11, 23)
END = date(2026, 11, 20)
#: Words an owner page must never show: model names and statistics jargon.
JARGON = ("报童", "临界比", "P10", "P50", "P90", "支持度", "置信度", "提升度", "模型", "lightgbm", "apriori",
          "seasonal", "弹性", "分位")
HALF_WIDTH_IN_CHINESE = re.compile(r"[\u4e00-\u9fff][,:;?!]|[,:;?!][\u4e00-\u9fff]")


def _card(kind, metrics, **kw) -> Suggestion:
    return Suggestion(id=1, store_id=1, for_date=DAY, kind=kind, rank=1, metrics=metrics, reasons=[], status="new",
                      **kw)


def test_hand_made_metrics_follow_the_contract():
    for kind, metrics in (("push", PUSH_METRICS), ("clear", CLEAR_METRICS), ("restock", RESTOCK_METRICS),
                          ("bundle", BUNDLE_METRICS)):
        assert set(metrics) == set(get_type_hints(cards.METRICS[kind])), kind


def test_every_figure_reads_a_key_of_its_kind():
    for kind, specs in cards.FIGURES.items():
        keys = set(get_type_hints(cards.METRICS[kind]))
        assert {s.metric for s in specs} <= keys, kind


def test_figures_in_words(app):
    with app.test_request_context():
        push = cards.card_view(_card("push", PUSH_METRICS))
        assert [f.value for f in push.key_figures] == ["22", "¥1,037.52", "26", "19:00"]
        assert push.key_figures[0].note == "八成把握 14–31"
        assert push.tags == [("有孩家庭", 48), ("品质生活", 31)]
        restock = cards.card_view(_card("restock", RESTOCK_METRICS))
        assert restock.level == "red" and "30" in [f.value for f in restock.figures]
        assert "建议订货" in [f.label for f in restock.figures]  # never 订单号
        bundle = cards.card_view(_card("bundle", BUNDLE_METRICS))
        assert bundle.title == "阳光玫瑰葡萄 + 低糖酸奶"


def test_push_without_a_credible_group_offers_the_recent_buyers(app):
    metrics = {**PUSH_METRICS, "target_tags": [], "target_members": 57, "target_group": "recent_buyers"}
    with app.test_request_context():
        view = cards.card_view(_card("push", metrics))
        figure = next(f for f in view.figures if f.value == "57")
        assert "水果" in figure.note and "28" in figure.note and not view.tags


@pytest.mark.parametrize("kind", ["push", "clear", "restock", "bundle"])
def test_a_card_without_metrics_still_renders(app, kind):
    with app.test_request_context():
        view = cards.card_view(_card(kind, {}))
        assert view.title and view.key_figures == []


def test_detail_figures_are_valid_plotly(app):
    history = [(DAY - timedelta(days=i), float(i % 3)) for i in range(14, 0, -1)]
    with app.test_request_context():
        curve = sorted((p["discount"], p["revenue_fen"]) for p in CLEAR_METRICS["curve"])
        for figure in (charts.forecast_figure(history, DAY, 14, 22, 31, "份"), charts.markdown_figure(curve, 0.3),
                       charts.cover_figure(4, [5, 5, 5], 30)):
            go.Figure(figure)  # raises on any invalid property


@given(quantity=st.integers(1, 300), base=st.floats(0.0, 80.0), response=st.floats(0.5, 4.0),
       buyers=st.integers(0, 400), price=st.integers(100, 20_000))
@settings(max_examples=200, deadline=None)
def test_clear_arithmetic_never_sells_more_than_it_has_or_than_buyers_want(quantity, base, response, buyers, price):
    curve = stocking.capped_markdown_curve(quantity, base, price, response, buyers)
    for point in curve:
        assert 0 <= point.units <= quantity + 1e-9
        assert point.demand <= max(base, buyers) + 1e-9


# --- cards the engine writes ---------------------------------------------------------------


@pytest.fixture
def engine_cards(app, db):
    from workbench.demo.generate import SeedParams
    from workbench.demo.seed import seed
    from workbench.suggestions import jobs

    seed(SeedParams.build(stores=3, members=2400, days=70, seed=11, end_date=END))
    for day in (END + timedelta(days=1), END):
        result = jobs.run_for_day(db.session, day, method="seasonal_naive", score=False)
        assert not result.failed
    return db.session.query(Suggestion).all()


def test_engine_cards_keep_the_contract_and_add_up(app, db, engine_cards):
    kinds = {c.kind for c in engine_cards}
    assert kinds == {"push", "clear", "restock", "bundle"}
    with app.test_request_context():
        for c in engine_cards:
            m = c.metrics
            assert set(m) == set(get_type_hints(cards.METRICS[c.kind])), c.kind
            view = cards.card_view(c)
            shown = {f.label for f in view.figures}
            expected = {str(s.label) for s in cards.FIGURES[c.kind]
                        if not (s.metric == "best_hour" and m["best_hour"] is None)}
            assert shown == expected, (c.kind, expected - shown)
            assert all(f.value and f.value != "—" for f in view.figures), c.kind
            if c.kind in ("push", "restock"):
                assert m["low_units"] <= m["expected_units"] <= m["high_units"]
                assert c.forecast_p10 <= c.forecast_expected == m["expected_units"] <= c.forecast_p90
                assert c.forecast_p10 <= c.forecast_p50 <= c.forecast_p90
            if c.kind == "push":
                assert m["expected_sales_fen"] == round(m["expected_units"] * m["price_fen"])
                assert m["expected_units"] >= 2 and m["extra_units"] > 0
                assert m["extra_profit_fen"] == round(m["extra_units"] * m["unit_margin_fen"])
                more = m["unit_margin_fen"] >= m["spoil_loss_fen"]
                assert [r["code"] for r in c.reasons if r["code"].startswith("stock_")] in (
                    [], ["stock_more" if more else "stock_less"])
                assert all(t["lift_low"] > 1 for t in m["target_tags"])
                # Someone to message, always: the credible groups, else the category's recent buyers.
                assert m["target_members"] > 0
                assert (m["target_group"] == "tags") == bool(m["target_tags"])
                assert m["low_units"] - 1 <= m["stock_units"] <= m["high_units"] + 1
            if c.kind == "clear":
                assert m["expected_units"] + m["expected_left"] == m["quantity"]
                assert m["full_price_units"] + m["full_price_left"] == m["quantity"]
                assert m["expected_revenue_fen"] == m["expected_units"] * m["discount_price_fen"]
                assert m["full_price_revenue_fen"] == m["full_price_units"] * m["price_fen"]
                assert m["expected_units"] <= max(m["base_demand"], m["reachable_buyers"]) + 1
                assert m["response_low"] <= m["response"] <= m["response_high"]
            if c.kind == "restock":
                # The order covers the window, no more than its days' upper ends (plus rounding).
                window = m["days"][:m["window_days"]]
                assert m["order_units"] + m["on_hand"] <= sum(d["p90"] for d in window) + 1
                # The days of cover on the card are the days its reason says.
                assert m["on_hand"] == 0 or [r["params"]["days"] for r in c.reasons
                                             if r["code"] == "low_cover"] == [m["cover_days"]]
                assert m["order_units"] > 0 and m["order_cost_fen"] == m["order_units"] * (
                    m["order_cost_fen"] // m["order_units"])


def test_owner_pages_speak_plain_chinese(app, db, engine_cards, client):
    from tests.conftest import login
    from workbench.auth.models import User
    from workbench.stores.models import Store

    store = db.session.get(Store, engine_cards[0].store_id)
    owner = db.session.get(User, store.owner_id)
    login(client, owner, "demo-owner")
    mine = [c for c in engine_cards if c.store_id == store.id]
    pages = [f"/store/suggestions/{c.id}" for c in mine]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
        for word in JARGON:
            assert word not in text, (url, word)
        assert not HALF_WIDTH_IN_CHINESE.search(text), (url, HALF_WIDTH_IN_CHINESE.search(text).group(0))
