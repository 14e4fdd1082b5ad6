"""Metrics against hand-computed examples."""

from __future__ import annotations

import math

import numpy as np

from workbench.forecasting import metrics


def test_wape_bias_with_a_return():
    actual = np.array([2.0, 0.0, 4.0, -1.0])  # −1: a return, kept as net units
    forecast = np.array([1.0, 1.0, 4.0, 0.0])
    # Σ|e| = 1 + 1 + 0 + 1 = 3; Σ actual = 5; Σ(f − a) = −1 + 1 + 0 + 1 = 1
    assert metrics.wape(actual, forecast) == 3 / 5
    assert metrics.bias(actual, forecast) == 1 / 5


def test_wape_undefined_without_positive_sales():
    assert math.isnan(metrics.wape(np.array([0.0, -1.0]), np.array([1.0, 0.0])))
    assert math.isnan(metrics.bias(np.array([0.0]), np.array([1.0])))


def test_coverage_is_closed_interval():
    actual = np.array([1.0, 5.0, 3.0, 2.0])
    assert metrics.coverage(actual, np.array([1.0, 0.0, 4.0, 0.0]), np.array([2.0, 4.0, 5.0, 2.0])) == 0.5


def test_seasonal_naive_scale_by_hand():
    units = np.array([[1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9, 100],
                      [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 100]], dtype=float)
    alive = np.ones_like(units, dtype=bool)
    alive[1, :3] = False  # series 2 starts on day 3
    scale = metrics.seasonal_naive_scale(units, alive, end=14)  # day 14 is out of sample
    # series 1: |3−1| + 0 + 0 + 0 + 0 + 0 + |9−7| over 7 pairs
    # series 2: pairs (10,3) (11,4) (12,5) (13,6) only: |3−1| + 0 + 0 + 0 over 4 pairs
    np.testing.assert_allclose(scale, [4 / 7, 2 / 4])


def test_pooled_mase_by_hand():
    actual = np.array([2.0, 0.0, 4.0, 1.0, 5.0])
    forecast = np.array([1.0, 1.0, 4.0, 0.0, 15.0])
    series = np.array([0, 0, 1, 1, 2])
    scale = np.array([1.0, 2.0, 0.0])  # series 2 is flat in sample: left out
    # Σ|e| over series 0–1 = 1 + 1 + 0 + 1 = 3; Σ n_i·scale_i = 2·1 + 2·2 = 6
    assert metrics.mase(actual, forecast, series, scale) == 0.5
    # the same as per-series MASE (1/1 → 1.0 and 0.5/2 → 0.25) weighted by n_i·scale_i
    assert (1.0 * 2 + 0.25 * 4) / 6 == 0.5
