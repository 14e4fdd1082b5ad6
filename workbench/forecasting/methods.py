"""Forecasting methods behind one interface.

``fit(panel, origin, horizon)`` may use only days with index < ``origin``.
``predict(panel, rows, origins, horizon)`` forecasts, for each (series, origin) pair, the
day ``origin + horizon − 1`` using only days < that origin, and returns P10/P50/P90.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from workbench.forecasting.features import CATEGORICAL, PanelCache, build_features
from workbench.forecasting.panel import Panel

QUANTILES = (0.1, 0.5, 0.9)
TARGET_COVERAGE = 0.80  # of the closed interval [P10, P90]


@dataclass
class Forecast:
    """Quantile forecasts (and optionally the expected units), one value per requested row."""

    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    mean: np.ndarray | None = None

    @property
    def point(self) -> np.ndarray:
        """The point forecast the backtest scores: the mean when known, else the median."""
        return self.mean if self.mean is not None else self.p50


def _cache(panel: Panel, holder: dict) -> PanelCache:
    """One PanelCache per panel object, so fit and predict share the cumulative sums."""
    cache = holder.get("cache")
    if cache is None or cache.panel is not panel:
        cache = holder["cache"] = PanelCache(panel)
    return cache


def training_targets(panel: Panel, origin: int, horizon: int, days: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, targets) of in-sample points: target < origin, series alive at target − horizon."""
    lo = max(horizon, origin - days)
    if lo >= origin:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    span = np.arange(lo, origin)
    ok = panel.alive[:, span] & panel.alive[:, span - horizon]
    rows, col = np.nonzero(ok)
    return rows.astype(np.int64), span[col].astype(np.int64)


def _moving_average(cache: PanelCache, rows: np.ndarray, origins: np.ndarray, window: int) -> np.ndarray:
    """Mean units over the alive days of [origin − window, origin); 0 when none."""
    n = cache.window(cache.cum_n, rows, origins - 1, window)
    total = cache.window(cache.cum, rows, origins - 1, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), 0.0)


_LEVEL_HOLDER: dict = {}


def moving_average_level(panel: Panel, rows: np.ndarray, origins: np.ndarray, window: int = 28) -> np.ndarray:
    """Each row's mean units over the ``window`` alive days before its origin (≥ 0)."""
    cache = _cache(panel, _LEVEL_HOLDER)
    return np.maximum(_moving_average(cache, np.asarray(rows, np.int64), np.asarray(origins, np.int64), window), 0.0)


@dataclass
class _Scaled(Forecast):
    scale: np.ndarray = None


class _ResidualQuantiles:
    """P10/P90 of a point method from its own in-sample errors (per series when it has
    enough of them, else pooled errors relative to the series level)."""

    MIN_PER_SERIES = 14
    WINDOW = 56

    def fit_residuals(self, panel: Panel, origin: int, horizon: int) -> None:
        rows, target = training_targets(panel, origin, horizon, self.WINDOW)
        n = panel.n_series
        self.q_lo = np.full(n, np.nan)
        self.q_hi = np.full(n, np.nan)
        if len(rows) == 0:
            self.rel_lo, self.rel_hi = -1.0, 1.0
            return
        point = self.point(panel, rows, target - horizon + 1, horizon)
        err = panel.units[rows, target] - point
        level = np.maximum(self.level(panel, rows, target - horizon + 1), 1e-9)
        rel = err / level
        self.rel_lo, self.rel_hi = (float(v) for v in np.quantile(rel, [0.1, 0.9]))
        order = np.argsort(rows, kind="stable")
        rows_sorted, err_sorted = rows[order], err[order]
        starts = np.searchsorted(rows_sorted, np.arange(n))
        ends = np.searchsorted(rows_sorted, np.arange(n), side="right")
        for i in np.nonzero(ends - starts >= self.MIN_PER_SERIES)[0]:
            self.q_lo[i], self.q_hi[i] = np.quantile(err_sorted[starts[i]:ends[i]], [0.1, 0.9])

    def quantiles(self, panel: Panel, rows: np.ndarray, origins: np.ndarray, point: np.ndarray) -> Forecast:
        level = self.level(panel, rows, origins)
        lo = np.where(np.isnan(self.q_lo[rows]), self.rel_lo * level, self.q_lo[rows])
        hi = np.where(np.isnan(self.q_hi[rows]), self.rel_hi * level, self.q_hi[rows])
        return Forecast(
            p10=np.maximum(point + lo, 0.0),
            p50=point,
            p90=np.maximum(point + np.maximum(hi, 0.0), 0.0),
        )

    def level(self, panel: Panel, rows: np.ndarray, origins: np.ndarray) -> np.ndarray:
        return np.maximum(_moving_average(_cache(panel, self.__dict__), rows, origins, 28), 0.0)


