"""Candidates from the Nixtla libraries behind the same ``fit`` / ``predict`` interface.

* ``ets`` — statsforecast's ``SeasonalExponentialSmoothingOptimized`` (weekly season):
  exponential smoothing with its smoothing weight fitted per series. AutoETS was
  measured too (bench/forecast_panels.py): 7–14 ms a series, 10 minutes for the large
  preset's nightly run, so the product serves the optimised seasonal smoother.
* ``croston`` — ``CrostonOptimized``; ``tsb`` — ``TSB`` (Teunter–Syntetos–Babai, which
  lets the demand probability decay, so a dead SKU's forecast falls to 0): the
  intermittent-demand family for long runs of zeros.
* ``lgbm_global`` — mlforecast's global LightGBM fitted the textbook way: lags 1, 2, 7,
  14, 28 (and 364 when a series has two years), rolling means of lag 1 and lag 7, the
  weekday, month and day of year, predicted recursively.

Each ``predict`` re-estimates the model on the data before every origin it is asked
about (statsforecast's ``cross_validation`` with refit; mlforecast trains once on the
data before the earliest origin and reads the actual history up to each later one), so
nothing on or after an origin reaches its forecast. Series with fewer than
``MIN_OBS`` observed days before the earliest origin are too short for these models and
get the 28-day mean instead (``point`` only: intervals come from the selection).
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from workbench.forecasting.methods import Forecast, MovingAverage, default_threads
from workbench.forecasting.panel import Panel

MIN_OBS = 21


def _quiet():
    """statsforecast/mlforecast warn about pandas internals on import; none of it is ours."""
    warnings.filterwarnings("ignore", module="statsforecast")
    warnings.filterwarnings("ignore", module="mlforecast")
    warnings.filterwarnings("ignore", module="utilsforecast")
    os.environ.setdefault("NIXTLA_ID_AS_COL", "1")


def panel_frame(panel: Panel, rows: np.ndarray, end: int):
    """Long frame (unique_id = panel row, ds, y) of the alive days < ``end`` of ``rows``."""
    import pandas as pd

    rows = np.asarray(rows, np.int64)
    alive = panel.alive[rows, :end]
    r, c = np.nonzero(alive)
    dates = np.datetime64(panel.start, "D") + np.arange(end)
    return pd.DataFrame({"unique_id": rows[r], "ds": dates[c], "y": panel.units[rows[r], c].astype(np.float64)})


class _LibMethod:
    """Shared plumbing: which series are long enough, the fallback, the output arrays."""

    name = "lib"

    def __init__(self) -> None:
        self._fallback = MovingAverage(28)
        self._cache: dict = {}
        #: From one origin, forecast this many days at once (the nightly run asks day by day).
        self.horizon_days = 1

    def fit(self, panel: Panel, origin: int, horizon: int) -> None:
        """Nothing to learn ahead: parameters are estimated at each origin in ``predict``."""
        self._cache = {}

    def _long_enough(self, panel: Panel, rows: np.ndarray, first_origin: int) -> np.ndarray:
        return panel.alive[rows, :first_origin].sum(axis=1) >= MIN_OBS

    def predict(self, panel: Panel, rows, origins, horizon: int) -> Forecast:
        """Point forecasts for day origin + horizon − 1 of each row (intervals: the point itself)."""
        rows = np.asarray(rows, np.int64)
        origins = np.asarray(origins, np.int64)
        point = self._fallback.point(panel, rows, origins, horizon)
        if len(rows):
            series = np.unique(rows)
            ok = series[self._long_enough(panel, series, int(origins.min()))]
            if len(ok):
                table = self._table(panel, ok, origins, horizon)
                target = origins + horizon - 1
                use = np.isin(rows, ok)
                got = np.array([table.get((int(r), int(t)), np.nan) for r, t in zip(rows[use], target[use],
                                                                                     strict=True)])
                point[use] = np.where(np.isfinite(got), np.maximum(got, 0.0), point[use])
        return Forecast(p10=point, p50=point, p90=point, mean=point)

    def _table(self, panel, series, origins, horizon) -> dict:
        raise NotImplementedError


class StatsMethod(_LibMethod):
    """One statsforecast model (see the module docstring)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def model(self):
        from statsforecast.models import (
            TSB,
            CrostonOptimized,
            SeasonalExponentialSmoothingOptimized,
        )

        if self.name == "ets":
            return SeasonalExponentialSmoothingOptimized(season_length=7)
        if self.name == "croston":
            return CrostonOptimized()
        if self.name == "tsb":
            return TSB(alpha_d=0.2, alpha_p=0.2)
        if self.name == "autoets":
            from statsforecast.models import AutoETS

            return AutoETS(season_length=7)
        raise ValueError(self.name)

    def _table(self, panel, series, origins, horizon) -> dict:
        _quiet()
        from statsforecast import StatsForecast

        first, last = int(origins.min()), int(origins.max())
        key = (id(panel), tuple(series.tolist()), first, last, horizon)
        if key in self._cache:
            return self._cache[key]
        sf = StatsForecast(models=[self.model()], freq="D", n_jobs=1)
        col = str(sf.models[0])
        if first == last:
            ahead = (id(panel), tuple(series.tolist()), first, "ahead")
            if ahead not in self._cache:
                df = panel_frame(panel, series, first)
                self._cache[ahead] = sf.forecast(df=df, h=max(horizon, self.horizon_days))
            out = self._cache[ahead]
            out = out[out["ds"] == np.datetime64(panel.start, "D") + first + horizon - 1]
        else:
            # Windows whose cutoff is the day before each origin; the frame ends at the
            # last target day, whose value is only the answer, never an input.
            df = panel_frame(panel, series, min(last + horizon, panel.n_days))
            df = df[df["ds"] <= np.datetime64(panel.start, "D") + last + horizon - 1]
            out = sf.cross_validation(df=df, h=horizon, n_windows=last - first + 1, step_size=1, refit=True)
            out = out[(out["ds"] - out["cutoff"]).dt.days == horizon]
        day = (out["ds"].to_numpy().astype("datetime64[D]") - np.datetime64(panel.start, "D")).astype(np.int64)
        table = dict(zip(zip(out["unique_id"].to_numpy().astype(np.int64).tolist(), day.tolist(), strict=True),
                         out[col].to_numpy().tolist(), strict=True))
        self._cache[key] = table
        return table


