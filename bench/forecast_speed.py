"""Forecast speed bench (run by hand) on the large preset in PostgreSQL.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/wb_fc_large \\
        .venv/bin/python bench/forecast_speed.py [--as-of 2026-11-20] [--workers 2]
        [--batch-stores N] [--backtest-series 10000] [--skip-nightly] [--skip-backtest]

1. nightly: ``workbench.forecasting.jobs.forecast_parallel`` — every store, 7 days ahead,
   LightGBM, fanned out by store batch over ``--workers`` processes (one LightGBM thread
   each). Wall time and the peak resident memory of the whole process tree (parent +
   workers, sampled every 0.2 s with psutil). Targets: ≤ 120 s, ≤ 4 GiB.
2. backtest: the first stores holding ≥ ``--backtest-series`` series are written to a
   long CSV and ``flask forecast backtest --csv`` runs on it in a child process (so the
   figure includes reading and validating the file). Target: ≤ 60 s.

Prints ``name: value`` lines.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class TreeMemory:
    """Peak summed RSS of this process and all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def nightly(url: str, as_of: date, workers: int, batch_stores: int | None) -> None:
    from workbench.forecasting.jobs import forecast_parallel

    with TreeMemory() as mem:
        started = time.perf_counter()
        fc = forecast_parallel(url, as_of, horizon_days=7, method="lightgbm", workers=workers,
                               batch_size=batch_stores)
        seconds = time.perf_counter() - started
    print(f"nightly_series: {len(fc.keys)}")
    print(f"nightly_stores: {len({s for s, _ in fc.keys})}")
    print(f"nightly_workers: {workers}")
    print(f"nightly_batch_stores: {batch_stores or 'one batch per worker'}")
    print(f"nightly_seconds: {seconds:.1f} ({'ok' if seconds <= 120 else 'MISS'}, target ≤ 120)")
    gib = mem.peak / 2**30
    print(f"nightly_peak_rss_gib: {gib:.2f} ({'ok' if gib <= 4 else 'MISS'}, target ≤ 4)")
    ordered = bool((fc.p10 <= fc.p50).all() and (fc.p50 <= fc.p90).all())
    print(f"nightly_quantiles_ordered: {ordered}")
    sys.stdout.flush()


def backtest(url: str, as_of: date, n_series: int, workdir: Path) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    since = as_of - timedelta(days=180)
    with engine.connect() as conn:
        per_store = conn.execute(text(
            "SELECT o.store_id, COUNT(DISTINCT i.product_id) FROM order_items i JOIN orders o ON o.id = i.order_id "
            "WHERE o.status NOT IN ('cancelled', 'failed') GROUP BY o.store_id ORDER BY o.store_id")).all()
        stores, total = [], 0
        for sid, n in per_store:
            if total >= n_series:
                break
            stores.append(int(sid))
            total += int(n)
        rows = conn.execute(text(
            "SELECT o.store_id, i.product_id, o.placed_at, i.quantity FROM order_items i "
            "JOIN orders o ON o.id = i.order_id WHERE o.status NOT IN ('cancelled', 'failed') "
            f"AND o.placed_at >= :since AND o.store_id IN ({', '.join(map(str, stores))})"), {"since": since}).all()
    engine.dispose()
    sums: dict[tuple, float] = {}
    for sid, pid, placed, qty in rows:
        day = (placed + timedelta(hours=8)).date()  # Shanghai local day
        if day <= as_of:
            key = (sid, pid, day)
            sums[key] = sums.get(key, 0) + qty
    path = workdir / "sales.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["store_id", "sku_id", "date", "units"])
        for (sid, pid, day), units in sorted(sums.items()):
            writer.writerow([sid, pid, day.isoformat(), units])
    env = {**os.environ, "FLASK_APP": "wsgi", "WORKBENCH_ENV": "development",
           "WORKBENCH_INSTANCE": str(workdir), "SECRET_KEY": "bench-only"}
    env.pop("DATABASE_URL", None)  # the CSV path needs no database (an empty SQLite is made)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "flask", "forecast", "backtest", "--csv", str(path)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"backtest failed with {proc.returncode}")
    lines = proc.stdout.strip().splitlines()
    series = lines[-1].split("series=")[1].split()[0]
    print(f"backtest_csv_rows: {len(sums)}")
    print(f"backtest_stores: {len(stores)}")
    print(f"backtest_series: {series}")
    for line in lines[-3:]:
        print(f"backtest_line: {line}")
    print(f"backtest_seconds: {seconds:.1f} ({'ok' if seconds <= 60 else 'MISS'}, target ≤ 60)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-11-20")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-stores", type=int, default=None, help="default: one batch per worker")
    parser.add_argument("--backtest-series", type=int, default=10_000)
    parser.add_argument("--skip-nightly", action="store_true")
    parser.add_argument("--skip-backtest", action="store_true")
    parser.add_argument("--keep-csv", help="a directory to write the backtest CSV to (kept)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL to the seeded large-preset database")
    as_of = date.fromisoformat(args.as_of)
    print(f"cpu_count: {os.cpu_count()}")
    if not args.skip_nightly:
        nightly(url, as_of, args.workers, args.batch_stores)
    if not args.skip_backtest:
        if args.keep_csv:
            Path(args.keep_csv).mkdir(parents=True, exist_ok=True)
            backtest(url, as_of, args.backtest_series, Path(args.keep_csv))
        else:
            with tempfile.TemporaryDirectory(prefix="wb-fc-speed-") as tmp:
                backtest(url, as_of, args.backtest_series, Path(tmp))


if __name__ == "__main__":
    main()
