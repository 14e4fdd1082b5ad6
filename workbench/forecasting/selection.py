"""What the product serves: per store, the candidate that did best on the days before the origin.

``Served.fit(panel, origin, horizon)`` forecasts each of the ``VALIDATION_DAYS`` days
before the origin with every candidate, at the same horizon and from the data before
each of those days only (the candidates' own rolling-origin ``predict``), and scores
them per group of series (a store; ``group_of`` can say otherwise) by WAPE on those
days. Each group is served its winner. Seasonal naive is always a candidate and wins
ties, so a group is never served a method that lost to seasonal naive on its own
validation; a group with nothing sold in the window is served seasonal naive.

Intervals: the served point is the candidate's point forecast (its mean where it has
one). P10/P50/P90 are that point plus the served errors' quantiles on the validation
days, relative to each series' 28-day level and calibrated per group so that 80 % of
the validation actuals fall inside [P10, P90] (sales are small integers with a floor
at 0, so the upper shift is solved for the total coverage, as the LightGBM model does).

Every candidate is fitted at origin − ``validation_days`` for the validation (so the
validation days are out of sample for the models that learn, LightGBM included), and
only the winners are refitted at the origin to serve.

The selection is costly (every candidate, rolling origins); serving is not (the winners
only). ``state()`` / ``restore()`` let the nightly run keep a store's selection for a
week (``workbench.forecasting.api``) and fit only what it serves on the other nights.

Nothing on or after the origin is read: the validation days end the day before it.
"""

from __future__ import annotations

import numpy as np

from workbench.forecasting.methods import (
    TARGET_COVERAGE,
    Forecast,
    LightGBMForecaster,
    MovingAverage,
    SeasonalNaive,
    moving_average_level,
    training_targets,
)
from workbench.forecasting.panel import Panel

VALIDATION_DAYS = 14
BASELINE = "seasonal_naive"
MIN_LEVEL = 0.05  # units/day: keeps relative errors of near-dead series finite


def default_candidates(horizon_days: int = 1) -> list:
    """Every candidate the selection weighs, seasonal naive first."""
    from workbench.forecasting.libmethods import MLForecastLightGBM, StatsMethod

    return [SeasonalNaive(), MovingAverage(28), StatsMethod("ets"), StatsMethod("croston"), StatsMethod("tsb"),
            LightGBMForecaster(), MLForecastLightGBM()]


def _wape(actual: np.ndarray, point: np.ndarray) -> float:
    total = float(actual.sum())
    return float(np.abs(point - actual).sum() / total) if total > 0 else float("inf")


