"""``flask forecast backtest``: judge the forecasters on the database or any CSV."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

forecast_cli = AppGroup("forecast", help="Demand forecasts and their backtests.")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@forecast_cli.command("backtest")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Long-format CSV: store_id,sku_id,date,units[,price,on_promo]. "
                   "Without it, the database's own order history.")
@click.option("--horizon", type=int, default=1, show_default=True, help="Days ahead.")
@click.option("--holdout-days", type=int, default=28, show_default=True,
              help="Days at the end scored by rolling origin.")
@click.option("--history-days", type=int, default=None,
              help="Database only: read at most this many days of history.")
def backtest_command(csv_path: str | None, horizon: int, holdout_days: int,
                     history_days: int | None) -> None:
    """Rolling-origin backtest of seasonal naive, MA28 and LightGBM; one line per method."""
    from workbench.forecasting.backtest import BacktestError, run_backtest
    from workbench.forecasting.csvio import InputError, read_csv

    if horizon < 1:
        _fail("--horizon must be at least 1")
    if holdout_days < 1:
        _fail("--holdout-days must be at least 1")
    try:
        if csv_path:
            panel = read_csv(csv_path)
            source = csv_path
        else:
            from workbench.extensions import db
            from workbench.forecasting.dbsource import load_panel

            with db.engine.connect() as conn:
                panel = load_panel(conn, days=history_days)
            source = "database"
        click.echo(f"data: {source}: {panel.n_series} series, {panel.n_days} days "
                   f"({panel.day(0)} … {panel.day(panel.n_days - 1)}); "
                   f"horizon={horizon} holdout_days={holdout_days}")
        results = run_backtest(panel, horizon=horizon, holdout_days=holdout_days)
    except (InputError, BacktestError, ValueError) as exc:
        _fail(str(exc))
    except MemoryError:
        _fail("not enough memory for this data; try fewer series or --history-days")
    if not csv_path:
        record_backtest(results, source, horizon, holdout_days)
    for result in results:
        click.echo(result.line())


def record_backtest(results, source: str, horizon: int, holdout_days: int) -> int:
    """Store one ``BacktestRun`` row per method (HQ shows the latest); rows written.

    A failure to record (e.g. a database without the table yet) is reported on stderr
    and never hides the figures themselves.
    """
    import math

    from sqlalchemy.exc import SQLAlchemyError

    from workbench.extensions import db
    from workbench.forecasting.models import BacktestRun
    from workbench.types import utcnow

    def finite(value: float) -> float | None:
        return None if value is None or not math.isfinite(value) else float(value)

    ran_at = utcnow()
    try:
        for r in results:
            db.session.add(BacktestRun(ran_at=ran_at, source=source[:200], horizon=horizon,
                                       holdout_days=holdout_days, method=r.method, wape=finite(r.wape),
                                       mase=finite(r.mase), bias=finite(r.bias),
                                       coverage80=finite(r.coverage80), series=r.series,
                                       seconds=round(float(r.seconds), 3)))
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        click.echo(f"warning: backtest figures not recorded ({exc.__class__.__name__})", err=True)
        return 0
    return len(results)
