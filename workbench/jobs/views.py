"""The self-polling job status fragment (HTML for the page, JSON for scripts)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from workbench.errors import NotFound
from workbench.extensions import db
from workbench.jobs import kinds
from workbench.jobs.models import JobRecord
from workbench.jobs.state import refresh
from workbench.web import render, wants_json

bp = Blueprint("jobs", __name__)


@bp.app_context_processor
def _job_links() -> dict:
    return {"job_result_link": kinds.result_link, "job_retry": kinds.retry_action}


@bp.route("/<job_id>")
@login_required
def status(job_id: str):
    """A job's state, as RQ knows it; while unfinished the fragment polls itself, when done it stops."""
    record = db.session.get(JobRecord, job_id[:64])
    if record is None or record.user_id != current_user.id:
        raise NotFound()  # a job is visible to the user who started it, and nobody else
    if record.active:
        refresh(db.session, record)  # a job whose work horse died is failed, not "running" forever
        db.session.commit()
    if wants_json():
        link = kinds.result_link(record)
        return jsonify(id=record.id, kind=record.name, status=record.status, progress=record.progress,
                       error=record.error or None, result_url=link[0] if link else None,
                       retry_url=(kinds.retry_action(record) or (None,))[0])
    return render("jobs/status.html", "jobs/_status.html", job=record)
