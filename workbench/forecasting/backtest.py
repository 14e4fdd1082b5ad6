"""Rolling-origin backtest: every day of the holdout is forecast ``horizon`` days ahead.

For each target day d in the last ``holdout_days`` days, the forecast is made at origin
o = d − H + 1 from days < o only. Each method is fitted once, at the first origin (or
every ``retrain_every`` days), on data before that origin; predictions at later origins
then read their features from data before their own origin. Scored points are the
(series, day) pairs alive on d that also had at least one day of history before o.
WAPE, MASE and bias score each method's point forecast (``Forecast.point``: the mean
when the method gives one, else P50); coverage80 scores [P10, P90].
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from workbench.forecasting import metrics
from workbench.forecasting.methods import default_methods
from workbench.forecasting.panel import Panel

MIN_HISTORY_DAYS = 14  # below this no method has anything to learn from


class BacktestError(ValueError):
    """The panel cannot be backtested with these settings (message for the user)."""


@dataclass
class MethodResult:
    """One method's pooled scores."""

    method: str
    wape: float
    mase: float
    bias: float
    coverage80: float
    series: int
    points: int
    seconds: float
    # With ``run_backtest(keep=True)``: rows, target, p10, p50, p90, point per scored point.
    detail: dict | None = field(default=None, repr=False)

    def line(self) -> str:
        """The machine-readable summary line the CLI prints."""
        return (f"method={self.method} wape={self.wape:.4f} mase={self.mase:.4f} "
                f"bias={self.bias:.4f} coverage80={self.coverage80:.2f} "
                f"series={self.series} seconds={self.seconds:.1f}")


def evaluation_points(panel: Panel, horizon: int, holdout_days: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, target days) scored by the backtest."""
    first_target = panel.n_days - holdout_days
    span = np.arange(first_target, panel.n_days)
    ok = panel.alive[:, span] & panel.alive[:, span - horizon]
    rows, col = np.nonzero(ok)
    return rows.astype(np.int64), span[col].astype(np.int64)


def run_backtest(
    panel: Panel,
    methods: list | None = None,
    horizon: int = 1,
    holdout_days: int = 28,
    retrain_every: int | None = None,
    keep: bool = False,
    progress=None,
) -> list[MethodResult]:
    """Backtest every method on the panel's last ``holdout_days`` days; return pooled scores.

    ``keep`` also returns every scored point's forecast in ``MethodResult.detail`` (for
    simulations such as the stocking bench).
    """
    if horizon < 1:
        raise BacktestError("--horizon must be at least 1")
    if holdout_days < 1:
        raise BacktestError("--holdout-days must be at least 1")
    first_origin = panel.n_days - holdout_days - horizon + 1
    if first_origin < MIN_HISTORY_DAYS:
        raise BacktestError(
            f"the data spans {panel.n_days} days ({panel.day(0)} … {panel.day(panel.n_days - 1)}); "
            f"a {holdout_days}-day holdout at horizon {horizon} needs at least "
            f"{holdout_days + horizon - 1 + MIN_HISTORY_DAYS} days")
    rows, target = evaluation_points(panel, horizon, holdout_days)
    if len(rows) == 0:
        raise BacktestError("no series has history before the holdout period")
    origins = target - horizon + 1
    actual = panel.units[rows, target]
    scale = metrics.seasonal_naive_scale(panel.units, panel.alive, first_origin)
    n_series = int(len(np.unique(rows)))
    step = retrain_every or holdout_days + horizon
    results = []
    methods = methods if methods is not None else default_methods()
    for done, method in enumerate(methods):
        if progress:
            progress(done, len(methods))
        started = time.perf_counter()
        p10 = np.empty(len(rows))
        p50 = np.empty(len(rows))
        point = np.empty(len(rows))
        p90 = np.empty(len(rows))
        for fit_origin in range(first_origin, panel.n_days, step):
            block = (origins >= fit_origin) & (origins < fit_origin + step)
            if not block.any():
                continue
            method.fit(panel, fit_origin, horizon)
            method._fit_key = (id(panel), fit_origin, horizon)  # ``Served`` reuses a fitted candidate
            fc = method.predict(panel, rows[block], origins[block], horizon)
            p10[block], p50[block], point[block], p90[block] = fc.p10, fc.p50, fc.point, fc.p90
        seconds = time.perf_counter() - started
        results.append(MethodResult(
            method=method.name,
            wape=metrics.wape(actual, point),
            mase=metrics.mase(actual, point, rows, scale),
            bias=metrics.bias(actual, point),
            coverage80=metrics.coverage(actual, p10, p90),
            series=n_series,
            points=len(rows),
            seconds=seconds,
            detail={"rows": rows, "target": target, "p10": p10, "p50": p50, "p90": p90,
                    "point": point} if keep else None,
        ))
    return results
