"""Commission rules, as pure functions over plain data: exact to the fen.

The rules (documented for owners on the 收益 page and for finance in the README):

* A line is one picked-up order item; it is earned on its local pickup day and belongs to
  that day's month. Its amount is what the member paid, less refunds made before the
  month's statement was closed (a line refunded in full disappears).
* Rates come from the plan version in force on the earning day. A promotional campaign's
  own rate is final (it may be zero). Otherwise the line's base rate is its product's
  override, else its category's base rate, else the first tier's rate; the tier the store
  reaches adds its uplift (its rate minus the first tier's rate) on top.
* Tiers are by the month's GMV (the sum of the month's line amounts). ``whole``: the tier
  reached applies to every line of the month. ``marginal``: lines fill the GMV bands in
  earning order (pickup time, then order item id) and each part of a line earns its band's
  uplift.
* Rounding happens once per line: commission = amount × rate / 10,000 in exact integer
  arithmetic, rounded half away from zero to the fen. A statement's total is the sum of
  its rounded lines.
* A refund after the statement was closed claws back the commission on the refunded part,
  on the next open statement, linked to the original line. Partial refunds claw back the
  difference of the rounded cumulative figure, so several partial refunds together claw
  back exactly the line's commission, never more.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

BP = 10_000  # basis points in one
HALF_BP = BP // 2


def round_half_away(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    return sign * (q + (2 * r >= denominator))


@dataclass(frozen=True)
class RateBook:
    """One plan version: everything needed to rate a line earned while it is in force."""

    effective_from: date
    tier_mode: str  # "whole" or "marginal"
    after_sales_days: int
    tiers: tuple[tuple[int, int], ...]  # (min_gmv_fen, rate_bp), ascending, first at 0
    category_bp: Mapping[int, int] = field(default_factory=dict)
    product_bp: Mapping[int, int] = field(default_factory=dict)
    campaign_bp: Mapping[int, int] = field(default_factory=dict)

    @property
    def first_bp(self) -> int:
        return self.tiers[0][1] if self.tiers else 0

    @cached_property
    def _floors(self) -> list[int]:
        return [m for m, _ in self.tiers]

    def tier_index(self, gmv_fen: int) -> int:
        """0-based index of the tier reached by ``gmv_fen`` (0 when there are no tiers)."""
        if not self.tiers:
            return 0
        return max(0, bisect_right(self._floors, gmv_fen) - 1)

    def uplift_bp(self, index: int) -> int:
        return self.tiers[index][1] - self.first_bp if self.tiers else 0

    def base(self, sale: Sale) -> tuple[str, int]:
        """Where the line's base rate comes from, and the rate."""
        if sale.campaign_id is not None and sale.campaign_id in self.campaign_bp:
            return "campaign", self.campaign_bp[sale.campaign_id]
        if sale.product_id in self.product_bp:
            return "product", self.product_bp[sale.product_id]
        if sale.category_id in self.category_bp:
            return "category", self.category_bp[sale.category_id]
        return "tier", self.first_bp


class Sale(NamedTuple):
    """One picked-up order item, net of refunds made before its statement closed."""

    order_item_id: int
    earned_at: datetime  # the pickup time: orders lines within the month (naive UTC or aware, never mixed)
    earned_on: date  # its local day (picks the plan version)
    amount_fen: int
    category_id: int
    product_id: int
    campaign_id: int | None = None


class Line(NamedTuple):
    order_item_id: int
    earned_on: date
    amount_fen: int
    source: str  # campaign / product / category / tier
    rate_bp: int  # the line's rate; for a marginal line split across bands, the highest part's
    tier: int  # 1-based tier reached (whole) or of the line's last part (marginal)
    commission_fen: int
    payable_on: date


#: Lines fill the month in pickup order, ties broken by order item (Sale's fields 1 and 0).
_EARNING_ORDER = itemgetter(1, 0)  # by position: Sale and the tuples laid out like it


def month_gmv(sales: Iterable[Sale]) -> int:
    return sum(s.amount_fen for s in sales)


