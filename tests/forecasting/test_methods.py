"""Baselines on tiny exact series, the feature builder, no leakage, and the global model."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.forecasting.synth import generate
from workbench.forecasting.backtest import BacktestError, run_backtest
from workbench.forecasting.features import PanelCache, build_features
from workbench.forecasting.methods import LightGBMForecaster, MovingAverage, SeasonalNaive
from workbench.forecasting.panel import Panel, panel_from_long


def make_panel(units, alive=None, **kw) -> Panel:
    units = np.asarray(units, dtype=float)
    if units.ndim == 1:
        units = units[None, :]
    alive = np.ones_like(units, dtype=bool) if alive is None else np.asarray(alive)
    n = units.shape[0]
    return Panel(start=date(2026, 6, 1), store=np.array(["s"] * n), sku=np.arange(n),
                 units=np.where(alive, units, 0.0), alive=alive, **kw)


def test_seasonal_naive_uses_the_same_weekday_of_the_latest_known_week():
    panel = make_panel(np.arange(30))
    m = SeasonalNaive()
    m.fit(panel, 14, 1)
    assert m.predict(panel, [0], [14], 1).p50.tolist() == [7.0]  # day 14 ← day 7
    assert m.predict(panel, [0], [14], 3).p50.tolist() == [9.0]  # day 16 ← day 9
    assert m.predict(panel, [0], [14], 8).p50.tolist() == [7.0]  # day 21 ← day 7 (two weeks)


def test_seasonal_naive_falls_back_to_the_mean_when_last_week_is_masked():
    alive = np.arange(20) >= 10
    panel = make_panel(np.arange(20), alive=alive[None, :])
    m = SeasonalNaive()
    m.fit(panel, 12, 1)
    assert m.predict(panel, [0], [12], 1).p50.tolist() == [10.5]  # mean of days 10 and 11


def test_ma28_mean_of_the_28_days_before_the_origin():
    panel = make_panel(np.arange(40))
    m = MovingAverage(28)
    m.fit(panel, 35, 1)
    assert m.predict(panel, [0], [35], 1).p50.tolist() == [np.mean(np.arange(7, 35))]
    assert m.predict(panel, [0], [35], 5).p50.tolist() == [np.mean(np.arange(7, 35))]


def test_baseline_intervals_from_in_sample_errors():
    # In-sample errors (the last 56 days before the origin, full 28-day windows):
    # 0 for the flat series, ±1 for the alternating one.
    panel = make_panel([[5.0] * 100, [4.0, 6.0] * 50])
    m = MovingAverage(28)
    m.fit(panel, 95, 1)
    fc = m.predict(panel, [0, 1], [95, 95], 1)
    assert fc.p10.tolist() == [5.0, 4.0] and fc.p50.tolist() == [5.0, 5.0] and fc.p90.tolist() == [5.0, 6.0]


def test_features_by_hand():
    panel = make_panel(np.arange(1, 31))  # y_t = t + 1
    cache = PanelCache(panel)
    f = build_features(cache, np.array([0]), np.array([20]), 1)
    row = dict(zip(f.names, f.X[0].tolist(), strict=True))
    scale = np.mean(np.arange(1, 21))  # |units| over the 28 days up to day 19 (only 20 exist)
    assert f.scale[0] == pytest.approx(scale)
    assert row["lag_1"] == pytest.approx(20 / scale)  # day 19
    assert row["lag_7"] == pytest.approx(14 / scale)  # day 13
    assert row["mean_7"] == pytest.approx(17 / scale)  # days 13..19 → 14..20
    assert row["same_weekday_mean4"] == pytest.approx(np.mean([14, 7]) / scale)  # days 13, 6
    assert row["weekday"] == date(2026, 6, 21).weekday()
    assert row["age_days"] == 20


def random_panel(seed=3, n=12, days=70):
    rng = np.random.default_rng(seed)
    units = rng.poisson(4.0, size=(n, days)).astype(float)
    alive = np.arange(days)[None, :] >= rng.integers(0, 20, size=n)[:, None]
    talk = rng.poisson(2.0, size=(n, days)).astype(float)
    promo = (rng.random((n, days)) < 0.2).astype(float)
    return make_panel(units, alive=alive, exog={"talk_topic": talk, "campaign": promo},
                      on_promo=promo, price=np.where(promo > 0, 7.0, 10.0),
                      covariates_ahead=np.ones(n, bool))


@pytest.mark.parametrize("horizon", [1, 3])
@pytest.mark.parametrize("make", [SeasonalNaive, lambda: MovingAverage(28),
                                  lambda: LightGBMForecaster(rounds=15, calibration_days=7)])
def test_no_leakage_actuals_from_the_origin_on_do_not_change_the_forecast(make, horizon):
    origin = 55
    panel = random_panel()
    rows = np.arange(panel.n_series)
    origins = np.full(panel.n_series, origin)
    m = make()
    m.fit(panel, origin, horizon)
    before = m.predict(panel, rows, origins, horizon)

    changed = random_panel()
    rng = np.random.default_rng(99)
    changed.units[:, origin:] = rng.poisson(40.0, size=changed.units[:, origin:].shape)
    changed.exog["talk_topic"][:, origin:] = 1000.0  # interactions are lagged-only too
    m2 = make()
    m2.fit(changed, origin, horizon)
    after = m2.predict(changed, rows, origins, horizon)
    for q in ("p10", "p50", "p90"):
        np.testing.assert_array_equal(getattr(before, q), getattr(after, q))


def test_lightgbm_beats_the_baselines_on_weekly_pattern_with_promotions():
    rows = generate(stores=3, skus=12, days=126, seed=5)
    panel = panel_from_long([r["store_id"] for r in rows], [r["sku_id"] for r in rows],
                            [r["date"] for r in rows], [r["units"] for r in rows],
                            price=[r["price"] for r in rows], on_promo=[r["on_promo"] for r in rows])
    results = {r.method: r for r in run_backtest(panel, holdout_days=21)}
    lgbm = results["lightgbm"]
    assert lgbm.wape < 0.75 * results["seasonal_naive"].wape
    assert lgbm.wape < results["ma28"].wape
    assert 0.65 <= lgbm.coverage80 <= 0.92
    assert lgbm.series == panel.n_series


def test_lightgbm_uses_a_leading_interaction_signal():
    rng = np.random.default_rng(11)
    n, days = 20, 100
    talk = rng.poisson(1.0, size=(n, days)) * (rng.random((n, days)) < 0.3) * 5.0
    lead = np.zeros_like(talk)
    lead[:, 2:] = talk[:, :-2]  # talk today → demand in two days
    units = rng.poisson(2.0 + lead).astype(float)
    panel = make_panel(units, exog={"talk_topic": talk})
    results = {r.method: r for r in run_backtest(panel, holdout_days=21)}
    assert results["lightgbm"].wape < 0.8 * results["ma28"].wape


def test_backtest_refuses_too_short_data():
    with pytest.raises(BacktestError, match="needs at least 42 days"):
        run_backtest(make_panel(np.ones(30)), holdout_days=28)
