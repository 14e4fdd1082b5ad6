"""HQ and regional managers' desktop pages."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workbench.auth.decorators import hq_required, staff_required
from workbench.auth.models import Role
from workbench.extensions import db
from workbench.hq import services
from workbench.hq.forms import StoreListQuery
from workbench.jobs.queue import QueueUnavailable, launch
from workbench.web import render, wants_fragment

bp = Blueprint("hq", __name__)

RECOMPUTE_JOB = "workbench.stores.jobs.recompute_store_kpis"


def _list_context() -> dict:
    query = StoreListQuery(request.args)
    region_id, sort, descending = query.params()
    user = current_user._get_current_object()
    table = services.store_table(db.session, user, region_id, sort, descending)
    # Regional managers see one region: a filter would offer nothing to choose.
    regions = services.visible_regions(db.session, user) if user.role != Role.REGIONAL else []
    return {
        "table": table,
        "regions": regions,
        "region_id": region_id,
        "sort": sort,
        "descending": descending,
        "can_recompute": user.role in (Role.HQ, Role.ADMIN),
    }


@bp.route("/stores")
@staff_required
def stores():
    """The stores the user may see with their 7-day figures; sort and region filter via GET."""
    return render("hq/stores.html", "hq/_table.html", **_list_context())


@bp.route("/stores/recompute", methods=["POST"])
@hq_required
def recompute_stores():
    """Launch the 7-day figures job and answer with its self-polling status.

    HQ only: the job refreshes every store of the brand, beyond a regional manager's
    region. Without htmx the browser is sent to the job's own status page (PRG).
    """
    try:
        job = launch(RECOMPUTE_JOB, _("Recompute the stores' 7-day figures"), user_id=current_user.id)
    except QueueUnavailable:
        message = _("The background queue is not available right now, so the figures were not recomputed. "
                    "Please try again in a few minutes.")
        if wants_fragment():
            return render("hq/stores.html", "hq/_job_error.html", status=503, message=message)
        return render("hq/stores.html", status=503, job_error=message, **_list_context())
    if not wants_fragment():
        return redirect(url_for("jobs.status", job_id=job.id), 303)
    # A recompute a colleague already started cannot be polled by this user (a job is
    # visible to its starter only); say so instead of polling into a 404.
    return render("hq/stores.html", "jobs/_status.html", job=job, shared=job.user_id != current_user.id)
