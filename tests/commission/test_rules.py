"""Commission rules: worked examples in fen, and properties against an independent recomputation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.commission.rules import (
    RateBook,
    Sale,
    clawback_fen,
    distance_to_next_tier,
    rate_month,
    round_half_away,
)

TIERS = ((0, 800), (2_000_000, 1000), (5_000_000, 1200))  # ¥0 → 8 %, ¥20,000 → 10 %, ¥50,000 → 12 %
FRUIT, DAIRY = 1, 2


def book(mode="whole", tiers=TIERS, since=date(2026, 1, 1), **kw) -> RateBook:
    return RateBook(effective_from=since, tier_mode=mode, after_sales_days=kw.pop("after_sales_days", 7),
                    tiers=tiers, **kw)


def sale(item_id, day, amount, category=DAIRY, product=100, campaign=None) -> Sale:
    at = datetime.combine(date(2026, 11, day), time(10), tzinfo=UTC) + timedelta(minutes=item_id)
    return Sale(item_id, at, date(2026, 11, day), amount, category, product, campaign)


def one(b: RateBook):
    return lambda day: b


# ------------------------------------------------------------------ worked examples


def test_rounding_is_half_away_from_zero_once_per_line():
    assert round_half_away(98_720, 10_000) == 10  # 9.872 fen → 10
    assert round_half_away(5_000, 10_000) == 1  # exactly half → away from zero
    assert round_half_away(4_999, 10_000) == 0
    assert round_half_away(-5_000, 10_000) == -1
    lines = rate_month([sale(1, 3, 1_234), sale(2, 3, 1_231)], one(book()))
    # 1,234 × 8 % = 98.72 → 99; 1,231 × 8 % = 98.48 → 98; the total is the sum of rounded lines.
    assert [ln.commission_fen for ln in lines] == [99, 98]


def test_whole_mode_tier_crossing_mid_month_lifts_every_line():
    sales = [sale(1, 3, 1_500_000), sale(2, 20, 800_000)]  # ¥15,000 then ¥8,000: ¥23,000 ≥ ¥20,000
    lines = rate_month(sales, one(book("whole")))
    assert [ln.rate_bp for ln in lines] == [1000, 1000]
    assert [ln.commission_fen for ln in lines] == [150_000, 80_000]
    assert {ln.tier for ln in lines} == {2}
    # Month to date on the 10th (before the crossing) the same first line earned 8 %.
    assert rate_month(sales[:1], one(book("whole")))[0].commission_fen == 120_000


def test_marginal_mode_splits_the_crossing_line_between_bands():
    lines = rate_month([sale(1, 3, 1_500_000), sale(2, 20, 800_000)], one(book("marginal")))
    # Line 2 covers ¥15,000–¥23,000: ¥5,000 at 8 % + ¥3,000 at 10 % = ¥400 + ¥300.
    assert [ln.commission_fen for ln in lines] == [120_000, 70_000]
    assert [ln.tier for ln in lines] == [1, 2]


def test_marginal_mode_orders_lines_by_pickup_time_not_input_order():
    late, early = sale(1, 20, 800_000), sale(2, 3, 1_500_000)
    lines = rate_month([late, early], one(book("marginal")))
    assert [ln.order_item_id for ln in lines] == [2, 1]


def test_category_base_rate_and_product_override_get_the_tier_uplift():
    b = book("whole", category_bp={FRUIT: 1000}, product_bp={555: 500})
    sales = [sale(1, 2, 2_000_000, category=FRUIT), sale(2, 2, 10_000, category=FRUIT, product=555),
             sale(3, 2, 10_000, category=DAIRY)]
    lines = rate_month(sales, one(b))
    # Tier 2 reached: uplift +2 points. Fruit 10 % → 12 %, the override 5 % → 7 %, dairy (tier) 10 %.
    assert [(ln.source, ln.rate_bp) for ln in lines] == [("category", 1200), ("product", 700), ("tier", 1000)]
    assert [ln.commission_fen for ln in lines] == [240_000, 700, 1_000]


def test_zero_rate_promotion_earns_nothing_even_in_a_high_tier():
    b = book("whole", campaign_bp={7: 0})
    lines = rate_month([sale(1, 2, 6_000_000), sale(2, 2, 99_900, campaign=7)], one(b))
    assert [(ln.source, ln.rate_bp, ln.commission_fen) for ln in lines] == [
        ("tier", 1200, 720_000), ("campaign", 0, 0)]


def test_a_line_refunded_in_full_before_closing_disappears():
    assert rate_month([sale(1, 2, 0), sale(2, 2, 1_000)], one(book())) == rate_month([sale(2, 2, 1_000)],
                                                                                       one(book()))


def test_plan_change_mid_month_rates_each_line_by_its_day():
    old = book("whole", since=date(2026, 1, 1))
    new = book("whole", tiers=((0, 600), (2_000_000, 900)), since=date(2026, 11, 15))
    lines = rate_month([sale(1, 10, 100_000), sale(2, 20, 100_000)],
                       lambda day: new if day >= new.effective_from else old)
    assert [ln.rate_bp for ln in lines] == [800, 600]


def test_payable_after_the_after_sales_window_of_the_version_in_force():
    lines = rate_month([sale(1, 28, 1_000)], one(book(after_sales_days=7)))
    assert lines[0].payable_on == date(2026, 12, 5)


def test_clawback_after_payment_takes_back_the_refunded_share_exactly_once():
    # A ¥12.34 line earned 99 fen; refunded in two halves after its statement was paid.
    first = clawback_fen(99, 1_234, 0, 617)
    second = clawback_fen(99, 1_234, 617, 617)
    assert (first, second) == (-50, -49)
    assert first + second == -99
    assert clawback_fen(99, 1_234, 1_234, 100) == 0  # nothing left to claw back


def test_distance_to_the_next_tier():
    assert distance_to_next_tier(book(), 1_680_000) == (320_000, 1000)  # 再卖 ¥3,200.00 升到 10%
    assert distance_to_next_tier(book(), 5_000_000) is None


# ------------------------------------------------------------------ properties


def _reference(sales, book_for):
    """Independent recomputation with Fractions, band by band, fen by fen."""
    ordered = sorted((s for s in sales if s.amount_fen > 0), key=lambda s: (s.earned_at, s.order_item_id))
    gmv = sum(s.amount_fen for s in ordered)
    out, cum = {}, 0
    for s in ordered:
        b = book_for(s.earned_on)
        mins = [m for m, _ in b.tiers]
        first = b.tiers[0][1]

        def tier_rate(g, b=b, mins=mins):
            return b.tiers[max(i for i, m in enumerate(mins) if m <= g)][1]

        if s.campaign_id in b.campaign_bp:
            exact = Fraction(s.amount_fen * b.campaign_bp[s.campaign_id], 10_000)
        else:
            base = b.product_bp.get(s.product_id, b.category_bp.get(s.category_id, first))
            if b.tier_mode == "whole":
                exact = Fraction(s.amount_fen * max(0, base + tier_rate(gmv) - first), 10_000)
            else:  # one fen at a time: the fen at GMV position g earns its band's uplift
                exact = sum((Fraction(max(0, base + tier_rate(g) - first), 10_000)
                             for g in range(cum, cum + s.amount_fen)), Fraction(0))
        cum += s.amount_fen
        floor = exact.numerator // exact.denominator
        out[s.order_item_id] = floor + (exact - floor >= Fraction(1, 2))
    return out


tiers_st = st.lists(st.tuples(st.integers(1, 3_000), st.integers(0, 2_000)), min_size=0, max_size=3).map(
    lambda extra: ((0, 500),) + tuple(sorted({m: r for m, r in extra}.items())))


@st.composite
def months(draw):
    n = draw(st.integers(0, 12))
    sales = [Sale(i + 1, datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 700))),
                  date(2026, 11, 1), draw(st.integers(0, 1_500)), draw(st.sampled_from([FRUIT, DAIRY])),
                  draw(st.sampled_from([100, 101])), draw(st.sampled_from([None, 7])))
             for i in range(n)]
    sales = [Sale(s.order_item_id, s.earned_at, s.earned_at.date(), s.amount_fen, s.category_id, s.product_id,
                  s.campaign_id) for s in sales]
    mode = draw(st.sampled_from(["whole", "marginal"]))
    books = [RateBook(date(2026, 1, 1), mode, 7, draw(tiers_st), {FRUIT: draw(st.integers(0, 3_000))},
                      {101: draw(st.integers(0, 3_000))}, {7: draw(st.sampled_from([0, 300]))})]
    if draw(st.booleans()):  # a plan change mid-month
        change = date(2026, 11, draw(st.integers(2, 28)))
        books.append(RateBook(change, draw(st.sampled_from(["whole", "marginal"])), 3, draw(tiers_st), {}, {}, {}))
    return sales, books


def _book_for(books):
    return lambda day: max((b for b in books if b.effective_from <= day), key=lambda b: b.effective_from)


@settings(max_examples=300, deadline=None)
@given(months())
def test_lines_match_an_independent_recomputation(month):
    sales, books = month
    lines = rate_month(sales, _book_for(books))
    assert {ln.order_item_id: ln.commission_fen for ln in lines} == _reference(sales, _book_for(books))
    # Every earned sale appears once, refunded-in-full ones never.
    assert sorted(ln.order_item_id for ln in lines) == sorted(s.order_item_id for s in sales if s.amount_fen > 0)
    assert sum(ln.amount_fen for ln in lines) == sum(s.amount_fen for s in sales)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 50_000), st.lists(st.integers(1, 20_000), max_size=6))
def test_clawbacks_never_exceed_the_commission_and_a_full_refund_takes_all(commission, amount, refunds):
    taken, total = 0, 0
    for r in refunds:
        total += clawback_fen(commission, amount, taken, r)
        taken += r
    assert -commission <= total <= 0
    if taken >= amount:
        assert total == -commission
    assert clawback_fen(commission, amount, 0, amount) == -commission


@pytest.mark.parametrize("mode", ["whole", "marginal"])
def test_month_to_date_never_exceeds_the_month_in_whole_or_marginal_mode(mode):
    sales = [sale(i, 1 + i, 400_000) for i in range(1, 8)]
    full = sum(ln.commission_fen for ln in rate_month(sales, one(book(mode))))
    partial = sum(ln.commission_fen for ln in rate_month(sales[:4], one(book(mode))))
    assert partial <= full
