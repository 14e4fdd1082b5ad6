"""Forecast accuracy bench (run by hand): the demo database's last 28 days, horizon 1.

    WORKBENCH_INSTANCE=/tmp/fc-inst .venv/bin/python bench/forecast.py [--csv PATH]
        [--horizon 1] [--holdout-days 28] [--retrain-every N]

Prints ``name: value`` lines: wape / mase / bias / coverage80 / seconds per method, then
the targets of issue 3: ``lgbm_wape_vs_seasonal_naive`` (≤ 0.75), ``lgbm_wape_vs_ma28``
(< 1) and the LightGBM P10–P90 coverage (0.75–0.85), each with ``ok`` or ``MISS``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    """Run the backtest and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", help="a long-format CSV instead of the database")
    parser.add_argument("--horizon", type=int, default=1)
    parser.add_argument("--holdout-days", type=int, default=28)
    parser.add_argument("--history-days", type=int, default=None)
    parser.add_argument("--retrain-every", type=int, default=None)
    args = parser.parse_args()

    from workbench.forecasting.backtest import run_backtest
    from workbench.forecasting.methods import LightGBMForecaster, default_methods

    started = time.perf_counter()
    if args.csv:
        from workbench.forecasting.csvio import read_csv

        panel = read_csv(args.csv)
    else:
        from workbench import create_app
        from workbench.extensions import db
        from workbench.forecasting.dbsource import load_panel

        app = create_app()
        with app.app_context(), db.engine.connect() as conn:
            panel = load_panel(conn, days=args.history_days)
    print(f"series: {panel.n_series}")
    print(f"days: {panel.n_days}")
    print(f"first_day: {panel.day(0)}")
    print(f"last_day: {panel.day(panel.n_days - 1)}")
    print(f"units_per_series_day: {panel.units[panel.alive].mean():.4f}")
    print(f"zero_share: {(panel.units[panel.alive] == 0).mean():.4f}")
    print(f"load_seconds: {time.perf_counter() - started:.1f}")

    # The median-scored variant beside the default (mean-scored) one: on intermittent
    # series the median is often 0, which WAPE rewards; its bias line shows what that costs.
    methods = [*default_methods(), LightGBMForecaster(point="p50")]
    results = {r.method: r for r in run_backtest(panel, methods=methods, horizon=args.horizon,
                                                 holdout_days=args.holdout_days,
                                                 retrain_every=args.retrain_every)}
    for r in results.values():
        for name in ("wape", "mase", "bias", "coverage80", "seconds"):
            print(f"{r.method}_{name}: {getattr(r, name):.4f}")
    lgbm, naive, ma = results["lightgbm"], results["seasonal_naive"], results["ma28"]
    vs_naive = lgbm.wape / naive.wape
    vs_ma = lgbm.wape / ma.wape
    print(f"lgbm_wape_vs_seasonal_naive: {vs_naive:.4f} ({'ok' if vs_naive <= 0.75 else 'MISS'}, target ≤ 0.75)")
    print(f"lgbm_wape_vs_ma28: {vs_ma:.4f} ({'ok' if vs_ma < 1 else 'MISS'}, target < 1)")
    cov_ok = 0.75 <= lgbm.coverage80 <= 0.85
    print(f"lgbm_coverage80: {lgbm.coverage80:.4f} ({'ok' if cov_ok else 'MISS'}, target 0.75–0.85)")
    print(f"total_seconds: {time.perf_counter() - started:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
