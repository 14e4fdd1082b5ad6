"""HQ and regional managers' desktop pages."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workbench.auth.decorators import hq_required, staff_required
from workbench.auth.models import Role
from workbench.extensions import db
from workbench.forecasting.jobs import BACKTEST_JOB
from workbench.formatting import local_today
from workbench.hq import nav, services
from workbench.hq import suggestions as hq_suggestions
from workbench.hq.forms import KINDS, StoreListQuery, SuggestionsQuery
from workbench.jobs import kinds
from workbench.jobs.queue import launch
from workbench.suggestions.cards import KIND_LABELS, reason_label, render_reasons
from workbench.web import render, wants_fragment

bp = Blueprint("hq", __name__)


@bp.app_context_processor
def _hq_sidebar() -> dict:
    """``hq_sidebar()`` for templates/hq/base.html, whichever blueprint renders the page."""
    return {"hq_sidebar": lambda: nav.sidebar(current_user.role, request.endpoint)}

RECOMPUTE_JOB = "workbench.hq.jobs.recompute_store_kpis"


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


kinds.register(
    RECOMPUTE_JOB,
    result=lambda job: (url_for("hq.stores"), _("Open the stores list")),
    retry=lambda job: (url_for("hq.recompute_stores"), {}),
)
kinds.register(
    BACKTEST_JOB,
    result=lambda job: (url_for("hq.suggestions"), _("Open the suggestions page")),
    retry=lambda job: (url_for("hq.run_backtest"), {}),
)


@bp.route("/stores/recompute", methods=["POST"])
@hq_required
def recompute_stores():
    """Launch the 7-day figures job and answer with its self-polling status.

    HQ only: the job refreshes every store of the brand, beyond a regional manager's
    region. Without htmx the browser is sent to the job's own status page (PRG).
    """
    return _launch("hq/stores.html", RECOMPUTE_JOB, _("Recompute the stores' 7-day figures"), url_for(".stores"),
                   _("The background queue is not available right now, so the figures were not "
                     "recomputed. Please try again in a few minutes."))


@bp.route("/suggestions/backtest", methods=["POST"])
@hq_required
def run_backtest():
    """Launch the forecast backtest on the database; answer with its self-polling status."""
    return _launch("hq/suggestions.html", BACKTEST_JOB, _("Forecast backtest on the last 28 days"),
                   url_for(".suggestions"),
                   _("The background queue is not available right now, so the backtest did not "
                     "start. Please try again in a few minutes."))


def _launch(page: str, name: str, description: str, back: str, unavailable: str):
    """Start the job (one transaction); htmx gets its self-polling status, a plain form post
    goes to the job's own page (PRG)."""
    job = launch(name, description, user_id=current_user.id, back=back, unavailable=unavailable)
    db.session.commit()  # queues the job
    if not wants_fragment():
        return redirect(url_for("jobs.status", job_id=job.id), 303)
    # A job a colleague already started cannot be polled by this user (a job is visible
    # to its starter only); say so instead of polling into a 404.
    return render(page, "jobs/_status.html", job=job, shared=job.user_id != current_user.id)


@bp.route("/suggestions")
@staff_required
def suggestions():
    """Today's suggestion cards across the visible stores, how they fare, and the latest backtests.

    The region and kind filters are GET parameters; htmx swaps only the cards table.
    """
    region_id, kind = SuggestionsQuery(request.args).params()
    user = current_user._get_current_object()
    today = local_today()
    context = {
        "today": today,
        "region_id": region_id,
        "kind": kind,
        "kinds": [(k, str(KIND_LABELS[k])) for k in KINDS],
        "regions": services.visible_regions(db.session, user) if user.role != Role.REGIONAL else [],
        "cards": hq_suggestions.todays_cards(db.session, user, today, region_id, kind),
        "first_reason": lambda reasons: (render_reasons(reasons, 1) or [""])[0],
        "reason_label": reason_label,
    }
    if wants_fragment():
        return render("hq/suggestions.html", "hq/_suggestion_cards.html", **context)
    # The 14-day figures cover every visible store (with its region beside it): the
    # filters narrow today's cards, the table htmx swaps.
    stores = hq_suggestions.store_rates(db.session, user, today)
    context.update(
        stores=stores,
        total=hq_suggestions.total_rates(stores),
        categories=hq_suggestions.category_rates(db.session, user, today),
        backtests=hq_suggestions.latest_backtests(db.session),
        push_hits=hq_suggestions.push_hit_rate(db.session, user, today),
        can_backtest=user.role in (Role.HQ, Role.ADMIN),
    )
    return render("hq/suggestions.html", **context)
