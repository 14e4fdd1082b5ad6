"""Pure statistics behind the reasons: tag lift, best hour, chat surges, hot-day lift."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

MIN_TAG_ORDERS = 5  # a tag needs this many orders with the category before its lift counts
HOT_C = 28  # the demo's HOT_THRESHOLD_C: above it fruit, drinks and ice cream sell more


@dataclass(frozen=True)
class TagLift:
    tag: str
    lift: float
    members: int  # members with the tag who may be pushed to
    orders: int  # the tag's orders that held the category


def tag_lifts(tag_members: dict[str, set[int]], member: np.ndarray, order: np.ndarray, in_category: np.ndarray,
              amount: np.ndarray, min_orders: int = MIN_TAG_ORDERS) -> list[TagLift]:
    """Tags whose members spend a larger share on the category than the store does (lift > 1).

    lift = (tag members' category spend / their total spend) ÷ (the store's category
    spend / its total spend). Sorted by lift, highest first.
    """
    total = float(amount.sum())
    cat_total = float(amount[in_category].sum())
    if total <= 0 or cat_total <= 0:
        return []
    base = cat_total / total
    out = []
    for tag, members in tag_members.items():
        if not members:
            continue
        mine = np.isin(member, np.fromiter(members, dtype=np.int64))
        spend = float(amount[mine].sum())
        if spend <= 0:
            continue
        orders = len(np.unique(order[mine & in_category]))
        lift = float(amount[mine & in_category].sum()) / spend / base
        if lift > 1.0 and orders >= min_orders:
            out.append(TagLift(tag, lift, len(members), orders))
    return sorted(out, key=lambda t: (-t.lift, t.tag))


#: A tag's own orders weigh against this many orders of prior (the brand's lift for the tag
#: and category, itself shrunk towards no lift): a small sample cannot make a tag.
TAG_PRIOR_ORDERS = 30
Z90 = 1.645  # one-sided 95 %: the lower end of a 90 % interval


@dataclass(frozen=True)
class CredibleTag:
    tag: str
    lift: float  # shrunk
    lift_low: float  # lower end of the 90 % interval
    members: int
    orders: int


def shrunk_lift(hits: int, orders: int, base_rate: float, prior_lift: float = 1.0,
                prior_orders: int = TAG_PRIOR_ORDERS) -> tuple[float, float]:
    """(lift, lower end of its 90 % interval) of a rate ``hits / orders`` over ``base_rate``.

    Beta-binomial shrinkage: the prior is ``prior_orders`` orders at ``base_rate ×
    prior_lift``; the interval is the normal approximation of the posterior.
    """
    if base_rate <= 0:
        return 1.0, 0.0
    prior_rate = min(base_rate * prior_lift, 0.99)
    n = orders + prior_orders
    rate = (hits + prior_orders * prior_rate) / n
    sd = (rate * (1 - rate) / (n + 1)) ** 0.5
    return rate / base_rate, (rate - Z90 * sd) / base_rate


def credible_tags(tag_members: dict[str, set[int]], member: np.ndarray, order: np.ndarray, in_category: np.ndarray,
                  brand_lift: dict[str, float] | None = None, min_members: int = 5) -> list[CredibleTag]:
    """Tags whose members order the category more often than the store's members do, credibly.

    Per tag: the share of its members' orders that hold the category, against the
    store's share, shrunk towards the brand's lift for that tag and category
    (``brand_lift``, 1.0 when unknown). A tag is kept only when the lower end of the
    90 % interval of its lift is above 1. Sorted by that lower end, highest first.
    """
    orders_all = np.unique(order)
    if len(orders_all) == 0:
        return []
    with_cat = np.unique(order[in_category])
    base = len(with_cat) / len(orders_all)
    out = []
    for tag, members in tag_members.items():
        if len(members) < min_members:
            continue
        mine = np.isin(member, np.fromiter(members, dtype=np.int64))
        n = len(np.unique(order[mine]))
        if n == 0:
            continue
        hits = len(np.unique(order[mine & in_category]))
        lift, low = shrunk_lift(hits, n, base, (brand_lift or {}).get(tag, 1.0))
        if low > 1.0:
            out.append(CredibleTag(tag, lift, low, len(members), n))
    return sorted(out, key=lambda t: (-t.lift_low, t.tag))


def best_hour(hours: np.ndarray) -> tuple[int, float] | None:
    """The most frequent local hour and its share of events; None without events."""
    if len(hours) == 0:
        return None
    counts = Counter(int(h) for h in hours)
    hour, n = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))
    return hour, n / len(hours)


def talk_surge(offsets: np.ndarray, recent_days: int = 3, usual_days: int = 28) -> tuple[int, float] | None:
    """(mentions in the last ``recent_days``, ratio to the usual daily rate before them)."""
    recent = int(np.sum(offsets >= -recent_days))
    before = int(np.sum((offsets < -recent_days) & (offsets >= -recent_days - usual_days)))
    if recent == 0:
        return None
    usual = before / usual_days * recent_days
    return recent, (recent / usual if usual > 0 else float("inf"))


def hot_day_lift(daily_units: np.ndarray, temps: np.ndarray, threshold: int = HOT_C,
                 min_days: int = 5) -> float | None:
    """Mean units on days above ``threshold`` ÷ mean on the other days, minus 1."""
    ok = ~np.isnan(temps)
    hot = ok & (temps > threshold)
    cool = ok & (temps <= threshold)
    if hot.sum() < min_days or cool.sum() < min_days:
        return None
    cool_mean = float(daily_units[cool].mean())
    if cool_mean <= 0:
        return None
    return float(daily_units[hot].mean()) / cool_mean - 1.0
