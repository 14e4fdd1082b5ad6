"""Feature rows for the global model: one row per (series, target day) at lead H.

A row for target day d at horizon H may only use sales up to the cutoff c = d − H
(the day before the forecast origin o = d − H + 1). Every sales-derived feature is read
through cumulative sums ending at c, and every lag is ≥ H, so no actual on or after the
origin can reach a feature. Covariates that are planned or forecast in advance
(weekday, day kind, weather, campaign, discount, live stream, a dense price calendar)
are read on the target day itself; interaction counts are read at c, c−1, c−2 only.

Sales features are divided by the series' recent level ("scale", the mean of |units|
over the 28 days up to c), so one global model learns shapes shared by a kilogram-
selling fruit stall and a one-bottle-a-day SKU; the model predicts units / scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.forecasting.daykinds import day_kinds
from workbench.forecasting.panel import KNOWN_AHEAD_EXOG, LAGGED_EXOG, Panel

CATEGORICAL = ("store", "category", "weekday", "day_kind")
MIN_SCALE = 0.05  # units/day; keeps scaled targets of near-dead series finite


class PanelCache:
    """Cumulative sums and other per-panel arrays computed once, read by many rows."""

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        y = np.where(panel.alive, panel.units, 0.0)
        zero = np.zeros((panel.n_series, 1))
        self.cum = np.hstack([zero, np.cumsum(y, axis=1)])
        self.cum_abs = np.hstack([zero, np.cumsum(np.abs(y), axis=1)])
        self.cum_sq = np.hstack([zero, np.cumsum(y * y, axis=1)])
        self.cum_n = np.hstack([zero, np.cumsum(panel.alive, axis=1, dtype=np.float64)])
        self.cum_zero = np.hstack([zero, np.cumsum(panel.alive & (y == 0), axis=1, dtype=np.float64)])
        self.y = np.where(panel.alive, panel.units, np.nan)
        self.first = panel.first_alive()
        self.weekday = panel.weekday()
        self.day_kind = panel.day_kind if panel.day_kind is not None else day_kinds(panel.start, panel.n_days)
        self.price_ref = self.price_last = None
        if panel.price is not None and not np.all(np.isnan(panel.price)):
            valid = ~np.isnan(panel.price)
            p = np.where(valid, panel.price, 0.0)
            self.price_cum = np.hstack([zero, np.cumsum(p, axis=1)])
            self.price_n = np.hstack([zero, np.cumsum(valid, axis=1, dtype=np.float64)])
            # Index of the last known price at or before each day (forward fill).
            idx = np.where(valid, np.arange(panel.n_days)[None, :], -1)
            self.price_last = np.maximum.accumulate(idx, axis=1)
        self.talk = {}
        for name in LAGGED_EXOG:
            if name in panel.exog:
                arr = np.nan_to_num(panel.exog[name].astype(np.float64))
                self.talk[name] = (arr, np.hstack([zero, np.cumsum(arr, axis=1)]))

    def window(self, cum: np.ndarray, rows: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
        """Σ over days (end − width, end] of a cumulative array (end inclusive, clipped at 0)."""
        lo = np.maximum(end + 1 - width, 0)
        return cum[rows, end + 1] - cum[rows, lo]


@dataclass
class FeatureRows:
    """A feature matrix, its column names, and each row's scale (units per scaled unit)."""

    X: np.ndarray
    names: list[str]
    scale: np.ndarray