class MLForecastLightGBM(_LibMethod):
    """mlforecast's global LightGBM (see the module docstring)."""

    name = "lgbm_global"

    def __init__(self, rounds: int = 150, threads: int | None = None, max_rows: int = 600_000, seed: int = 7):
        super().__init__()
        self.rounds = rounds
        self.threads = threads or default_threads()
        self.max_rows = max_rows
        self.seed = seed

    def _forecaster(self, panel: Panel):
        import lightgbm as lgb
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean

        lags = [1, 2, 7, 14, 28]
        if panel.n_days > 2 * 364 + 28:
            lags.append(364)
        model = lgb.LGBMRegressor(n_estimators=self.rounds, learning_rate=0.05, num_leaves=63,
                                  min_child_samples=50, subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                                  n_jobs=self.threads, random_state=self.seed, verbosity=-1)
        return MLForecast(models={"lgbm": model}, freq="D", lags=lags,
                          lag_transforms={1: [RollingMean(7), RollingMean(28)], 7: [RollingMean(4)]},
                          date_features=["dayofweek", "month", "dayofyear"], num_threads=1)

    def _table(self, panel, series, origins, horizon) -> dict:
        _quiet()
        first, last = int(origins.min()), int(origins.max())
        key = (id(panel), tuple(series.tolist()), first, last, horizon)
        if key in self._cache:
            return self._cache[key]
        start = np.datetime64(panel.start, "D")
        # The training window: the most recent days that fit in ``max_rows`` (at least 120).
        keep_days = max(120, self.max_rows // max(len(series), 1))
        df = panel_frame(panel, series, min(last + horizon, panel.n_days))
        df = df[df["ds"] <= start + last + horizon - 1]
        lo = start + max(0, first - keep_days - 364)
        df = df[df["ds"] >= lo]
        fc = self._forecaster(panel)
        if first == last:
            ahead = (id(panel), tuple(series.tolist()), first, "ahead")
            if ahead not in self._cache:
                fc.fit(df[df["ds"] < start + first], dropna=True)
                self._cache[ahead] = fc.predict(h=max(horizon, self.horizon_days))
            out = self._cache[ahead]
            out = out[out["ds"] == start + first + horizon - 1]
        else:
            out = fc.cross_validation(df=df, h=horizon, n_windows=last - first + 1, step_size=1, refit=False)
            out = out[(out["ds"] - out["cutoff"]).dt.days == horizon]
        day = (out["ds"].to_numpy().astype("datetime64[D]") - start).astype(np.int64)
        table = dict(zip(zip(out["unique_id"].to_numpy().astype(np.int64).tolist(), day.tolist(), strict=True),
                         out["lgbm"].to_numpy().tolist(), strict=True))
        self._cache[key] = table
        return table