class MovingAverage(_ResidualQuantiles):
    """Mean of the last ``window`` alive days before the origin (default 28)."""

    def __init__(self, window: int = 28) -> None:
        self.window = window
        self.name = f"ma{window}"

    def point(self, panel: Panel, rows: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
        return _moving_average(_cache(panel, self.__dict__), rows, origins, self.window)

    def fit(self, panel: Panel, origin: int, horizon: int) -> None:
        """Learn the residual quantiles from in-sample errors before ``origin``."""
        self.fit_residuals(panel, origin, horizon)

    def predict(self, panel: Panel, rows, origins, horizon: int) -> Forecast:
        """P10/P50/P90 for day origin + horizon − 1 of each row."""
        rows, origins = np.asarray(rows, np.int64), np.asarray(origins, np.int64)
        return self.quantiles(panel, rows, origins, self.point(panel, rows, origins, horizon))


class SeasonalNaive(_ResidualQuantiles):
    """The same weekday in the latest known week; the 28-day mean when that day is masked."""

    name = "seasonal_naive"

    def point(self, panel: Panel, rows: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
        target = origins + horizon - 1
        back = target - 7 * int(np.ceil(horizon / 7))
        ok = back >= 0
        ok[ok] = panel.alive[rows[ok], back[ok]]
        fallback = _moving_average(_cache(panel, self.__dict__), rows, origins, 28)
        return np.where(ok, panel.units[rows, np.maximum(back, 0)], fallback)

    def fit(self, panel: Panel, origin: int, horizon: int) -> None:
        """Learn the residual quantiles from in-sample errors before ``origin``."""
        self.fit_residuals(panel, origin, horizon)

    def predict(self, panel: Panel, rows, origins, horizon: int) -> Forecast:
        """P10/P50/P90 for day origin + horizon − 1 of each row."""
        rows, origins = np.asarray(rows, np.int64), np.asarray(origins, np.int64)
        return self.quantiles(panel, rows, origins, self.point(panel, rows, origins, horizon))


def default_threads() -> int:
    """LightGBM threads: ``FORECAST_THREADS`` or 1.

    The nightly run is parallel across worker processes (one per core); a second
    OpenMP thread in each only spins: measured on the 2-core reference machine under
    load, 0.03–0.04 s a boosting round with 1 thread vs 0.11–0.19 s with 2.
    """
    return int(os.environ.get("FORECAST_THREADS", "1"))


class LightGBMForecaster:
    """A global LightGBM model over all series, one booster per quantile.

    Each quantile booster minimises the pinball loss of its quantile on units / scale with
    sample weight = scale, which is exactly the pinball loss in units. With
    ``point="mean"`` (the default) a fourth booster learns the expected units (squared
    error, weight scale²) and is the scored point forecast: on intermittent SKUs the
    median is 0 on most days, which WAPE rewards while under-forecasting by ~70 %, so
    the median is kept for the interval only (``point="p50"`` scores it instead).
    """

    name = "lightgbm"

    def __init__(
        self,
        train_days: int = 140,
        max_rows: int = 150_000,
        rounds: int = 150,
        learning_rate: float = 0.08,
        calibration_days: int = 14,
        refit: bool = False,
        point: str = "mean",
        num_leaves: int = 63,
        seed: int = 7,
        threads: int | None = None,
        point_only: bool = False,
    ) -> None:
        self.train_days = train_days
        # The selection serves only the point (its intervals are conformal on the
        # validation days): then the three quantile boosters are not trained at all.
        self.point_only = point_only
        self.max_rows = max_rows
        self.rounds = rounds
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.calibration_days = calibration_days
        self.refit = refit
        if point not in ("p50", "mean"):
            raise ValueError("point must be 'p50' or 'mean'")
        self.point = point
        self.name = "lightgbm" if point == "mean" else "lightgbm_p50"
        self.seed = seed
        self.threads = threads or default_threads()
        self.boosters: dict[float, object] = {}

    def params(self, alpha: float | None) -> dict:
        """LightGBM parameters for the quantile ``alpha`` (None: the mean, by squared error)."""
        objective = {"objective": "quantile", "alpha": alpha} if alpha is not None else {"objective": "l2"}
        return {
            **objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": 50,
            "feature_fraction": 0.8,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "lambda_l2": 1.0,
            "max_bin": 127,
            "cat_smooth": 10,
            "num_threads": self.threads,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }

    def fit(self, panel: Panel, origin: int, horizon: int) -> None:
        """Train on targets before ``origin`` (features only from days ≤ target − horizon).

        With ``calibration_days`` > 0 the boosters are trained on targets before
        origin − calibration_days, and the interval is then widened or narrowed so that
        10 % of those last days' actuals fall below P10 and 10 % above P90 (conformalised
        quantile regression, in units of each row's scale). With ``refit`` the boosters
        are then retrained on every target before the origin, keeping the adjustment.
        """
        self.adjust_lo = self.adjust_hi = 0.0
        if self.point_only:
            self._train(panel, origin, horizon)
            return
        cal = self.calibration_days
        cal_rows, cal_target = training_targets(panel, origin, horizon, cal) if cal else ([], [])
        if cal and len(cal_rows) and origin - cal - horizon >= 7:
            self._train(panel, origin - cal, horizon)
            fc = self._raw_predict(panel, cal_rows, cal_target, horizon)
            y = panel.units[cal_rows, cal_target]
            self.adjust_lo = float(np.quantile((fc.p10 - y) / fc.scale, 0.9))
            self.adjust_hi = _calibrate_upper(fc, y, self.adjust_lo, TARGET_COVERAGE)
            if not self.refit:
                return
        self._train(panel, origin, horizon)

    def _train(self, panel: Panel, origin: int, horizon: int) -> None:
        import lightgbm as lgb  # heavy import; only the model needs it

        cache = _cache(panel, self.__dict__)
        rows, target = training_targets(panel, origin, horizon, self.train_days)
        if len(rows) == 0:
            raise ValueError("no training data before the origin")
        if len(rows) > self.max_rows:
            # Subsample for speed on 2 cores; uniform, so every series and day is represented.
            pick = np.random.default_rng(self.seed).choice(len(rows), self.max_rows, replace=False)
            rows, target = rows[pick], target[pick]
        feats = build_features(cache, rows, target, horizon)
        y = panel.units[rows, target] / feats.scale
        self.names = feats.names
        categorical = [n for n in CATEGORICAL if n in feats.names]
        data = lgb.Dataset(feats.X, label=y, weight=feats.scale, feature_name=feats.names,
                           categorical_feature=categorical, free_raw_data=False,
                           params={"max_bin": 127, "verbosity": -1})
        self.boosters = {}
        for alpha in () if self.point_only else QUANTILES:
            self.boosters[alpha] = lgb.train(self.params(alpha), data, num_boost_round=self.rounds)
        if self.point == "mean" or self.point_only:
            label, weight = mean_target(panel, y, feats.scale)
            mean_data = lgb.Dataset(feats.X, label=label, weight=weight, feature_name=feats.names,
                                    categorical_feature=categorical, params={"max_bin": 127, "verbosity": -1})
            self.boosters[None] = lgb.train(self.params(None), mean_data, num_boost_round=self.rounds)

    def _raw_predict(self, panel: Panel, rows, target, horizon: int):
        """Uncalibrated, sorted quantiles in units for (rows, target days), with each row's scale."""
        cache = _cache(panel, self.__dict__)
        feats = build_features(cache, np.asarray(rows, np.int64), np.asarray(target, np.int64), horizon)
        if self.point_only:
            mean = np.maximum(self.boosters[None].predict(feats.X, num_threads=self.threads), 0.0) * feats.scale
            return _Scaled(p10=mean, p50=mean, p90=mean, mean=mean, scale=feats.scale)
        out = [np.maximum(self.boosters[a].predict(feats.X, num_threads=self.threads), 0.0) * feats.scale
               for a in QUANTILES]
        stacked = np.sort(np.vstack(out), axis=0)  # quantile models can cross; sorting fixes it
        mean = None
        if self.point == "mean":
            mean = np.maximum(self.boosters[None].predict(feats.X, num_threads=self.threads), 0.0) * feats.scale
        return _Scaled(p10=stacked[0], p50=stacked[1], p90=stacked[2], mean=mean, scale=feats.scale)

    def predict(self, panel: Panel, rows, origins, horizon: int) -> Forecast:
        """P10/P50/P90 for day origin + horizon − 1 of each row."""
        origins = np.asarray(origins, np.int64)
        fc = self._raw_predict(panel, rows, origins + horizon - 1, horizon)
        p10, p90 = _interval(fc, self.adjust_lo, self.adjust_hi)
        return Forecast(p10=p10, p50=fc.p50, p90=p90, mean=fc.mean)


UNSIGNALLED_SPIKE_CAP = 20.0  # × the series' recent level; see mean_target


def has_promo_signal(panel: Panel) -> bool:
    """Whether the panel says when promotions run (campaign flags or an on_promo column)."""
    if "campaign" in panel.exog or "discount" in panel.exog:
        return True
    return panel.on_promo is not None and not bool(np.all(np.isnan(panel.on_promo)))


def mean_target(panel: Panel, y: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(label, weight) of the mean booster on units / scale.

    With a promotion signal: weight scale², which turns squared error on units/scale back
    into squared error in units (spikes are explained by the campaign features). Without
    one (a sales-only CSV) a promotion spike of 20–40× a slow seller's level is noise the
    features cannot explain, and squared error chases it: on the large demo exported as
    a CSV the uncapped mean over-forecasts by 35–40 % and loses to MA28. There the label
    is capped at ``UNSIGNALLED_SPIKE_CAP`` × the level and weighted by scale (measured on
    10k series: bias +0.02, WAPE below MA28).
    """
    if has_promo_signal(panel):
        return y, scale ** 2
    return np.minimum(y, UNSIGNALLED_SPIKE_CAP), scale


def _interval(fc, adjust_lo: float, adjust_hi: float) -> tuple[np.ndarray, np.ndarray]:
    """The calibrated interval exactly as ``predict`` returns it."""
    return (np.maximum(fc.p10 - adjust_lo * fc.scale, 0.0),
            np.maximum(fc.p90 + adjust_hi * fc.scale, fc.p50))


def _calibrate_upper(fc, y: np.ndarray, adjust_lo: float, target: float) -> float:
    """The upper shift giving ``target`` coverage on the calibration rows.

    Sales are mostly small integers with a floor at 0: for intermittent SKUs P10 is 0 and
    nothing falls below it, so the two tails cannot each hold 10 %. Solving for the
    total coverage (bisection: coverage rises with the shift) keeps the interval honest.
    """
    def coverage(shift: float) -> float:
        lo, hi = _interval(fc, adjust_lo, shift)
        return float(np.mean((y >= lo) & (y <= hi)))

    lo_shift, hi_shift = -5.0, 5.0
    if coverage(lo_shift) >= target:
        return lo_shift
    if coverage(hi_shift) < target:
        return hi_shift
    for _ in range(40):
        mid = 0.5 * (lo_shift + hi_shift)
        if coverage(mid) < target:
            lo_shift = mid
        else:
            hi_shift = mid
    return hi_shift


def default_methods() -> list:
    """Every candidate, then ``served`` (the per-store selection among them), in report order."""
    from workbench.forecasting.selection import Served, default_candidates

    candidates = default_candidates()
    return [*candidates, Served(candidates)]
