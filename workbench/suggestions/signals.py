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
