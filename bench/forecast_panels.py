"""Every forecasting candidate and the served selection on panels unlike the demo's.

Per panel × method: WAPE, MASE, bias and P10–P90 coverage (rolling origin, horizon 1,
last 28 days), then the served method's WAPE ratio to seasonal naive against the
targets (≤ 1.0 everywhere, ≤ 0.8 where the panel has weekly or yearly structure;
coverage 0.75–0.88; |bias| ≤ 0.10). Panels: ``workbench/forecasting/panels.py``.

    .venv/bin/python bench/forecast_panels.py [--panels a,b] [--csv extra.csv ...]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("FORECAST_THREADS", "2")

from workbench.forecasting.backtest import run_backtest  # noqa: E402
from workbench.forecasting.csvio import read_csv  # noqa: E402
from workbench.forecasting.methods import default_methods  # noqa: E402
from workbench.forecasting.panels import PANELS  # noqa: E402

POINT_ONLY = {"ets", "croston", "tsb", "lgbm_global"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--panels", default=",".join(PANELS))
    parser.add_argument("--csv", nargs="*", default=[], help="extra long-format CSVs (store_id,sku_id,date,units)")
    parser.add_argument("--horizon", type=int, default=1)
    args = parser.parse_args()
    jobs = [(name, *PANELS[name]) for name in args.panels.split(",") if name]
    jobs += [(path, (lambda p=path: read_csv(p)), True) for path in args.csv]
    summary = []
    for name, build, structured in jobs:
        panel = build()
        methods = default_methods()
        t0 = time.perf_counter()
        results = run_backtest(panel, methods, horizon=args.horizon, holdout_days=28)
        served = methods[-1]
        print(f"panel: {name} series={panel.n_series} days={panel.n_days} seconds={time.perf_counter() - t0:.0f}")
        base = next(r for r in results if r.method == "seasonal_naive")
        for r in results:
            # The library candidates give a point only; the selection adds the interval.
            cov = "  —" if r.method in POINT_ONLY else f"{r.coverage80:.2f}"
            print(f"  {r.method:<15} wape={r.wape:.3f} mase={r.mase:.3f} bias={r.bias:+.3f} "
                  f"coverage80={cov} ratio_to_snaive={r.wape / base.wape:.2f} seconds={r.seconds:.1f}")
        s = results[-1]
        ratio = s.wape / base.wape
        target = 0.8 if structured else 1.0
        print(f"  served_chose: {served.chosen()}")
        summary.append((name, ratio, target, s.coverage80, s.bias))
    print("summary (served):")
    for name, ratio, target, cov, bias in summary:
        ok = ratio <= target and 0.75 <= cov <= 0.88 and abs(bias) <= 0.10
        print(f"  {name}: ratio_to_snaive={ratio:.2f} target<={target} coverage80={cov:.2f} bias={bias:+.3f} "
              f"{'MET' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