class Served:
    """The per-group winner on the validation days (see the module docstring)."""

    name = "served"

    def __init__(self, candidates: list | None = None, validation_days: int = VALIDATION_DAYS, group_of=None):
        self.candidates = candidates if candidates is not None else default_candidates()
        if not any(c.name == BASELINE for c in self.candidates):
            self.candidates.insert(0, SeasonalNaive())
        self.validation_days = validation_days
        self.group_of = group_of
        self.choice: dict[int, str] = {}
        self.scores: dict[int, dict[str, float]] = {}

    def fresh(self) -> Served:
        """An unfitted copy with the same candidates (to select on a sub-panel)."""
        import copy

        return Served([copy.deepcopy(c) for c in self.candidates], self.validation_days, self.group_of)

    def groups(self, panel: Panel) -> np.ndarray:
        """(S,) group of each series: the store unless ``group_of`` says otherwise."""
        return np.asarray(self.group_of(panel) if self.group_of else panel.store_code, dtype=np.int64)

    def fit(self, panel: Panel, origin: int, horizon: int) -> None:
        """Pick each group's winner on the days before ``origin``, then fit the winners at it."""
        self.select(panel, origin, horizon)
        self.fit_chosen(panel, origin, horizon)

    def _fit(self, c, panel: Panel, origin: int, horizon: int, validation: bool = False) -> None:
        key = (id(panel), origin, horizon)
        if getattr(c, "_fit_key", None) != key:
            # A candidate may fit less for the validation (the day-1 model only).
            fit = getattr(c, "fit_validation", c.fit) if validation else c.fit
            fit(panel, origin, horizon)
            c._fit_key = key

    def select(self, panel: Panel, origin: int, horizon: int) -> None:
        """Score every candidate on the validation days (fitted before them) and pick per group."""
        rows, target = training_targets(panel, origin, horizon, self.validation_days)
        origins = target - horizon + 1
        group = self.groups(panel)
        actual = panel.units[rows, target]
        level = np.maximum(moving_average_level(panel, rows, origins), MIN_LEVEL)
        first = int(origins.min()) if len(rows) else origin
        preds = {}
        for c in self.candidates:
            self._fit(c, panel, first, horizon, validation=True)
            preds[c.name] = np.asarray(c.predict(panel, rows, origins, horizon).point, dtype=np.float64)
        self.choice, self.scores, self.shifts = {}, {}, {}
        for g in np.unique(group):
            sel = group[rows] == g
            scores = {name: _wape(actual[sel], p[sel]) for name, p in preds.items()}
            base = scores[BASELINE]
            best = min(scores, key=lambda n: (scores[n], n != BASELINE))
            if not np.isfinite(scores[best]) or scores[best] >= base:
                best = BASELINE
            self.choice[int(g)], self.scores[int(g)] = best, scores
            self.shifts[int(g)] = _calibrate((actual[sel] - preds[best][sel]) / level[sel],
                                             preds[best][sel], actual[sel], level[sel])
        self._groups = group
        self._default_shift = _calibrate((actual - preds[BASELINE]) / level, preds[BASELINE], actual, level) \
            if len(rows) else (-1.0, 0.0, 1.0)

    def state(self) -> dict[int, dict]:
        """group → {"method", "shifts", "scores"}: what ``restore`` needs to serve again."""
        return {g: {"method": m, "shifts": list(self.shifts[g]),
                    "scores": {k: (v if np.isfinite(v) else None) for k, v in self.scores[g].items()}}
                for g, m in self.choice.items()}

    def restore(self, panel: Panel, state: dict[int, dict]) -> None:
        """Serve a stored selection (``state()``) for the groups of ``panel``; then ``fit_chosen``."""
        names = {c.name for c in self.candidates}
        self.choice = {int(g): (v["method"] if v["method"] in names else BASELINE) for g, v in state.items()}
        self.shifts = {int(g): tuple(v["shifts"]) for g, v in state.items()}
        self.scores = {int(g): dict(v.get("scores") or {}) for g, v in state.items()}
        self._groups = self.groups(panel)
        self._default_shift = (-1.0, 0.0, 1.0)

    def fit_chosen(self, panel: Panel, origin: int, horizon: int) -> None:
        """Fit, at ``origin``, only the candidates some group is served."""
        served = set(self.choice.values()) | {BASELINE}
        for c in self.candidates:
            if c.name in served:
                self._fit(c, panel, origin, horizon)

    def chosen(self) -> dict[str, int]:
        """How many groups each candidate serves."""
        out: dict[str, int] = {}
        for name in self.choice.values():
            out[name] = out.get(name, 0) + 1
        return out

    def predict(self, panel: Panel, rows, origins, horizon: int) -> Forecast:
        """The served point and interval for day origin + horizon − 1 of each row."""
        rows = np.asarray(rows, np.int64)
        origins = np.asarray(origins, np.int64)
        group = self._groups[rows]
        names = np.array([self.choice.get(int(g), BASELINE) for g in group], dtype=object)
        point = np.zeros(len(rows))
        for c in self.candidates:
            use = names == c.name
            if use.any():
                point[use] = c.predict(panel, rows[use], origins[use], horizon).point
        level = np.maximum(moving_average_level(panel, rows, origins), MIN_LEVEL)
        shifts = np.array([self.shifts.get(int(g), self._default_shift) for g in group]).reshape(len(rows), 3)
        p10 = np.maximum(point + shifts[:, 0] * level, 0.0)
        p50 = np.maximum(point + shifts[:, 1] * level, p10)
        p90 = np.maximum(point + shifts[:, 2] * level, p50)
        return Forecast(p10=p10, p50=p50, p90=p90, mean=point)


def _calibrate(rel: np.ndarray, point: np.ndarray, actual: np.ndarray, level: np.ndarray) -> tuple[float, float, float]:
    """(lower, middle, upper) shifts in units of the level: 80 % of ``actual`` inside."""
    if len(rel) == 0:
        return (-1.0, 0.0, 1.0)
    lo = float(np.quantile(rel, 0.1))
    mid = float(np.quantile(rel, 0.5))
    low = np.maximum(point + lo * level, 0.0)

    def coverage(hi: float) -> float:
        return float(np.mean((actual >= low) & (actual <= np.maximum(point + hi * level, low))))

    a, b = mid, 20.0
    if coverage(a) >= TARGET_COVERAGE:
        return lo, mid, a
    if coverage(b) < TARGET_COVERAGE:
        return lo, mid, b
    for _ in range(40):
        m = 0.5 * (a + b)
        if coverage(m) < TARGET_COVERAGE:
            a = m
        else:
            b = m
    return lo, mid, b
