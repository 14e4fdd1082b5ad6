"""``flask commission close | recompute | export``: month end, proof, and the finance file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select, true

from workbench.commission import periods, settlement
from workbench.commission.statements import close_period, recompute
from workbench.commission.states import CloseRefused
from workbench.extensions import db
from workbench.stores.models import Store
from workbench.timeutil import local_day
from workbench.types import utcnow

commission_cli = AppGroup("commission", help="Commission statements: close a month, recompute, export.")


def _period(value: str) -> str:
    try:
        periods.parse(value)
    except periods.BadPeriod:
        raise click.BadParameter(f"{value!r} is not a month like 2026-10") from None
    return value


@commission_cli.command("close")
@click.option("--period", required=True, help="the month to close, YYYY-MM (must have ended)")
@click.option("--store", "store_code", default=None, help="only this store (code, e.g. S001)")
def close_cmd(period: str, store_code: str | None) -> None:
    """Store the month's statements (idempotent: closed stores are skipped)."""
    period = _period(period)
    ids = None
    if store_code:
        store_id = db.session.scalar(select(Store.id).where(Store.code == store_code))
        if store_id is None:
            raise click.BadParameter(f"no store {store_code!r}", param_hint="--store")
        ids = [store_id]
    try:
        result = close_period(db.session, period, utcnow(), ids)
    except CloseRefused as exc:
        db.session.rollback()
        message = {"running": f"{period} has not ended yet",
                   "gap": f"close the month before first ({exc.detail})"}[exc.reason]
        raise click.ClickException(message) from None
    db.session.commit()
    if result.without_plan:
        click.echo(f"stores without a commission plan (skipped): {', '.join(result.without_plan)}", err=True)
    click.echo(f"period={period} stores={result.stores} lines={result.lines} "
               f"commission_fen={result.commission_fen} already_closed={result.already_closed}")


@commission_cli.command("recompute")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--store", "store_code", default=None, help="only this store (code)")
def recompute_cmd(period: str, store_code: str | None) -> None:
    """Rebuild stored statements from raw order items, refunds and adjustments; print differences."""
    result = recompute(db.session, _period(period), store_code)
    for line in result.mismatches:
        click.echo(line)
    click.echo(f"stores={result.stores} lines={result.lines} mismatches={len(result.mismatches)}")
    if result.mismatches:
        sys.exit(1)


@commission_cli.command("export")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--csv", "path", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="file to write (UTF-8 with BOM, opens in Excel)")
def export_cmd(period: str, path: Path) -> None:
    """One row per stored line of the period's statements."""
    period = _period(period)
    rows = 0

    def counted():
        nonlocal rows
        for row in settlement.export_rows(db.session, period, true(), local_day(utcnow())):
            rows += 1
            yield row

    with path.open("w", encoding="utf-8-sig", newline="") as f:
        f.writelines(settlement.export_csv(counted()))
    click.echo(f"period={period} rows={rows} file={path}")
