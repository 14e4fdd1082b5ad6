"""Background jobs about commission: closing a month for every store, on HQ's word or the cron's."""

from __future__ import annotations

from datetime import date

from workbench.commission import periods
from workbench.commission.statements import close_period
from workbench.commission.states import CloseRefused, close_check
from workbench.extensions import db
from workbench.formatting import local_today
from workbench.jobs.runner import set_progress
from workbench.types import utcnow

#: 00:05 Asia/Shanghai (16:05 UTC, the time zone rq's cron works in), every day.
CLOSE_CRON = "5 16 * * *"
CLOSE_DUE_JOB = "workbench.commission.jobs.close_last_month"


class CloseMonthRefused(RuntimeError):
    """The month could not be closed (still running, or an earlier month is open); the job fails with why."""


def close_month_job(period: str, *, job_id: str | None = None) -> dict:
    """Close ``period`` for every active store with a plan (already closed stores are left alone).

    One transaction: either every store's statement is stored, or none.
    """
    set_progress(job_id, 5)
    try:
        result = close_period(db.session, period, utcnow())
    except CloseRefused as exc:
        db.session.rollback()
        what = {"running": "the month has not ended yet", "gap": f"close {exc.detail} first"}.get(exc.reason, "")
        raise CloseMonthRefused(f"{period}: {what or exc}") from None
    db.session.commit()
    return {"stores": result.stores, "lines": result.lines, "commission_fen": result.commission_fen,
            "already_closed": result.already_closed, "without_plan": result.without_plan, "period": period}


def preview_plan_job(plan_id: int, book: dict, now: str, *, job_id: str | None = None) -> dict:
    """The plan editor's preview for a large plan, off the web request; reads only."""
    from datetime import datetime

    from workbench.commission import plan_editor

    set_progress(job_id, 5)
    result = plan_editor.preview(db.session, plan_id, plan_editor.book_from_json(book), datetime.fromisoformat(now))
    db.session.rollback()
    return {"plan_id": plan_id, "preview": plan_editor.preview_to_json(result)}


def close_last_month(today: str | None = None, *, job_id: str | None = None) -> dict:
    """What the cron runs at 00:05 each night: close the month before today's (Shanghai).

    Every night, not only on the 1st: a close that failed (an earlier month left open, the
    database away) is tried again the next night until HQ sees to it, and once every store
    is closed the night's run is one query. Stores HQ already closed are left alone.
    """
    day = date.fromisoformat(today) if today else local_today()
    period = periods.preceding(periods.of(day))
    if close_check(db.session, period, day) == "nothing":
        db.session.rollback()
        return {"period": period, "stores": 0, "lines": 0, "commission_fen": 0, "nothing_to_do": True}
    return close_month_job(period, job_id=job_id)


def schedule(scheduler, queue_name: str) -> None:
    """Register the nightly month close on ``scheduler`` (``workbench.jobs.cron``)."""
    from workbench.jobs.runner import run_job

    # Through run_job, like every job, so it runs inside an app context.
    scheduler.register(run_job, queue_name, args=(CLOSE_DUE_JOB,), cron=CLOSE_CRON, job_timeout=1800,
                       name="commission-close")
