"""Forecast accuracy and stocking bench (run by hand): the demo database's last 28 days.

    WORKBENCH_INSTANCE=/tmp/fc-inst .venv/bin/python bench/forecast.py [--csv PATH]
        [--horizon 1] [--holdout-days 28] [--retrain-every N] [--no-record]

Prints ``name: value`` lines: wape / mase / bias / coverage80 / seconds per method, then
the targets of issue 3: ``lgbm_wape_vs_seasonal_naive`` (≤ 0.75), ``lgbm_wape_vs_ma28``
(< 1) and the LightGBM P10–P90 coverage (0.75–0.85), each with ``ok`` or ``MISS``.
On the database it records the figures as ``BacktestRun`` rows (as the CLI does) and
runs the stocking simulation (see ``simulate_stocking``): ``stock_newsvendor_margin_fen``,
``stock_p50_margin_fen``, ``stock_last_week_margin_fen``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    """Run the backtest and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", help="a long-format CSV instead of the database")
    parser.add_argument("--horizon", type=int, default=1)
    parser.add_argument("--holdout-days", type=int, default=28)
    parser.add_argument("--history-days", type=int, default=None)
    parser.add_argument("--retrain-every", type=int, default=None)
    parser.add_argument("--no-record", action="store_true", help="do not store BacktestRun rows")
    args = parser.parse_args()

    from workbench.forecasting.backtest import run_backtest
    from workbench.forecasting.methods import LightGBMForecaster, default_methods

    started = time.perf_counter()
    app = products = None
    if args.csv:
        from workbench.forecasting.csvio import read_csv

        panel = read_csv(args.csv)
    else:
        from sqlalchemy import text

        from workbench import create_app
        from workbench.config import prepare_instance
        from workbench.extensions import db
        from workbench.forecasting.dbsource import load_panel

        prepare_instance()  # WORKBENCH_INSTANCE may name a fresh folder
        app = create_app()
        with app.app_context(), db.engine.connect() as conn:
            panel = load_panel(conn, days=args.history_days)
            products = {r.id: r for r in conn.execute(text(
                "SELECT id, price_fen, cost_fen, shelf_life_days FROM products")).all()}
    print(f"series: {panel.n_series}")
    print(f"days: {panel.n_days}")
    print(f"first_day: {panel.day(0)}")
    print(f"last_day: {panel.day(panel.n_days - 1)}")
    print(f"units_per_series_day: {panel.units[panel.alive].mean():.4f}")
    print(f"zero_share: {(panel.units[panel.alive] == 0).mean():.4f}")
    print(f"load_seconds: {time.perf_counter() - started:.1f}")
    scored = panel.alive[:, -args.holdout_days:] & panel.alive[:, -args.holdout_days - args.horizon:-args.horizon]
    last = panel.units[:, -args.holdout_days:][scored]
    print(f"scored_points: {int(scored.sum())}")
    print(f"scored_zero_share: {(last == 0).mean():.4f}")
    print(f"scored_units_per_series_day: {last.mean():.4f}")
    print(f"scored_median_series_mean: {np.median(panel.units[:, -args.holdout_days:].mean(axis=1)):.4f}")

    # The median-scored variant beside the default (mean-scored) one: on intermittent
    # series the median is often 0, which WAPE rewards; its bias line shows what that costs.
    methods = [*default_methods(), LightGBMForecaster(point="p50")]
    results = {r.method: r for r in run_backtest(panel, methods=methods, horizon=args.horizon,
                                                 holdout_days=args.holdout_days,
                                                 retrain_every=args.retrain_every, keep=True)}
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

    if products is not None:
        margins = simulate_stocking(panel, lgbm.detail, products, args.holdout_days)
        for name, value in margins.items():
            print(f"{name}: {value}")
        nv = margins["stock_newsvendor_margin_fen"]
        beats = nv > margins["stock_p50_margin_fen"] and nv > margins["stock_last_week_margin_fen"]
        print(f"stock_newsvendor_beats_both: {'ok' if beats else 'MISS'}")
        if not args.no_record:
            from workbench.forecasting.cli import record_backtest

            with app.app_context():
                n = record_backtest([r for r in results.values() if r.method in ("seasonal_naive", "ma28",
                                                                                 "lightgbm")],
                                    "database", args.horizon, args.holdout_days)
            print(f"backtest_runs_recorded: {n}")
    print(f"total_seconds: {time.perf_counter() - started:.1f}")
    return 0


def _newsvendor_function():
    """The suggestion engine's newsvendor rule when it is there, else the local one below."""
    try:
        from workbench.suggestions.stocking import newsvendor
    except ImportError:
        return "local", _local_newsvendor
    return "workbench.suggestions.stocking", lambda p10, p50, p90, price, cost, life: newsvendor(
        p10, p50, p90, price, cost, life).units


