"""Stocking maths: the newsvendor quantity, days of cover, and markdown pricing. Pure.

Newsvendor. Stocking one more unit earns the unit margin when it sells (underage cost
``cu = price − cost``) and loses ``co = cost − salvage`` when it does not. The best
quantity is the demand quantile at the critical ratio ``cu / (cu + co)``.

Salvage (what an unsold unit is still worth), by shelf life — the rule the ratio shows:

* ``shelf_life_days >= LONG_SHELF_DAYS`` (30, the demo's perishable cut-off): the unit
  carries over to the next days; it only ties up money, so salvage = cost × (1 −
  ``HOLDING_RATE``);
* ``SPOIL_DAYS < shelf_life < LONG_SHELF_DAYS``: fresh goods that can still be cleared
  at a markdown before they expire; salvage = ``CLEARANCE_RECOVERY`` × price (what a
  half-price clearance recovers on average, after what still spoils), never above cost;
* ``shelf_life_days <= SPOIL_DAYS`` (bread, cut fruit): an unsold unit is thrown away;
  salvage = 0.

Quantiles between P10/P50/P90 are piecewise linear in probability; below P10 and above
P90 the neighbouring segment's slope is extended (floored at 0), and the probability is
clipped to [``TAU_MIN``, ``TAU_MAX``] so a near-free SKU cannot ask for an infinite stock.

Markdown. Demand at discount ``d`` is the base demand × ``(1 − d) ** −elasticity`` (the
constant-elasticity response measured from the store's own discounted sales); units sold
before expiry are ``E[min(D, Q)]`` with ``D ~ Poisson(expected demand)``; expected revenue
is that × price × (1 − d). The grid is 0–50 % in 5 % steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LONG_SHELF_DAYS = 30
SPOIL_DAYS = 2
HOLDING_RATE = 0.02
CLEARANCE_RECOVERY = 0.30
TAU_MIN, TAU_MAX = 0.02, 0.98

#: Days-of-cover levels: below 1 day red, below 2 orange, below 3 yellow.
COVER_LEVELS = (("red", 1.0), ("orange", 2.0), ("yellow", 3.0))
DISCOUNT_GRID = tuple(round(0.05 * k, 2) for k in range(11))  # 0 % … 50 %


def salvage_value(price_fen: float, cost_fen: float, shelf_life_days: int) -> float:
    """What an unsold unit is still worth, in fen, by the shelf-life rule above."""
    if shelf_life_days >= LONG_SHELF_DAYS:
        return cost_fen * (1.0 - HOLDING_RATE)
    if shelf_life_days <= SPOIL_DAYS:
        return 0.0
    return min(cost_fen, CLEARANCE_RECOVERY * price_fen)


def critical_ratio(price_fen: float, cost_fen: float, salvage_fen: float) -> float:
    """cu / (cu + co) with cu = price − cost and co = cost − salvage; 0 when nothing is earned."""
    under = max(price_fen - cost_fen, 0.0)
    over = max(cost_fen - salvage_fen, 0.0)
    if under + over <= 0:
        return 0.0
    return under / (under + over)


def quantile(p10: float, p50: float, p90: float, tau: float) -> float:
    """Demand quantile at probability ``tau`` from three quantiles (piecewise linear)."""
    tau = min(max(tau, TAU_MIN), TAU_MAX)
    if tau <= 0.1:
        value = p10 - (0.1 - tau) * (p50 - p10) / 0.4
    elif tau <= 0.5:
        value = p10 + (tau - 0.1) * (p50 - p10) / 0.4
    elif tau <= 0.9:
        value = p50 + (tau - 0.5) * (p90 - p50) / 0.4
    else:
        value = p90 + (tau - 0.9) * (p90 - p50) / 0.4
    return max(value, 0.0)


@dataclass(frozen=True)
class Newsvendor:
    ratio: float
    salvage_fen: float
    quantity: float  # the exact quantile
    units: int  # what to stock: the quantile rounded to whole units


def newsvendor(p10: float, p50: float, p90: float, price_fen: float, cost_fen: float,
               shelf_life_days: int) -> Newsvendor:
    """The stock quantity maximising expected margin net of unsold units."""
    salvage = salvage_value(price_fen, cost_fen, shelf_life_days)
    ratio = critical_ratio(price_fen, cost_fen, salvage)
    q = quantile(p10, p50, p90, ratio) if ratio > 0 else 0.0
    return Newsvendor(ratio=ratio, salvage_fen=salvage, quantity=q, units=int(math.floor(q + 0.5)))


def cover_days(on_hand: float, daily_demand: float) -> float:
    """Days the stock on hand lasts at the forecast daily demand (inf when none is expected)."""
    if daily_demand <= 0:
        return math.inf
    return max(on_hand, 0.0) / daily_demand


def cover_level(days: float) -> str | None:
    """``red`` / ``orange`` / ``yellow`` by the thresholds above; None when cover is ample."""
    for name, limit in COVER_LEVELS:
        if days < limit:
            return name
    return None


def order_quantity(on_hand: float, mean: list[float], p10: list[float], p90: list[float], ratio: float) -> int:
    """What to order so the stock covers the window's demand at the newsvendor's ratio.

    The window's demand is centred on the sum of the days' expected units (what the
    card shows), with its lower and upper spreads the days' gaps to P10 and P90 added in
    quadrature (days treated as independent). The stock to hold is that demand's quantile
    at ``ratio`` (``critical_ratio``: running out costs the margin, an unsold unit what
    spoils or is cleared at a loss), so goods that spoil are ordered near the expected
    units and cheap-to-keep goods a little above; order = that − on hand, rounded.
    """
    centre = sum(mean)
    low = math.sqrt(sum(max(m - a, 0.0) ** 2 for m, a in zip(mean, p10, strict=True)))
    high = math.sqrt(sum(max(h - m, 0.0) ** 2 for m, h in zip(mean, p90, strict=True)))
    target = quantile(max(centre - low, 0.0), centre, centre + high, ratio) if ratio > 0 else 0.0
    return max(0, int(math.floor(target - on_hand + 0.5)))


def expected_sold(demand: float, stock: int) -> float:
    """E[min(D, stock)] for D ~ Poisson(demand): Σ_{k<stock} P(D > k)."""
    if stock <= 0 or demand <= 0:
        return 0.0
    if demand > 50 + 10 * stock:  # the stock surely sells out; skip the long sum
        return float(stock)
    pmf = math.exp(-demand)
    cdf = pmf
    total = 0.0
    for k in range(stock):
        total += 1.0 - cdf  # P(D > k)
        pmf *= demand / (k + 1)
        cdf += pmf
    return total


@dataclass(frozen=True)
class MarkdownPoint:
    discount: float
    demand: float  # expected demand before expiry at this price
    units: float  # expected units sold of the batch
    revenue_fen: int


def markdown_curve(quantity: int, base_demand: float, price_fen: float, elasticity: float,
                   grid: tuple[float, ...] = DISCOUNT_GRID) -> list[MarkdownPoint]:
    """Expected units and revenue before expiry at each discount of ``grid``."""
    out = []
    for d in grid:
        demand = base_demand * (1.0 - d) ** (-elasticity)
        units = expected_sold(demand, quantity)
        out.append(MarkdownPoint(d, demand, units, int(round(units * price_fen * (1.0 - d)))))
    return out


def best_markdown(curve: list[MarkdownPoint]) -> MarkdownPoint:
    """The revenue-maximising point; the smallest discount wins a tie."""
    return max(curve, key=lambda p: (p.revenue_fen, -p.discount))


ELASTICITY_RANGE = (0.5, 6.0)
MIN_ELASTICITY_ROWS = 12


def estimate_elasticity(groups: list, depth: list[float], units: list[float]) -> tuple[float, int] | None:
    """(slope, rows) of ``estimate_elasticity_se``."""
    found = estimate_elasticity_se(groups, depth, units)
    return None if found is None else (found[0], found[1])


def estimate_elasticity_se(groups: list, depth: list[float], units: list[float]) -> tuple[float, int, float] | None:
    """Within-group slope of log units on −log(1 − discount depth), and the rows used.

    Rows are discounted product-days (groups = product ids). Only days on discount are
    compared with each other: every one of them is pushed to the group the same way, so
    the slope measures the price response and not the promotion's own lift. Product
    means are removed first (a fixed effect), so a popular SKU on a shallow discount
    does not pass for price response. None when there are too few rows or no spread.
    """
    by_group: dict = {}
    for g, d, u in zip(groups, depth, units, strict=True):
        if 0 < d < 1 and u > 0:
            by_group.setdefault(g, []).append((-math.log(1.0 - d), math.log(u)))
    xs, ys = [], []
    for rows in by_group.values():
        if len(rows) < 2:
            continue
        mx = sum(r[0] for r in rows) / len(rows)
        my = sum(r[1] for r in rows) / len(rows)
        xs += [r[0] - mx for r in rows]
        ys += [r[1] - my for r in rows]
    sxx = sum(x * x for x in xs)
    if len(xs) < MIN_ELASTICITY_ROWS or sxx < 1e-4:
        return None
    slope = sum(x * y for x, y in zip(xs, ys, strict=True)) / sxx
    # Standard error of the slope from the residuals (the fixed effects used one row per group).
    dof = max(len(xs) - 1 - sum(1 for rows in by_group.values() if len(rows) >= 2), 1)
    resid = sum((y - slope * x) ** 2 for x, y in zip(xs, ys, strict=True)) / dof
    se = math.sqrt(resid / sxx)
    lo, hi = ELASTICITY_RANGE
    return min(max(slope, lo), hi), len(xs), se


#: Prior for a price response nobody measured: brand-wide, ±PRIOR_SD (one sd).
PRIOR_SD = 0.75
#: A response used on a card stays in this range whatever the data say: a 10 % discount
#: lifting sales by more than 50 % (4.0) is not something one batch should bet on.
RESPONSE_RANGE = (0.5, 4.0)


def pool_response(estimate: float, se: float, prior: float, prior_sd: float = PRIOR_SD) -> tuple[float, float]:
    """Precision-weighted mean of a measured response and its prior: (value, standard error).

    A noisy store estimate (large ``se``) moves little from the brand's figure; a
    precise one wins. The result is clipped to ``RESPONSE_RANGE``.
    """
    w_data, w_prior = 1.0 / max(se, 1e-6) ** 2, 1.0 / prior_sd ** 2
    value = (w_data * estimate + w_prior * prior) / (w_data + w_prior)
    lo, hi = RESPONSE_RANGE
    return min(max(value, lo), hi), math.sqrt(1.0 / (w_data + w_prior))


def capped_markdown_curve(quantity: int, base_demand: float, price_fen: float, elasticity: float,
                          buyers: int, grid: tuple[float, ...] = DISCOUNT_GRID) -> list[MarkdownPoint]:
    """``markdown_curve`` with demand capped by the buyers the store can reach.

    A discount brings more of the store's members to buy, never more members than it
    has: demand at any price is at most ``max(base_demand, buyers)`` (one unit each).
    """
    out = []
    ceiling = max(base_demand, float(buyers))
    for d in grid:
        demand = min(base_demand * (1.0 - d) ** (-elasticity), ceiling)
        units = expected_sold(demand, quantity)
        out.append(MarkdownPoint(d, demand, units, int(round(units * price_fen * (1.0 - d)))))
    return out


SHRINK_ROWS = 30  # an estimate from this many rows weighs as much as its prior


def shrink(estimate: float, rows: int, prior: float, k: int = SHRINK_ROWS) -> float:
    """Partial pooling: (rows × estimate + k × prior) / (rows + k).

    A category measured on a few discounted days is pulled towards the wider estimate
    (the brand's category, or the brand's all-category figure), so one lucky campaign
    cannot claim a 6× price response.
    """
    return (rows * estimate + k * prior) / (rows + k)
