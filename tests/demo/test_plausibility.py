"""The demo brand looks like real 社区团购 stores (figures from shared/seeds and the counter).

One default-sized brand is generated in memory (no database, ~2 s) and measured by
``workbench.demo.plausibility``, the module ``bench/demo_plausibility.py`` prints.
"""

from __future__ import annotations

from datetime import date

import pytest

from workbench.demo.generate import EPOCH, SeedParams, generate
from workbench.demo.plausibility import measure


@pytest.fixture(scope="module")
def figures():
    params = SeedParams.build(end_date=date(2026, 11, 20), stores=8, days=120)
    ds = generate(params)
    return measure(ds.tables, (params.start_date - EPOCH).days, params.days)


def test_a_group_takes_more_than_15_orders_a_day(figures):
    assert 15 < figures.orders_per_store_day < 60


def test_a_month_s_repurchase_rate_is_in_the_trade_s_range(figures):
    assert 0.25 <= figures.repurchase_rate <= 0.42


def test_a_basket_is_tens_of_yuan(figures):
    assert 20 <= figures.basket_yuan <= 120


def test_one_shopper_takes_a_handful_of_one_item(figures):
    within = [v <= 6 for v in figures.line_units_p99.values()]
    assert sum(within) >= 0.8 * len(within)
    assert max(figures.line_units_p99.values()) <= 8


def test_an_order_holds_a_few_items(figures):
    assert 1.3 <= figures.items_per_order_mean <= 4 and figures.items_per_order_p99 <= 10


def test_daily_sales_swing_like_a_store_with_group_buys(figures):
    assert figures.daily_sales_cv_median <= 0.6 and figures.daily_sales_cv_max <= 0.8
    assert figures.daily_sales_max_over_median <= 6


def test_no_product_sells_more_than_the_households_could_take(figures):
    assert figures.units_per_100_households_max <= 10  # per 100 households, the busiest product-day


def test_group_buys_sometimes_fail(figures):
    assert 0.2 <= figures.campaign_failure_rate <= 0.55