def _local_salvage(price: float, cost: float, life: int) -> float:
    """Fallback salvage rule (same as the engine's): long shelf life ≈ cost, fresh ≈ 30 %
    of price at clearance (≤ cost), ≤ 2 days nothing."""
    if life >= 30:
        return 0.98 * cost
    if life <= 2:
        return 0.0
    return min(cost, 0.3 * price)


def _local_newsvendor(p10: float, p50: float, p90: float, price: float, cost: float, life: int) -> int:
    """Fallback newsvendor: the demand quantile at cu / (cu + co), piecewise linear in P10/P50/P90."""
    salvage = _local_salvage(price, cost, life)
    under, over = max(price - cost, 0.0), max(cost - salvage, 0.0)
    tau = min(max(under / (under + over) if under + over > 0 else 0.0, 0.02), 0.98)
    if tau <= 0.5:
        q = p10 + (tau - 0.1) * (p50 - p10) / 0.4
    else:
        q = p50 + (tau - 0.5) * (p90 - p50) / 0.4
    return int(np.floor(max(q, 0.0) + 0.5))


def simulate_stocking(panel, detail: dict, products: dict, holdout_days: int) -> dict:
    """Margin net of spoilage of three stocking policies over the holdout, in fen.

    Every scored (store, SKU) series starts the holdout with no stock. Each morning the
    store orders up to a target level (order = max(0, target − units on hand)):

    * newsvendor: the critical-ratio quantile of that day's LightGBM forecast
      (``workbench.suggestions.stocking.newsvendor`` when present, else the local copy);
    * p50: the forecast median, rounded;
    * last_week: the units sold on the same weekday a week before.

    Demand is the day's actual sales (sales above the stock are lost). Units are sold
    oldest first; a unit spoils at the end of its last day of shelf life
    (``shelf_life_days``) and is written off at the salvage value of the engine's rule
    (0 for ≤ 2-day goods, a clearance 30 % of price for fresh goods, ~cost for long-life
    goods). Margin = price × sold − cost × bought + salvage × spoiled, plus the stock
    left at the end valued at salvage. Prices are list prices (``price_fen``, ``cost_fen``).
    """
    source, rule = _newsvendor_function()
    rows, target = detail["rows"], detail["target"]
    first = panel.n_days - holdout_days
    series = np.unique(rows)
    pos = {int(s): k for k, s in enumerate(series)}
    n, days = len(series), holdout_days
    price = np.array([products[int(panel.sku[s])].price_fen for s in series], dtype=float)
    cost = np.array([products[int(panel.sku[s])].cost_fen for s in series], dtype=float)
    life = np.array([max(1, products[int(panel.sku[s])].shelf_life_days or 1) for s in series], dtype=np.int64)
    salvage = np.array([_local_salvage(p, c, int(v)) for p, c, v in zip(price, cost, life, strict=True)])
    demand = np.clip(panel.units[series][:, first:], 0, None)
    alive = np.zeros((n, days), dtype=bool)
    targets = {name: np.zeros((n, days)) for name in ("newsvendor", "p50", "last_week")}
    for r, t, p10, p50, p90 in zip(rows, target, detail["p10"], detail["p50"], detail["p90"], strict=True):
        i, d = pos[int(r)], int(t) - first
        alive[i, d] = True
        s = int(r)
        targets["newsvendor"][i, d] = rule(float(p10), float(p50), float(p90), price[i], cost[i], int(life[i]))
        targets["p50"][i, d] = np.floor(p50 + 0.5)
        targets["last_week"][i, d] = max(panel.units[s, t - 7], 0.0) if panel.alive[s, t - 7] else 0.0
    out = {}
    for name, level in targets.items():
        # stock[i, e]: units that expire at the end of holdout day e (e = days: lasts past the end).
        stock = np.zeros((n, days + 1))
        margin = 0.0
        for d in range(days):
            on_hand = stock[:, d:].sum(axis=1)
            buy = np.where(alive[:, d], np.maximum(level[:, d] - on_hand, 0.0), 0.0)
            stock[np.arange(n), np.minimum(d + life - 1, days)] += buy
            margin -= float((buy * cost).sum())
            want = np.where(alive[:, d], demand[:, d], 0.0)
            for e in range(d, days + 1):  # oldest first
                take = np.minimum(stock[:, e], want)
                stock[:, e] -= take
                want -= take
                margin += float((take * price).sum())
            margin += float((stock[:, d] * salvage).sum())  # spoils tonight
            stock[:, d] = 0.0
        margin += float((stock.sum(axis=1) * salvage).sum())
        out[f"stock_{name}_margin_fen"] = int(round(margin))
    out["stock_rule"] = source
    return out


if __name__ == "__main__":
    raise SystemExit(main())