def _mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def build_features(cache: PanelCache, rows: np.ndarray, target: np.ndarray, horizon: int) -> FeatureRows:
    """Features for series ``rows`` at target days ``target`` using data up to target − horizon."""
    panel = cache.panel
    rows = np.asarray(rows, dtype=np.int64)
    d = np.asarray(target, dtype=np.int64)
    c = d - horizon  # last known day
    if np.any(c < 0):
        raise ValueError("a target day has no history before its origin")
    cols: dict[str, np.ndarray] = {}

    n28 = cache.window(cache.cum_n, rows, c, 28)
    abs28 = _mean(cache.window(cache.cum_abs, rows, c, 28), n28)
    n_all = cache.cum_n[rows, c + 1]
    abs_all = _mean(cache.cum_abs[rows, c + 1], n_all)
    scale = np.fmax(np.nan_to_num(abs28), 0.5 * np.nan_to_num(abs_all))
    scale = np.maximum(scale, MIN_SCALE)
    cols["log_scale"] = np.log(scale)

    # Lags ≥ horizon: the three most recent known days and the same weekday 1–2 weeks back.
    week = 7 * int(np.ceil(horizon / 7))
    for k in (horizon, horizon + 1, horizon + 2, week, week + 7):
        j = d - k
        val = np.where(j >= 0, cache.y[rows, np.maximum(j, 0)], np.nan)
        name = f"lag_{k}"
        while name in cols:  # horizon 5–7: a recent lag is also the weekly one; keep both columns
            name += "_"
        cols[name] = val / scale
    same_wd = [np.where(d - week - 7 * m >= 0, cache.y[rows, np.maximum(d - week - 7 * m, 0)], np.nan)
               for m in range(4)]
    stack = np.vstack(same_wd)
    with np.errstate(invalid="ignore"):
        cnt = np.sum(~np.isnan(stack), axis=0)
        cols["same_weekday_mean4"] = _mean(np.nansum(stack, axis=0), cnt) / scale

    for width in (7, 28):
        n = cache.window(cache.cum_n, rows, c, width)
        mean = _mean(cache.window(cache.cum, rows, c, width), n)
        sq = _mean(cache.window(cache.cum_sq, rows, c, width), n)
        cols[f"mean_{width}"] = mean / scale
        cols[f"std_{width}"] = np.sqrt(np.maximum(sq - mean * mean, 0.0)) / scale
    cols["mean_all"] = _mean(cache.cum[rows, c + 1], n_all) / scale
    cols["zero_share_28"] = _mean(cache.window(cache.cum_zero, rows, c, 28), n28)
    cols["age_days"] = np.minimum(c - cache.first[rows] + 1, 365).astype(np.float64)

    cols["weekday"] = cache.weekday[d].astype(np.float64)
    cols["day_kind"] = cache.day_kind[d].astype(np.float64)
    nxt = np.minimum(d + 1, panel.n_days - 1)
    cols["next_day_kind"] = np.where(d + 1 < panel.n_days, cache.day_kind[nxt], np.nan)

    for name in KNOWN_AHEAD_EXOG:
        if name in panel.exog:
            cols[name] = panel.exog[name][rows, d].astype(np.float64)

    if cache.price_last is not None:
        ref = _mean(cache.price_cum[rows, c + 1], cache.price_n[rows, c + 1])
        ahead = panel.covariates_ahead[rows] if panel.covariates_ahead is not None else np.zeros(len(rows), bool)
        # Only a dense price calendar may be read on the target day (see Panel.covariates_ahead).
        day = np.where(ahead, d, c)
        last = cache.price_last[rows, day]
        price = np.where(last >= 0, panel.price[rows, np.maximum(last, 0)], np.nan)
        cols["price_ratio"] = price / ref
    if panel.on_promo is not None:
        ahead = panel.covariates_ahead[rows] if panel.covariates_ahead is not None else np.zeros(len(rows), bool)
        promo_today = panel.on_promo[rows, d]
        cols["on_promo"] = np.where(ahead, promo_today, np.nan)
        cols["on_promo_last"] = panel.on_promo[rows, c]

    for name, (arr, cum) in cache.talk.items():
        base = _mean(cache.window(cum, rows, c, 28), np.minimum(c + 1, 28).astype(np.float64))
        recent = cache.window(cum, rows, c, 3) / 3.0
        for k in range(3):
            cols[f"{name}_lag{horizon + k}"] = np.where(c - k >= 0, arr[rows, np.maximum(c - k, 0)], np.nan)
        cols[f"{name}_3d_vs_28d"] = (recent + 0.5) / (base + 0.5)

    cols["store"] = panel.store_code[rows].astype(np.float64)
    category = panel.category_code[rows].astype(np.float64)
    cols["category"] = np.where(category >= 0, category, np.nan)  # LightGBM: NaN = unknown

    names = list(cols)
    X = np.empty((len(rows), len(names)), dtype=np.float32)
    for j, name in enumerate(names):
        X[:, j] = cols[name]
    return FeatureRows(X=X, names=names, scale=scale)
