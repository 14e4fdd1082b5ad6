"""One global LightGBM for horizons 1 … H at once ("direct multi-horizon" forecasting).

For each horizon h the feature row of target day d is ``build_features(…, horizon=h)``:
every sales lag is ≥ h and every rolling window ends at d − h, so the row only holds
what is known at the forecast origin d − h + 1. Rows of all horizons are stacked into
one training set with ``horizon`` as an extra feature; feature columns are positional
(the k-th lag column is "lag h", "lag h+1", … whatever h is), so one model learns how
the signal of each lag decays with the horizon. This costs one training per run instead
of H, which is what keeps the nightly run for 60k series within its time budget.

The interval is conformalised per horizon, exactly as ``LightGBMForecaster`` does it
for one horizon: boosters are trained on targets before origin − ``calibration_days``
and each horizon's P10/P90 are shifted so that 80 % of that horizon's actuals in the
last ``calibration_days`` days before the origin fall inside.
"""

from __future__ import annotations

import numpy as np

from workbench.forecasting.features import CATEGORICAL, build_features
from workbench.forecasting.methods import (
    QUANTILES,
    TARGET_COVERAGE,
    Forecast,
    LightGBMForecaster,
    _cache,
    _calibrate_upper,
    _interval,
    _Scaled,
    mean_target,
    training_targets,
)
from workbench.forecasting.panel import Panel


class MultiHorizonLightGBM(LightGBMForecaster):
    """A global quantile + mean LightGBM over horizons 1 … ``max_horizon`` (h is a feature)."""

    name = "lightgbm"

    CALIBRATION_ROWS = 12_000  # per horizon: plenty for two quantiles of the errors

    def __init__(self, max_horizon: int = 7, **kwargs) -> None:
        # Sized for the nightly budget (the large preset in 2 minutes on 2 cores): one
        # training per store batch on ≤ 100k rows sampled evenly over the horizons.
        kwargs.setdefault("rounds", 120)
        kwargs.setdefault("max_rows", 100_000)
        super().__init__(**kwargs)
        self.max_horizon = max_horizon
        self.adjust: dict[int, tuple[float, float]] = {}

    def _design(self, panel: Panel, rows: np.ndarray, target: np.ndarray, horizon: int):
        feats = build_features(_cache(panel, self.__dict__), rows, target, horizon)
        X = np.hstack([feats.X, np.full((len(rows), 1), horizon, dtype=np.float32)])
        return X, feats.scale

    def _train_multi(self, panel: Panel, origin: int) -> None:
        import lightgbm as lgb  # heavy import; only the model needs it

        rng = np.random.default_rng(self.seed)
        per_h = max(1, self.max_rows // self.max_horizon)
        blocks_X, blocks_y, blocks_s = [], [], []
        names = None
        for h in range(1, self.max_horizon + 1):
            rows, target = training_targets(panel, origin, h, self.train_days)
            if len(rows) == 0:
                continue
            if len(rows) > per_h:
                pick = rng.choice(len(rows), per_h, replace=False)
                rows, target = rows[pick], target[pick]
            X, scale = self._design(panel, rows, target, h)
            if names is None:
                # Positional names: the horizon-1 names describe each column's role.
                names = [*build_features(_cache(panel, self.__dict__), rows[:1], target[:1], 1).names, "horizon"]
            blocks_X.append(X)
            blocks_y.append(panel.units[rows, target] / scale)
            blocks_s.append(scale)
        if not blocks_X:
            raise ValueError("no training data before the origin")
        X, y, scale = np.vstack(blocks_X), np.concatenate(blocks_y), np.concatenate(blocks_s)
        self.names = names
        categorical = [n for n in CATEGORICAL if n in names]
        params = {"max_bin": 127, "verbosity": -1}
        data = lgb.Dataset(X, label=y, weight=scale, feature_name=names, categorical_feature=categorical,
                           free_raw_data=False, params=params)
        self.boosters = {alpha: lgb.train(self.params(alpha), data, num_boost_round=self.rounds)
                         for alpha in (() if self.point_only else QUANTILES)}
        if self.point == "mean" or self.point_only:
            label, weight = mean_target(panel, y, scale)
            mean_data = lgb.Dataset(X, label=label, weight=weight, feature_name=names,
                                    categorical_feature=categorical, params=params)
            self.boosters[None] = lgb.train(self.params(None), mean_data, num_boost_round=self.rounds)

    def _raw_multi(self, panel: Panel, rows, target, horizon: int) -> _Scaled:
        X, scale = self._design(panel, np.asarray(rows, np.int64), np.asarray(target, np.int64), horizon)
        if self.point_only:
            mean = np.maximum(self.boosters[None].predict(X, num_threads=self.threads), 0.0) * scale
            return _Scaled(p10=mean, p50=mean, p90=mean, mean=mean, scale=scale)
        out = [np.maximum(self.boosters[a].predict(X, num_threads=self.threads), 0.0) * scale for a in QUANTILES]
        stacked = np.sort(np.vstack(out), axis=0)
        mean = None
        if None in self.boosters:
            mean = np.maximum(self.boosters[None].predict(X, num_threads=self.threads), 0.0) * scale
        return _Scaled(p10=stacked[0], p50=stacked[1], p90=stacked[2], mean=mean, scale=scale)

    def fit(self, panel: Panel, origin: int, horizon: int | None = None) -> None:
        """Train on targets before ``origin`` (minus the calibration window) and calibrate."""
        cal = 0 if self.point_only else self.calibration_days
        self.adjust = {}
        if cal and origin - cal - self.max_horizon >= 14:
            self._train_multi(panel, origin - cal)
            for h in range(1, self.max_horizon + 1):
                rows, target = training_targets(panel, origin, h, cal)
                if len(rows) == 0:
                    continue
                if len(rows) > self.CALIBRATION_ROWS:
                    pick = np.random.default_rng(self.seed + h).choice(len(rows), self.CALIBRATION_ROWS,
                                                                       replace=False)
                    rows, target = rows[pick], target[pick]
                fc = self._raw_multi(panel, rows, target, h)
                y = panel.units[rows, target]
                lo = float(np.quantile((fc.p10 - y) / fc.scale, 0.9))
                self.adjust[h] = (lo, _calibrate_upper(fc, y, lo, TARGET_COVERAGE))
            if not self.refit:
                return
        self._train_multi(panel, origin)

    def predict(self, panel: Panel, rows, origins, horizon: int) -> Forecast:
        """P10/P50/P90 (and mean) for day origin + horizon − 1 of each row."""
        if not 1 <= horizon <= self.max_horizon:
            raise ValueError(f"horizon must be between 1 and {self.max_horizon}")
        origins = np.asarray(origins, np.int64)
        fc = self._raw_multi(panel, rows, origins + horizon - 1, horizon)
        lo, hi = self.adjust.get(horizon, (0.0, 0.0))
        p10, p90 = _interval(fc, lo, hi)
        return Forecast(p10=np.minimum(p10, fc.p50), p50=fc.p50, p90=p90, mean=fc.mean)
