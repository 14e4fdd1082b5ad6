"""Fan-out of the nightly forecast by store batch.

Three ways to run the same work, all ending in ``forecast_next`` on a batch of stores
(each batch reads only its own stores' rows, so cost is linear in the batch):

* ``forecast_stores(session, as_of, …)`` — single process, batch after batch; what
  ``flask suggestions run`` and tests use.
* ``forecast_batch_job(store_ids, as_of_iso, …)`` — the RQ job body: queue one per batch
  with ``workbench.jobs.queue.launch("workbench.forecasting.jobs.forecast_batch_job",
  …)`` (the runner supplies the app context) and join the results with
  ``NextForecast.concat``. Arguments are plain JSON-able values.
* ``forecast_parallel(database_url, as_of, workers=2, …)`` — a local process pool over
  the same batches (no Redis, no Flask): what ``bench/forecast_speed.py`` measures.

Each model is global within its batch and its training cost is nearly fixed (rows are
sampled), so the fewest batches that keep every worker busy are fastest: one batch per
worker. ``forecast_parallel`` does that by default; ``DEFAULT_BATCH_STORES`` = 100 gives
2 batches for the 200-store preset (measured: 50 stores a batch, 4 batches on 2 workers:
90 s; 100 stores, 2 batches: 51 s; peak 1.0 vs 1.5 GiB).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date

from sqlalchemy import text

from workbench.forecasting.api import NextForecast, forecast_next

DEFAULT_BATCH_STORES = 100


def store_batches(session, batch_size: int = DEFAULT_BATCH_STORES, store_ids: list[int] | None = None) -> list[list[int]]:
    """Active stores (or ``store_ids``) in id order, cut into batches of ``batch_size``."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if store_ids is None:
        store_ids = list(session.execute(text("SELECT id FROM stores WHERE is_active ORDER BY id")).scalars())
    ids = sorted(int(s) for s in store_ids)
    return [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]


def forecast_stores(session, as_of: date, horizon_days: int = 7, method: str = "lightgbm",
                    batch_size: int = DEFAULT_BATCH_STORES, store_ids: list[int] | None = None) -> NextForecast:
    """Forecast every batch in this process and join the results."""
    parts = []
    for batch in store_batches(session, batch_size, store_ids):
        try:
            parts.append(forecast_next(session, batch, as_of, horizon_days, method))
        except ValueError:
            continue  # a batch of new stores with no sales yet: nothing to forecast
    return NextForecast.concat(parts)


def forecast_batch_job(store_ids: list[int], as_of_iso: str, horizon_days: int = 7,
                       method: str = "lightgbm") -> NextForecast | None:
    """RQ job body: forecast one batch inside the worker's app context (None: no sales)."""
    from workbench.extensions import db

    try:
        return forecast_next(db.session, store_ids, date.fromisoformat(as_of_iso), horizon_days, method)
    except ValueError:
        return None
    finally:
        db.session.rollback()


BACKTEST_JOB = "workbench.forecasting.jobs.backtest_job"
BACKTEST_HISTORY_DAYS = 182


def backtest_job(horizon: int = 1, holdout_days: int = 28, *, job_id: str | None = None) -> dict:
    """RQ job: ``flask forecast backtest`` on the database, recorded for HQ, with progress."""
    from workbench.extensions import db
    from workbench.forecasting.backtest import run_backtest
    from workbench.forecasting.cli import record_backtest
    from workbench.forecasting.dbsource import load_panel
    from workbench.jobs.runner import set_progress

    with db.engine.connect() as conn:
        panel = load_panel(conn, days=BACKTEST_HISTORY_DAYS)
    results = run_backtest(panel, horizon=horizon, holdout_days=holdout_days,
                           progress=lambda done, total: set_progress(job_id, 100 * done // (total + 1)))
    record_backtest(results, "database", horizon, holdout_days)
    served = results[-1]
    return {"methods": len(results), "series": served.series, "served_wape": round(served.wape, 4)}


# --- local process pool (bench / single machine) ---------------------------------------

_engine = None


def _init_worker(database_url: str, threads: int) -> None:
    from sqlalchemy import create_engine

    global _engine
    os.environ["FORECAST_THREADS"] = str(threads)
    _engine = create_engine(database_url)


def _run_batch(args: tuple) -> NextForecast | None:
    store_ids, as_of, horizon_days, method = args
    with _engine.connect() as conn:
        try:
            return forecast_next(conn, store_ids, as_of, horizon_days, method)
        except ValueError:
            return None


def forecast_parallel(database_url: str, as_of: date, horizon_days: int = 7, method: str = "lightgbm",
                      workers: int = 2, batch_size: int | None = None,
                      store_ids: list[int] | None = None) -> NextForecast:
    """Forecast all batches on ``workers`` processes (one LightGBM thread each).

    ``batch_size`` None: one batch of stores per worker.
    """
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.connect() as conn:
        if store_ids is None:
            store_ids = list(conn.execute(text("SELECT id FROM stores WHERE is_active ORDER BY id")).scalars())
    engine.dispose()
    if batch_size is None:
        batch_size = max(1, -(-len(store_ids) // workers))
    batches = store_batches(None, batch_size, store_ids)
    tasks = [(b, as_of, horizon_days, method) for b in batches]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(database_url, max(1, 2 // workers) if workers <= 2 else 1)) as pool:
        parts = list(pool.map(_run_batch, tasks))
    return NextForecast.concat(parts)


__all__ = ["DEFAULT_BATCH_STORES", "forecast_batch_job", "forecast_parallel", "forecast_stores",
           "store_batches"]
