"""Forecast accuracy metrics, pooled over all series.

All functions take flat arrays of evaluated points (one per series × target day).
Negative actuals (returns) are kept as they are: they count in Σ|error| and reduce
Σ actual, which is net units sold, exactly as the issue defines WAPE. When Σ actual
is not positive the ratio is undefined and NaN is returned.
"""

from __future__ import annotations

import numpy as np


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Σ|forecast − actual| / Σ actual (NaN when Σ actual ≤ 0)."""
    total = float(np.sum(actual))
    if total <= 0:
        return float("nan")
    return float(np.sum(np.abs(forecast - actual)) / total)


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Σ(forecast − actual) / Σ actual: positive means over-forecasting."""
    total = float(np.sum(actual))
    if total <= 0:
        return float("nan")
    return float(np.sum(forecast - actual) / total)


def coverage(actual: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of actuals inside the closed interval [low, high]."""
    if len(actual) == 0:
        return float("nan")
    return float(np.mean((actual >= low) & (actual <= high)))


def seasonal_naive_scale(units: np.ndarray, alive: np.ndarray, end: int, season: int = 7) -> np.ndarray:
    """(S,) in-sample MAE of the seasonal-naive forecast on days before ``end``.

    scale_i = mean over t < end with both t and t − season alive of |y_t − y_{t−season}|.
    NaN when a series has no such pair.
    """
    y = units[:, :end]
    a = alive[:, :end]
    if y.shape[1] <= season:
        return np.full(units.shape[0], np.nan)
    both = a[:, season:] & a[:, :-season]
    diff = np.abs(y[:, season:] - y[:, :-season]) * both
    n = both.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, diff.sum(axis=1) / np.maximum(n, 1), np.nan)


def mase(actual: np.ndarray, forecast: np.ndarray, series: np.ndarray, scale: np.ndarray) -> float:
    """Pooled MASE = Σ_i Σ_t |e_it| / Σ_i n_i · scale_i.

    ``series`` gives each point's series index into ``scale`` (the in-sample
    seasonal-naive MAE, season 7); n_i is the number of evaluated points of series i.
    Equivalently, the mean of per-series MASEs weighted by n_i · scale_i, so one flat
    series cannot blow the figure up. Points of series whose scale is 0 or NaN (constant
    or too short history) are left out of both sums.
    """
    s = scale[series]
    ok = np.isfinite(s) & (s > 0)
    denominator = float(np.sum(s[ok]))
    if denominator <= 0:
        return float("nan")
    return float(np.sum(np.abs(forecast[ok] - actual[ok])) / denominator)
