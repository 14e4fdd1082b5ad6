"""HQ's background jobs: the stores list's figures."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from workbench.extensions import db
from workbench.formatting import local_today
from workbench.hq import kpi
from workbench.jobs.runner import set_progress


def recompute_store_kpis(as_of: str | None = None, *, job_id: str | None = None) -> dict:
    """Refresh the stores list's figures for the 7 days up to yesterday (or ``as_of``)."""
    day = date.fromisoformat(as_of) if as_of else local_today() - timedelta(days=1)
    set_progress(job_id, 10)
    count = kpi.recompute(db.session, day, current_app.config["STORE_KPI_WINDOW_DAYS"])
    db.session.commit()
    return {"stores": count, "as_of": day.isoformat()}
