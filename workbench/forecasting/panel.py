"""The dense daily panel every method works on: one row per series (store × SKU), one
column per day.

A series is *alive* from its first observation to the end of the panel. A missing
date inside a series' life means zero sales; days before the first observation are
masked (``alive`` is False), never zeros, so late starters do not look like dead SKUs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

# Exogenous per-series-day arrays the feature builder knows how to use (all optional).
#   temp_high    °C on the target day (the store's city weather)
#   rain_mm      millimetres on the target day
#   discount     0..1 planned discount depth (campaign group price vs list price)
#   campaign     1 if the SKU is in a campaign running at the store that day
#   live         1 if the store runs a live stream that day
#   talk_topic   interactions at the store on the SKU's category / attribute topics
#   talk_product interactions at the store naming the SKU itself
KNOWN_AHEAD_EXOG = ("temp_high", "rain_mm", "discount", "campaign", "live")
LAGGED_EXOG = ("talk_topic", "talk_product")


@dataclass
class Panel:
    """Series × day arrays plus the keys and static codes of each series."""

    start: date
    store: np.ndarray  # (S,) store key of each series (str or int)
    sku: np.ndarray  # (S,) SKU key of each series
    units: np.ndarray  # (S, T) float64; 0 where not alive
    alive: np.ndarray  # (S, T) bool
    price: np.ndarray | None = None  # (S, T) float64, NaN when unknown
    on_promo: np.ndarray | None = None  # (S, T) float64 0/1, NaN when unknown
    # Per series: True when price/on_promo rows exist whatever the sales (a dense price
    # calendar), so a target day's price may be used; False when rows only exist on
    # sale days, where the mere presence of a price would leak the target.
    covariates_ahead: np.ndarray | None = None  # (S,) bool
    exog: dict[str, np.ndarray] = field(default_factory=dict)  # name → (S, T)
    day_kind: np.ndarray | None = None  # (T,) int8 codes from daykinds.KIND_CODES
    store_code: np.ndarray | None = None  # (S,) int32, dense code of the store
    category_code: np.ndarray | None = None  # (S,) int32, -1 when unknown

    def __post_init__(self) -> None:
        if self.store_code is None:
            self.store_code = np.unique(self.store, return_inverse=True)[1].astype(np.int32)
        if self.category_code is None:
            self.category_code = np.full(self.n_series, -1, dtype=np.int32)

    @property
    def n_series(self) -> int:
        """Number of series (rows)."""
        return int(self.units.shape[0])

    @property
    def n_days(self) -> int:
        """Number of days (columns)."""
        return int(self.units.shape[1])

    def day(self, index: int) -> date:
        """The calendar date of column ``index``."""
        return self.start + timedelta(days=int(index))

    def weekday(self) -> np.ndarray:
        """(T,) Monday=0 … Sunday=6."""
        first = self.start.weekday()
        return ((np.arange(self.n_days) + first) % 7).astype(np.int8)

    def first_alive(self) -> np.ndarray:
        """(S,) index of each series' first observed day."""
        return np.argmax(self.alive, axis=1)


def subset(panel: Panel, keep: np.ndarray) -> Panel:
    """The series of ``panel`` where ``keep`` (S,) is True, same days and codes."""
    def rows(a):
        return None if a is None else a[keep]

    return replace(panel, store=panel.store[keep], sku=panel.sku[keep], units=panel.units[keep],
                   alive=panel.alive[keep], price=rows(panel.price), on_promo=rows(panel.on_promo),
                   covariates_ahead=rows(panel.covariates_ahead), exog={k: v[keep] for k, v in panel.exog.items()},
                   store_code=panel.store_code[keep], category_code=panel.category_code[keep])


def panel_from_long(
    store: np.ndarray | list,
    sku: np.ndarray | list,
    day: np.ndarray | list,
    units: np.ndarray | list,
    price: np.ndarray | list | None = None,
    on_promo: np.ndarray | list | None = None,
    end: date | None = None,
) -> Panel:
    """Build a dense panel from long rows; duplicate (series, day) rows are summed."""
    store = np.asarray(store)
    sku = np.asarray(sku)
    days = np.asarray(day, dtype="datetime64[D]")
    units = np.asarray(units, dtype=np.float64)
    n = len(units)
    if not (len(store) == len(sku) == len(days) == n):
        raise ValueError("store, sku, day and units must have the same length")
    if n == 0:
        raise ValueError("no rows")
    first_day = days.min()
    last_day = days.max() if end is None else max(days.max(), np.datetime64(end, "D"))
    n_days = int((last_day - first_day).astype(int)) + 1
    col = (days - first_day).astype(np.int64)

    # Series keys: unique (store, sku) pairs, in sorted order for reproducibility.
    store_u, store_inv = np.unique(store, return_inverse=True)
    sku_u, sku_inv = np.unique(sku, return_inverse=True)
    pair = store_inv.astype(np.int64) * len(sku_u) + sku_inv
    pair_u, row = np.unique(pair, return_inverse=True)
    n_series = len(pair_u)

    flat = row * n_days + col
    size = n_series * n_days
    values = np.bincount(flat, weights=units, minlength=size).reshape(n_series, n_days)

    first = np.full(n_series, n_days, dtype=np.int64)
    np.minimum.at(first, row, col)
    alive = np.arange(n_days)[None, :] >= first[:, None]
    values[~alive] = 0.0

    price_arr = promo_arr = ahead = None
    if price is not None or on_promo is not None:
        has_row = np.bincount(flat, minlength=size).reshape(n_series, n_days) > 0
        # A dense price calendar: rows on (nearly) every alive day, zero-sale days included.
        rows_per_series = has_row.sum(axis=1)
        ahead = rows_per_series >= 0.9 * alive.sum(axis=1)
    if price is not None:
        price_arr = _mean_by_cell(np.asarray(price, dtype=np.float64), flat, n_series, n_days)
    if on_promo is not None:
        promo_arr = _mean_by_cell(np.asarray(on_promo, dtype=np.float64), flat, n_series, n_days)

    store_keys = store_u[pair_u // len(sku_u)]
    sku_keys = sku_u[pair_u % len(sku_u)]
    return Panel(
        start=first_day.astype(object),
        store=store_keys,
        sku=sku_keys,
        units=values,
        alive=alive,
        price=price_arr,
        on_promo=promo_arr,
        covariates_ahead=ahead,
        store_code=(pair_u // len(sku_u)).astype(np.int32),
    )


def _mean_by_cell(values: np.ndarray, flat: np.ndarray, n_series: int, n_days: int) -> np.ndarray:
    """Mean of the non-NaN values landing in each cell; NaN for cells with none."""
    ok = ~np.isnan(values)
    size = n_series * n_days
    total = np.bincount(flat[ok], weights=values[ok], minlength=size)
    count = np.bincount(flat[ok], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out.reshape(n_series, n_days)
