"""Test panels from generating processes unlike the demo's (bench/forecast_panels.py, tests).

Each builder returns a ``Panel`` drawn from a known process; none of them shares the
demo's member-by-member order simulation:

* ``weekly_yearly_trend`` — kilograms (fractional, Gamma noise) with a weekly and a
  yearly cycle and a 25 %/year trend over three years;
* ``sparse_spikes`` — negative-binomial counts with a mean of 0.05–0.6 a day (long
  runs of zeros) and rare bulk orders of 8–20 units;
* ``promotion`` — a dense price calendar with promotions on ~12 % of days that triple
  demand, ``price`` and ``on_promo`` known ahead (as in a CSV with those columns);
* ``level_shift`` — a weekly pattern whose level doubles or halves on a random day in
  the last 90 days before the holdout;
* ``short_history`` — most series start in the last 30–70 days of the panel;
* ``random_walk`` — a drifting level with no weekly pattern, where a model trained
  on other series has nothing to learn (built so the global LightGBM loses).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from workbench.forecasting.panel import Panel, panel_from_long

START = date(2023, 1, 2)
WEEKLY = np.array([0.85, 0.8, 0.9, 0.95, 1.1, 1.3, 1.2])


def _long(values: np.ndarray, first: np.ndarray, stores: int, start: date = START, price=None, promo=None) -> Panel:
    n, t = values.shape
    store, sku, day, units, pr, pm = [], [], [], [], [], []
    days = np.datetime64(start, "D") + np.arange(t)
    for i in range(n):
        span = np.arange(int(first[i]), t)
        store.append(np.full(len(span), f"S{i % stores:02d}"))
        sku.append(np.full(len(span), f"P{i:04d}"))
        day.append(days[span])
        units.append(values[i, span])
        if price is not None:
            pr.append(price[i, span])
            pm.append(promo[i, span])
    return panel_from_long(np.concatenate(store), np.concatenate(sku), np.concatenate(day), np.concatenate(units),
                           price=np.concatenate(pr) if price is not None else None,
                           on_promo=np.concatenate(pm) if price is not None else None)


def weekly_yearly_trend(series: int = 120, days: int = 3 * 365, stores: int = 4, seed: int = 1) -> Panel:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    wd = np.array([(START + timedelta(days=int(k))).weekday() for k in range(7)])
    weekly = WEEKLY[wd[t % 7]]
    phase = rng.uniform(0, 2 * np.pi, size=(series, 1))
    yearly = 1 + 0.45 * np.sin(2 * np.pi * t[None, :] / 365.25 + phase)
    trend = 1 + 0.25 * t[None, :] / 365.0
    level = rng.gamma(2.0, 4.0, size=(series, 1)) + 0.5
    mean = level * weekly[None, :] * yearly * trend
    values = np.round(rng.gamma(6.0, mean / 6.0), 2)
    return _long(values, np.zeros(series, np.int64), stores)


def sparse_spikes(series: int = 300, days: int = 365, stores: int = 3, seed: int = 2) -> Panel:
    rng = np.random.default_rng(seed)
    mean = rng.uniform(0.05, 0.6, size=(series, 1)) * np.ones((1, days))
    k = 0.5  # negative-binomial dispersion (variance = m + m²/k)
    values = rng.negative_binomial(k, k / (k + mean)).astype(float)
    spikes = rng.random((series, days)) < 0.004
    values[spikes] += rng.integers(8, 21, size=int(spikes.sum()))
    return _long(values, np.zeros(series, np.int64), stores)


def promotion(series: int = 150, days: int = 240, stores: int = 3, seed: int = 3) -> Panel:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    wd = np.array([(START + timedelta(days=int(k))).weekday() for k in range(7)])
    weekly = WEEKLY[wd[t % 7]]
    promo = (rng.random((series, days)) < 0.12).astype(float)
    level = rng.gamma(1.5, 2.0, size=(series, 1)) + 0.2
    mean = level * weekly[None, :] * (1 + 2.0 * promo)
    values = rng.poisson(mean).astype(float)
    price = 10.0 * (1 - 0.3 * promo)
    return _long(values, np.zeros(series, np.int64), stores, price=price, promo=promo)


def level_shift(series: int = 150, days: int = 300, stores: int = 3, holdout: int = 28, seed: int = 4) -> Panel:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    wd = np.array([(START + timedelta(days=int(k))).weekday() for k in range(7)])
    weekly = WEEKLY[wd[t % 7]]
    level = rng.gamma(2.0, 2.5, size=(series, 1)) + 0.3
    shift_at = rng.integers(days - holdout - 90, days - holdout - 14, size=(series, 1))
    factor = np.where(rng.random((series, 1)) < 0.5, 2.0, 0.5)
    mean = level * weekly[None, :] * np.where(t[None, :] >= shift_at, factor, 1.0)
    values = rng.poisson(mean).astype(float)
    return _long(values, np.zeros(series, np.int64), stores)


def short_history(series: int = 200, days: int = 150, stores: int = 4, seed: int = 5) -> Panel:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    wd = np.array([(START + timedelta(days=int(k))).weekday() for k in range(7)])
    weekly = WEEKLY[wd[t % 7]]
    level = rng.gamma(2.0, 2.0, size=(series, 1)) + 0.3
    values = rng.poisson(level * weekly[None, :]).astype(float)
    late = rng.random(series) < 0.8
    first = np.where(late, rng.integers(days - 70, days - 30, size=series), 0)
    return _long(values, first, stores)


def random_walk(series: int = 150, days: int = 240, stores: int = 3, seed: int = 6) -> Panel:
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 0.08, size=(series, days))
    level = (rng.gamma(2.0, 3.0, size=(series, 1)) + 1.0) * np.exp(np.cumsum(steps, axis=1))
    values = rng.poisson(level).astype(float)
    return _long(values, np.zeros(series, np.int64), stores)


PANELS = {
    "weekly_yearly_trend": (weekly_yearly_trend, True),
    "sparse_spikes": (sparse_spikes, False),
    "promotion": (promotion, True),
    "level_shift": (level_shift, True),
    "short_history": (short_history, True),
    "random_walk": (random_walk, False),
}
"""name → (builder, has weekly or yearly structure: the 0.8× target applies)."""
