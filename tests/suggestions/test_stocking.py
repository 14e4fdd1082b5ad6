"""Newsvendor, days of cover, order quantity and markdown maths: hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.suggestions import signals, stocking


def test_salvage_by_shelf_life():
    assert stocking.salvage_value(2000, 1000, 365) == pytest.approx(980)  # carries over, 2 % holding
    assert stocking.salvage_value(2000, 1000, 30) == pytest.approx(980)
    assert stocking.salvage_value(2000, 1200, 5) == pytest.approx(600)  # 30 % of price by clearance
    assert stocking.salvage_value(5000, 1200, 5) == pytest.approx(1200)  # never above cost
    assert stocking.salvage_value(2000, 1200, 2) == 0  # spoils


def test_critical_ratio():
    assert stocking.critical_ratio(2000, 1200, 600) == pytest.approx(800 / 1400)
    assert stocking.critical_ratio(1000, 1000, 0) == 0  # no margin: stock nothing
    assert stocking.critical_ratio(1000, 600, 600) == 1  # nothing to lose


@pytest.mark.parametrize(("tau", "expected"), [
    (0.5, 5.0), (0.1, 2.0), (0.9, 10.0),
    (0.3, 3.5),  # 2 + 0.2 × 3 / 0.4
    (0.7, 7.5),  # 5 + 0.2 × 5 / 0.4
    (0.95, 10.625),  # 10 + 0.05 × 5 / 0.4 (upper tail extended)
    (0.05, 1.625),  # 2 − 0.05 × 3 / 0.4 (lower tail extended)
    (0.0, 1.4),  # clipped to 0.02
    (1.0, 11.0),  # clipped to 0.98
])
def test_quantile_interpolation(tau, expected):
    assert stocking.quantile(2, 5, 10, tau) == pytest.approx(expected)


def test_quantile_floors_at_zero():
    assert stocking.quantile(0, 0.5, 3, 0.02) == 0


def test_newsvendor_known_answers():
    fresh = stocking.newsvendor(2, 5, 10, price_fen=2000, cost_fen=1200, shelf_life_days=5)
    assert fresh.salvage_fen == pytest.approx(600)
    assert fresh.ratio == pytest.approx(0.571428, abs=1e-6)
    assert fresh.quantity == pytest.approx(5 + (0.5714286 - 0.5) * 5 / 0.4, abs=1e-5)  # 5.893
    assert fresh.units == 6
    durable = stocking.newsvendor(2, 5, 10, price_fen=2000, cost_fen=1000, shelf_life_days=365)
    assert durable.ratio == pytest.approx(1000 / 1020)
    assert durable.quantity == pytest.approx(11.0)  # ratio 0.98 → clipped tail
    bread = stocking.newsvendor(2, 5, 10, price_fen=1000, cost_fen=800, shelf_life_days=1)
    assert bread.ratio == pytest.approx(0.2)
    assert bread.quantity == pytest.approx(2.75)
    assert bread.units == 3
    loss = stocking.newsvendor(2, 5, 10, price_fen=1000, cost_fen=1000, shelf_life_days=5)
    assert loss.units == 0


def test_days_of_cover_levels():
    assert stocking.cover_days(0, 2) == 0
    assert stocking.cover_level(stocking.cover_days(0, 2)) == "red"
    assert stocking.cover_level(stocking.cover_days(1.9, 2)) == "red"  # 0.95 days
    assert stocking.cover_level(stocking.cover_days(3, 2)) == "orange"  # 1.5
    assert stocking.cover_level(stocking.cover_days(5, 2)) == "yellow"  # 2.5
    assert stocking.cover_level(stocking.cover_days(6, 2)) is None  # exactly 3: ample
    assert stocking.cover_days(5, 0) == math.inf
    assert stocking.cover_level(math.inf) is None


def test_order_quantity():
    # Centre 9 expected units; at a ratio of 0.5 the order is the expected units less stock.
    assert stocking.order_quantity(2, [3, 3, 3], [1, 1, 1], [5, 5, 5], 0.5) == 7
    # At 0.9 the upper end: 9 + √(3 × 2²) = 12.46, less 2 on hand → 10.
    assert stocking.order_quantity(2, [3, 3, 3], [1, 1, 1], [5, 5, 5], 0.9) == 10
    assert stocking.order_quantity(50, [3, 3, 3], [1, 1, 1], [5, 5, 5], 0.9) == 0


def test_order_quantity_slow_grapes_is_what_three_days_sell():
    """The card that ordered 8 串 for 0.8 a day: 阳光玫瑰葡萄 ¥29.90, cost ¥19.70, 10 days' shelf life."""
    ratio = stocking.critical_ratio(2990, 1970, stocking.salvage_value(2990, 1970, 10))
    assert ratio < 0.5  # an unsold bunch loses more than a sold one earns
    assert stocking.order_quantity(0, [0.8, 0.9, 1.0], [0, 0, 0], [4.3, 4.4, 4.5], ratio) == 3


@given(on_hand=st.integers(0, 60),
       days=st.lists(st.tuples(st.floats(0, 40), st.floats(0, 1), st.floats(0, 3)), min_size=1, max_size=3),
       price=st.integers(100, 10_000), margin=st.floats(0.01, 0.9), shelf=st.sampled_from([1, 2, 5, 10, 30, 365]))
