"""The self-polling job status fragment."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from workbench.extensions import db
from workbench.jobs.models import JobRecord
from workbench.web import render

bp = Blueprint("jobs", __name__)


@bp.route("/<job_id>")
@login_required
def status(job_id: str):
    """A job's state; while unfinished the fragment polls itself, when done it stops."""
    record = db.session.get(JobRecord, job_id)
    if record is None or record.user_id != current_user.id:
        abort(404)  # a job is visible to the user who started it, and nobody else
    return render("jobs/status.html", "jobs/_status.html", job=record)
