"""``flask suggestions run``: on demand (the 05:00 schedule is ``flask jobs cron``)."""

from __future__ import annotations

import time
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import func, or_, select

from workbench.extensions import db
from workbench.forecasting.api import METHODS
from workbench.formatting import local_today
from workbench.stores.models import Store
from workbench.suggestions import jobs
from workbench.suggestions.forecast import DEFAULT_METHOD
from workbench.suggestions.models import Suggestion

suggestions_cli = AppGroup("suggestions", help="Daily suggestion cards (今日建议).")


def _parse_day(ctx, param, value: str | None) -> date:
    if value is None:
        return local_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _store_ids(values: tuple[str, ...]) -> list[int] | None:
    """Store ids for ``--store`` values (an id or a store code); a usage error for unknown ones."""
    if not values:
        return None
    ids = []
    for value in values:
        conds = [Store.code == value]
        if value.isdigit():
            conds.append(Store.id == int(value))
        found = db.session.scalar(select(Store.id).where(or_(*conds)))
        if found is None:
            raise click.BadParameter(f"no store with id or code {value!r}", param_hint="'--store'")
        ids.append(found)
    return ids


@suggestions_cli.command("run")
@click.option("--date", "day", callback=_parse_day, metavar="YYYY-MM-DD",
              help="The day the cards are for (default: today in Asia/Shanghai).")
@click.option("--store", "stores", multiple=True, metavar="ID|CODE", help="Only this store (repeatable).")
@click.option("--fan-out", is_flag=True, help="Queue one RQ job per batch of stores instead of running here.")
@click.option("--method", type=click.Choice(METHODS), default=DEFAULT_METHOD, show_default=True,
              help="Forecasting method behind the cards.")
@click.option("--if-missing", is_flag=True,
              help="Do nothing when the day already has cards (make run uses this at start-up).")
def run_command(day: date, stores: tuple[str, ...], fan_out: bool, method: str, if_missing: bool) -> None:
    """Score yesterday's cards and write the day's cards; prints cards per store."""
    store_ids = _store_ids(stores)
    if if_missing:
        existing = select(func.count(Suggestion.id)).where(Suggestion.for_date == day)
        if store_ids is not None:
            existing = existing.where(Suggestion.store_id.in_(store_ids))
        if db.session.scalar(existing):
            click.echo(f"day={day.isoformat()} already has cards; nothing to do")
            return
    t0 = time.perf_counter()
    if fan_out:
        from workbench.jobs.queue import QueueUnavailable

        records = jobs.fan_out(db.session, day, store_ids, method=method)
        if if_missing and store_ids is None:
            # A fresh database: the past days' cards too, scored, so the accuracy shows.
            past = jobs.launch_backfill(db.session, day)
            if past is not None:
                records.append(past)
        try:
            db.session.commit()  # the scores and the records, then the jobs are queued
        except QueueUnavailable as exc:
            raise click.ClickException(f"the job queue is unavailable ({exc}); run without --fan-out") from None
        for r in records:
            click.echo(f"queued {r.id} {r.description}")
        click.echo(f"batches={len(records)} seconds={time.perf_counter() - t0:.1f}")
        return
    result = jobs.run_for_day(db.session, day, store_ids, method=method)
    codes = dict(db.session.execute(select(Store.id, Store.code)).all())
    for store_id, counts in sorted(result.cards.items()):
        parts = " ".join(f"{k}={counts.get(k, 0)}" for k in ("push", "clear", "restock", "bundle"))
        click.echo(f"store={codes.get(store_id, store_id)} {parts} total={sum(counts.values())}")
    for store_id, error in sorted(result.failed.items()):
        click.echo(f"store={codes.get(store_id, store_id)} FAILED {error}", err=True)
    total = sum(sum(c.values()) for c in result.cards.values())
    click.echo(f"day={day.isoformat()} stores={len(result.cards)} cards={total} scored={result.scored} "
               f"model={result.model or '-'} seconds={result.seconds:.1f}")
    if result.failed:
        raise SystemExit(1)
