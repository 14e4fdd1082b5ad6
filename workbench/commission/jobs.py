"""Background jobs about commission: closing a month for every store."""

from __future__ import annotations

from workbench.commission.statements import CloseRefused, close_period
from workbench.extensions import db
from workbench.jobs.runner import set_progress
from workbench.types import utcnow


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