def rate_month(sales: Iterable[Sale], book_for: Callable[[date], RateBook]) -> list[Line]:
    """The commission lines of one store's month (or month to date) from its sales.

    ``sales`` are ``Sale``s or tuples laid out like one (``statements.EarnedItem``).

    ``book_for(day)`` returns the plan version in force on ``day``. Zero-amount sales
    (refunded in full before closing) produce no line.
    """
    ordered = sorted((s for s in sales if s.amount_fen > 0), key=_EARNING_ORDER)
    gmv = month_gmv(ordered)
    lines: list[Line] = []
    append = lines.append
    cumulative = 0
    # A month has ≤ 31 days: each day's plan version, its payable day and (``whole``) the
    # tier the month reached under it are worked out once, not once per line.
    days: dict[date, tuple[RateBook, date, int, int]] = {}
    for sale in ordered:
        day = days.get(sale.earned_on)
        if day is None:
            book = book_for(sale.earned_on)
            whole_tier = book.tier_index(gmv)
            day = days[sale.earned_on] = (book, sale.earned_on + timedelta(days=book.after_sales_days),
                                          whole_tier, book.uplift_bp(whole_tier))
        book, payable_on, whole_tier, whole_uplift = day
        source, base_bp = book.base(sale)
        amount = sale.amount_fen
        start, cumulative = cumulative, cumulative + amount
        if source == "campaign":
            # A promotion's rate is final: no tier uplift.
            tier = whole_tier if book.tier_mode == "whole" else book.tier_index(cumulative - 1)
            numerator, rate = amount * base_bp, base_bp
        elif book.tier_mode == "whole":
            # A plan whose higher tier pays less than its first, over a category rate below
            # the first tier's, would make the uplift exceed the base: a sale never earns a
            # negative commission, so the rate stops at 0.
            tier, rate = whole_tier, max(0, base_bp + whole_uplift)
            numerator = amount * rate
        else:
            numerator, rate, tier = _marginal(book, base_bp, start, cumulative)
        # round_half_away(numerator, BP), inlined for the usual non-negative case: closing
        # rates ~900,000 lines a month.
        commission = (numerator + HALF_BP) // BP if numerator >= 0 else round_half_away(numerator, BP)
        append(Line(sale.order_item_id, sale.earned_on, amount, source, rate, tier + 1, commission, payable_on))
    return lines


def _marginal(book: RateBook, base_bp: int, start: int, end: int) -> tuple[int, int, int]:
    """Numerator (fen × bp) of GMV [start, end) split over the bands; rate and tier of the last part."""
    numerator, rate, tier = 0, base_bp, 0
    bounds = [m for m, _ in book.tiers] or [0]
    for index, low in enumerate(bounds):
        high = bounds[index + 1] if index + 1 < len(bounds) else None
        part_lo = max(start, low)
        part_hi = end if high is None else min(end, high)
        if part_hi <= part_lo:
            continue
        rate = max(0, base_bp + book.uplift_bp(index))  # never negative, as in ``whole``
        numerator += (part_hi - part_lo) * rate
        tier = index
    return numerator, rate, tier


def clawback_fen(line_commission_fen: int, line_amount_fen: int, refunded_before_fen: int,
                 refunded_now_fen: int) -> int:
    """The (negative or zero) clawback for a refund made after the line's statement closed.

    ``refunded_before_fen`` is what earlier post-closing refunds of the same line already
    took back. Cumulative rounding: the clawbacks of a line never add up to more than its
    commission, and a full refund claws back exactly all of it.
    """
    if line_amount_fen <= 0:
        return 0
    before = min(refunded_before_fen, line_amount_fen)
    after = min(refunded_before_fen + refunded_now_fen, line_amount_fen)
    took = round_half_away(line_commission_fen * before, line_amount_fen)
    takes = round_half_away(line_commission_fen * after, line_amount_fen)
    return -(takes - took)


def distance_to_next_tier(book: RateBook, gmv_fen: int) -> tuple[int, int] | None:
    """(fen still to sell, the next tier's rate in bp), or None at the top tier."""
    index = book.tier_index(gmv_fen)
    if not book.tiers or index + 1 >= len(book.tiers):
        return None
    low, rate = book.tiers[index + 1]
    return low - gmv_fen, rate
