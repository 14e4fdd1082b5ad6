"""The nightly suggestions run: score yesterday, forecast, write today's cards per store.

``run_for_day`` is the single-process path (the CLI's default, and what each batch job
runs for its stores). ``nightly`` is what the cron enqueues at 05:00 Asia/Shanghai
(21:00 UTC; Shanghai has no daylight saving): it scores yesterday's cards and fans the
stores out as one RQ job per ``BATCH_SIZE`` stores, so every worker on every machine
takes batches and the run finishes sooner with more workers. Each store's cards are
written in one transaction of their own.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from workbench.extensions import db
from workbench.forecasting.jobs import DEFAULT_BATCH_STORES
from workbench.formatting import local_today
from workbench.jobs.models import JobRecord
from workbench.jobs.runner import set_progress
from workbench.stores.models import Store
from workbench.suggestions import engine, scoring
from workbench.suggestions.forecast import DEFAULT_METHOD, compute_forecasts
from workbench.suggestions.models import Suggestion
from workbench.suggestions.storedata import load_catalogue

log = logging.getLogger(__name__)

#: Stores per batch, as the forecasting package sizes them: each batch trains its own
#: global model, so bigger batches learn from more series (4 batches for 200 stores).
BATCH_SIZE = DEFAULT_BATCH_STORES
CRON = "0 21 * * *"  # 05:00 Asia/Shanghai in UTC, the time zone rq's cron works in
BATCH_JOB = "workbench.suggestions.jobs.run_batch"
BACKFILL_JOB = "workbench.suggestions.jobs.backfill"
#: Days of past cards a fresh database gets (the window 建议准确率 is computed over).
BACKFILL_DAYS = 14
NIGHTLY_JOB = "workbench.suggestions.jobs.nightly"


@dataclass
class RunResult:
    day: date
    cards: dict[int, Counter] = field(default_factory=dict)  # store id → cards per kind
    scored: int = 0
    failed: dict[int, str] = field(default_factory=dict)  # store id → error
    model: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "stores": len(self.cards), "scored": self.scored,
                "cards": sum(sum(c.values()) for c in self.cards.values()), "failed": len(self.failed),
                "model": self.model, "seconds": round(self.seconds, 1)}


def active_store_ids(session, store_ids: list[int] | None = None) -> list[int]:
    """Active stores (all, or those of ``store_ids``), by id."""
    query = select(Store.id).where(Store.is_active).order_by(Store.id)
    if store_ids is not None:
        query = query.where(Store.id.in_(store_ids))
    return list(session.scalars(query).all())


def batches(ids: list[int], size: int | None = None) -> list[list[int]]:
    """``ids`` in consecutive chunks of ``size`` (default ``BATCH_SIZE``)."""
    size = size or BATCH_SIZE
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def run_for_day(session, day: date, store_ids: list[int] | None = None, *, method: str = DEFAULT_METHOD,
                score: bool = True, progress=None) -> RunResult:
    """Score ``day − 1``'s cards, then write ``day``'s cards for the stores, batch by batch.

    A store that fails is rolled back and reported; the other stores still get cards.
    """
    t0 = time.perf_counter()
    result = RunResult(day=day)
    ids = active_store_ids(session, store_ids)
    if score:
        result.scored = scoring.score_day(session, day - timedelta(days=1), ids)
        session.commit()
    catalogue = load_catalogue(session, day)
    done = 0
    for chunk in batches(ids):
        try:
            forecasts = compute_forecasts(session, chunk, day, method)
        except Exception as exc:  # even the baseline failed: these stores get no cards tonight
            session.rollback()
            log.exception("forecasts for stores %s on %s failed", chunk, day)
            result.failed.update({s: f"forecast: {type(exc).__name__}: {exc}" for s in chunk})
            continue
        result.model = forecasts.method if forecasts is not None else (result.model or "average")
        for store_id in chunk:
            try:
                cards = engine.generate_for_store(session, store_id, day, forecasts, catalogue)
                session.commit()
            except Exception as exc:
                session.rollback()
                log.exception("suggestions for store %s on %s failed", store_id, day)
                result.failed[store_id] = f"{type(exc).__name__}: {exc}"
                continue
            result.cards[store_id] = Counter(c.kind for c in cards)
            done += 1
            if progress:
                progress(done, len(ids))
    result.seconds = time.perf_counter() - t0
    return result


def run_batch(day: str, store_ids: list[int], method: str = DEFAULT_METHOD, *, job_id: str | None = None) -> dict:
    """RQ job: the cards of one batch of stores (yesterday was scored by ``nightly``)."""
    result = run_for_day(db.session, date.fromisoformat(day), store_ids, method=method, score=False,
                         progress=lambda done, total: set_progress(job_id, 100 * done // max(total, 1)))
    if result.failed:
        log.error("suggestions batch %s: %d stores failed", store_ids, len(result.failed))
    return result.as_dict()


def fan_out(session, day: date, store_ids: list[int] | None = None, *, method: str = DEFAULT_METHOD,
            user_id: int | None = None) -> list[JobRecord]:
    """Score yesterday here, then launch one ``run_batch`` job per batch of stores.

    Each batch is its own job identity (the day and its stores), so a batch still queued
    or running is reused. Launching never commits: the caller's commit queues the batches
    (and raises ``QueueUnavailable`` should Redis refuse them).
    """
    from workbench.jobs.queue import JobSpec, launch_many

    ids = active_store_ids(session, store_ids)
    scoring.score_day(session, day - timedelta(days=1), ids)
    return launch_many([
        JobSpec(BATCH_JOB, f"今日建议 {day.isoformat()} · stores {chunk[0]}–{chunk[-1]} ({len(chunk)})",
                (day.isoformat(), chunk, method), user_id=user_id, scope=f"stores:{chunk[0]}-{chunk[-1]}",
                period=day.isoformat(), retries=1)
        for chunk in batches(ids)
    ], session=session)


def backfill(day: str, days: int = BACKFILL_DAYS, method: str = DEFAULT_METHOD, *,
             job_id: str | None = None) -> dict:
    """RQ job: the cards of the ``days`` days before ``day``, each scored against what sold.

    What a fresh database lacks: the same engine as every night (forecasts with data up
    to the day before each card day only), run day by day, so 建议准确率 has its 14 days.
    """
    target = date.fromisoformat(day)
    cards = 0
    for k, back in enumerate(range(days, 0, -1)):
        result = run_for_day(db.session, target - timedelta(days=back), method=method)
        cards += sum(sum(c.values()) for c in result.cards.values())
        set_progress(job_id, 100 * (k + 1) // (days + 1))
    scored = scoring.score_day(db.session, target - timedelta(days=1))
    db.session.commit()
    return {"day": target.isoformat(), "days": days, "cards": cards, "scored": scored}


def launch_backfill(session, day: date, user_id: int | None = None):
    """Launch ``backfill`` when none of the ``BACKFILL_DAYS`` days before ``day`` has cards; the record or None.

    The caller's commit queues it."""
    from workbench.jobs.queue import launch

    first = day - timedelta(days=BACKFILL_DAYS)
    if session.scalar(select(Suggestion.id).where(Suggestion.for_date >= first, Suggestion.for_date < day).limit(1)):
        return None
    return launch(BACKFILL_JOB, f"今日建议 {first.isoformat()} … {(day - timedelta(days=1)).isoformat()}",
                  day.isoformat(), user_id=user_id, period=day.isoformat(), session=session)


def nightly(day: str | None = None, method: str = DEFAULT_METHOD, *, job_id: str | None = None) -> dict:
    """RQ job the cron enqueues: today's (Shanghai) cards for every active store, fanned out."""
    target = date.fromisoformat(day) if day else local_today()
    records = fan_out(db.session, target, method=method)
    db.session.commit()  # queues the batches
    return {"day": target.isoformat(), "batches": len(records), "jobs": [r.id for r in records]}


def schedule(scheduler, queue_name: str) -> None:
    """Register the nightly run at 05:00 Asia/Shanghai on ``scheduler`` (``workbench.jobs.cron``)."""
    from workbench.jobs.runner import run_job

    # Enqueued through run_job so the nightly function runs inside an app context.
    scheduler.register(run_job, queue_name, args=(NIGHTLY_JOB,), cron=CRON, job_timeout=1800,
                       name="suggestions-nightly")
