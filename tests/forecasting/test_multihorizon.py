"""The direct multi-horizon model behind ``forecast_next``: every horizon, no look-ahead."""

from __future__ import annotations

import numpy as np

from tests.forecasting.test_methods import random_panel
from workbench.forecasting.features import PanelCache, build_features
from workbench.forecasting.multihorizon import MultiHorizonLightGBM


def small() -> MultiHorizonLightGBM:
    return MultiHorizonLightGBM(max_horizon=7, rounds=10, max_rows=6000, calibration_days=7, threads=1)


def test_every_horizon_has_the_same_columns():
    panel = random_panel()
    cache = PanelCache(panel)
    widths = {len(build_features(cache, np.array([0]), np.array([60]), h).names) for h in range(1, 8)}
    assert len(widths) == 1  # positional columns: lag h … and the weekly lags, even when they coincide


def test_no_look_ahead_at_any_horizon():
    origin = 55
    panel = random_panel()
    rows = np.arange(panel.n_series)
    origins = np.full(panel.n_series, origin)
    model = small()
    model.fit(panel, origin)
    before = [model.predict(panel, rows, origins, h) for h in range(1, 8)]

    changed = random_panel()
    changed.units[:, origin:] = np.random.default_rng(3).poisson(40.0, size=changed.units[:, origin:].shape)
    changed.exog["talk_topic"][:, origin:] = 1000.0
    model2 = small()
    model2.fit(changed, origin)
    for h in range(1, 8):
        after = model2.predict(changed, rows, origins, h)
        for q in ("p10", "p50", "p90", "mean"):
            np.testing.assert_array_equal(getattr(before[h - 1], q), getattr(after, q))
        assert np.all(after.p10 <= after.p50) and np.all(after.p50 <= after.p90)
    assert set(model.adjust) == set(range(1, 8))  # each horizon calibrated on its own errors
