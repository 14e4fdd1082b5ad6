"""Fit time of the nightly served forecast as the number of series grows (run by hand).

    .venv/bin/python bench/forecast_scaling.py [--sizes 10000,30000,60000,120000] [--days 182]

Synthetic series (negative-binomial daily units with a weekly pattern and a per-series
level, 8 SKUs … per store, 200 stores' worth of store codes), ``--days`` of history as
the nightly run loads (``api.HISTORY_DAYS``). For each size, in this process, one after
the other:

* ``lightgbm``: what a night fits when a store is served LightGBM —
  ``api.NextDaysLightGBM(7)`` (day-1 model + multi-horizon model, one thread, the
  ``max_rows`` training sample) and its 7-day prediction for every series;
* ``ets``: statsforecast's seasonal exponential smoothing fitted and forecast 7 days
  for every series (what a store served ETS costs), one job.

Prints ``name: value`` lines (seconds, and the process's peak RSS in MiB so far).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.forecasting.api import NextDaysLightGBM  # noqa: E402
from workbench.forecasting.libmethods import StatsMethod  # noqa: E402
from workbench.forecasting.panel import Panel  # noqa: E402
from workbench.forecasting.panels import START, WEEKLY  # noqa: E402

HORIZON = 7


def synthetic(n: int, days: int, seed: int = 0) -> Panel:
    rng = np.random.default_rng(seed)
    level = rng.lognormal(0.3, 1.0, n)[:, None]
    week = WEEKLY[(np.arange(days) + START.weekday()) % 7][None, :]
    mu = level * week
    units = rng.negative_binomial(2, 2 / (2 + mu)).astype(np.float64)
    store = np.arange(n) % 200
    return Panel(start=START, store=store, sku=np.arange(n), units=units, alive=np.ones_like(units, dtype=bool))


def peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,30000,60000,120000")
    ap.add_argument("--days", type=int, default=182)
    ap.add_argument("--methods", default="lightgbm,ets")
    args = ap.parse_args()
    methods = args.methods.split(",")
    for n in (int(s) for s in args.sizes.split(",")):
        panel = synthetic(n, args.days + HORIZON)
        origin = panel.n_days - HORIZON
        rows = np.arange(n, dtype=np.int64)
        origins = np.full(n, origin, dtype=np.int64)
        if "lightgbm" in methods:
            t = time.perf_counter()
            model = NextDaysLightGBM(HORIZON, {"threads": 1})
            model.fit(panel, origin)
            for h in range(1, HORIZON + 1):
                model.predict(panel, rows, origins, h)
            print(f"fit_seconds_lightgbm_{n}: {time.perf_counter() - t:.1f}", flush=True)
        if "ets" in methods:
            t = time.perf_counter()
            ets = StatsMethod("ets")
            ets.horizon_days = HORIZON
            ets.fit(panel, origin, 1)
            for h in range(1, HORIZON + 1):
                ets.predict(panel, rows, origins, h)
            print(f"fit_seconds_ets_{n}: {time.perf_counter() - t:.1f}", flush=True)
        print(f"peak_rss_mib_after_{n}: {peak_mib()}", flush=True)


if __name__ == "__main__":
    main()