@settings(max_examples=300, deadline=None)
def test_order_quantity_properties(on_hand, days, price, margin, shelf):
    """Whatever the forecast: never negative, less when more is on hand, within the shown range, and for
    goods whose leftovers lose more than a sale earns, never above the expected units."""
    mean = [m for m, _, _ in days]
    p10 = [m * (1 - lo) for m, lo, _ in days]
    p90 = [m * (1 + hi) for m, _, hi in days]
    cost = int(price * (1 - margin))
    ratio = stocking.critical_ratio(price, cost, stocking.salvage_value(price, cost, shelf))
    qty = stocking.order_quantity(on_hand, mean, p10, p90, ratio)
    assert qty >= 0
    assert stocking.order_quantity(on_hand + 1, mean, p10, p90, ratio) <= qty
    high = math.sqrt(sum((h - m) ** 2 for m, h in zip(mean, p90, strict=True)))
    assert qty + on_hand <= sum(mean) + 1.2 * high + 0.5 or qty == 0  # P98 is P90 + 0.2 × (P90 − P50)
    if ratio <= 0.5:
        assert qty <= max(0, math.floor(sum(mean) - on_hand + 0.5))
    else:
        assert qty >= math.floor(sum(mean) - on_hand + 0.5) or qty == 0


def test_expected_sold_poisson():
    assert stocking.expected_sold(1.0, 1) == pytest.approx(1 - math.exp(-1))
    assert stocking.expected_sold(2.0, 2) == pytest.approx(2 - 4 * math.exp(-2))
    assert stocking.expected_sold(0.0, 5) == 0
    assert stocking.expected_sold(3.0, 0) == 0
    assert stocking.expected_sold(1000.0, 4) == 4


def test_markdown_curve_and_best_discount():
    curve = stocking.markdown_curve(2, 1.0, 1000, 2.0, grid=(0.0, 0.5))
    # No discount: λ = 1, E[min(D, 2)] = 2 − 3/e = 0.8964 → ¥8.96.
    assert curve[0].units == pytest.approx(2 - 3 * math.exp(-1))
    assert curve[0].revenue_fen == 896
    # Half price: λ = 1 × 0.5⁻² = 4, E[min(D, 2)] = 2 − 6e⁻⁴ = 1.8901 → 1.8901 × ¥5 = ¥9.45.
    assert curve[1].demand == pytest.approx(4.0)
    assert curve[1].units == pytest.approx(2 - 6 * math.exp(-4))
    assert curve[1].revenue_fen == 945
    assert stocking.best_markdown(curve).discount == 0.5
    # Plenty of demand already: no discount is best.
    assert stocking.best_markdown(stocking.markdown_curve(2, 30.0, 1000, 2.0)).discount == 0
    assert [p.discount for p in stocking.markdown_curve(1, 1, 100, 1)] == [
        0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]


def test_elasticity_recovers_a_known_slope():
    groups, depth, units = [], [], []
    for g, base in ((1, 2.0), (2, 7.0), (3, 4.0)):
        for d in (0.1, 0.15, 0.2, 0.25, 0.3):
            groups.append(g)
            depth.append(d)
            units.append(base * (1 - d) ** -3.0)
    est = stocking.estimate_elasticity(groups, depth, units)
    assert est is not None
    assert est[0] == pytest.approx(3.0)
    assert est[1] == 15
    assert stocking.estimate_elasticity(groups[:5], depth[:5], units[:5]) is None  # too few rows
    assert stocking.shrink(4.0, 30, 2.0) == pytest.approx(3.0)


def test_tag_lift_on_hand_made_baskets():
    # member, order, in category, amount (fen)
    rows = [(1, 1, True, 30), (1, 1, False, 10), (2, 2, True, 10), (3, 3, False, 50)]
    member, order, in_cat, amount = (np.array(c) for c in zip(*rows, strict=True))
    tags = {"A": {1, 2}, "B": {3}, "C": {1, 3}}
    # Store: 40 of 100 on the category (0.4). A: 40 of 50 (0.8) → lift 2.0.
    # B: 0 of 50 → 0; C: 30 of 90 → 0.83: neither is > 1.
    found = signals.tag_lifts(tags, member, order, in_cat.astype(bool), amount.astype(float), min_orders=1)
    assert [(t.tag, round(t.lift, 6), t.members, t.orders) for t in found] == [("A", 2.0, 2, 2)]
    assert signals.tag_lifts(tags, member, order, in_cat.astype(bool), amount.astype(float), min_orders=3) == []


def test_best_hour_surge_and_hot_days():
    assert signals.best_hour(np.array([20, 20, 9])) == (20, pytest.approx(2 / 3))
    assert signals.best_hour(np.array([])) is None
    offsets = np.array([-1, -2, -3, -3, -2, -1] + list(range(-4, -32, -1)))
    assert signals.talk_surge(offsets) == (6, pytest.approx(2.0))  # usual: 28 in 28 days → 3 per 3 days
    units = np.array([10.0] * 5 + [15.0] * 5)
    temps = np.array([20.0] * 5 + [30.0] * 5)
    assert signals.hot_day_lift(units, temps) == pytest.approx(0.5)
    assert signals.hot_day_lift(units[:7], temps[:7]) is None  # two hot days are not enough
