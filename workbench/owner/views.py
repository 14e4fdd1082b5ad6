"""The owner's phone shell: 今日 / 直播 / 提货 / 收益 / 社区 (提货, the counter, lives in
``workbench.pickup``).

Each tab is a full page whose content is one fragment (``owner/_<tab>.html``); an htmx
refresh gets that fragment alone. The store comes from ``current_store()`` and nowhere
else, and its id is all the services see.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workbench.auth.decorators import owner_required
from workbench.auth.scoping import current_store, get_scoped_or_404
from workbench.commission import earnings_page
from workbench.errors import refusal
from workbench.extensions import db
from workbench.formatting import local_today
from workbench.owner import charts, services
from workbench.suggestions import accuracy, cards, decisions
from workbench.suggestions import charts as card_charts
from workbench.suggestions.models import Suggestion
from workbench.types import utcnow
from workbench.web import render, wants_fragment

bp = Blueprint("owner", __name__)


@bp.route("/today")
@owner_required
def today():
    """今日: weather, yesterday against last week, 7-day sales, expiring stock, open campaigns."""
    return render("owner/today.html", "owner/_today.html", **_today_context())


def _today_context() -> dict:
    """What 今日 shows: the store's day, today's cards and yesterday's scored against sales."""
    store = current_store()
    today = local_today()
    data = services.today_overview(db.session, store.id, today)
    chart = charts.sales_chart(data.last_7_days) if any(d.orders for d in data.last_7_days) else None
    return {
        "store": store,
        "tab": "today",
        "data": data,
        "chart": chart,
        "cards": cards.today_cards(db.session, store.id, today),
        "scored": accuracy.scored_cards(db.session, store.id, today - timedelta(days=1)),
        "rates": accuracy.store_accuracy(db.session, store.id, today),
        "reasons": cards.REASON_LABELS,
    }


@bp.route("/suggestions/<int:suggestion_id>")
@owner_required
def suggestion(suggestion_id: int):
    """One card in full: every number, every reason and a small chart."""
    store = current_store()
    s = get_scoped_or_404(Suggestion, suggestion_id)
    view = cards.card_detail(db.session, s)
    figure = cards.detail_figure(db.session, s, view)
    return render("owner/suggestion.html", "owner/_suggestion.html", store=store, tab="today", card=view,
                  chart=card_charts.detail_chart(s.kind, figure) if figure else None, reasons=cards.REASON_LABELS)


@bp.route("/suggestions/<int:suggestion_id>/accept", methods=["POST"])
@owner_required
def accept_suggestion(suggestion_id: int):
    """Accept a card; htmx gets the card back in its new state, a form post goes back to 今日."""
    return _decide(suggestion_id, accept=True)


@bp.route("/suggestions/<int:suggestion_id>/dismiss", methods=["POST"])
@owner_required
def dismiss_suggestion(suggestion_id: int):
    """Dismiss a card with a reason from the short list (``reason`` form field)."""
    return _decide(suggestion_id, accept=False, reason=request.form.get("reason"))


def _decide(suggestion_id: int, accept: bool, reason: str | None = None):
    """Record the decision; answer with the card (htmx) or a 303 to where the form was (PRG)."""
    store = current_store()
    with refusal() as refused:  # already decided (409), no reason (400): flashed, the card says why
        decisions.decide(db.session, suggestion_id, store.id, current_user.id, accept, reason)
        db.session.commit()
        flash(_("Accepted. It stays on today's list with its numbers.") if accept else
              _("Dismissed. Thank you, the reason helps the suggestions improve."), "success")
    status = refused.status
    detail = bool(request.form.get("detail"))
    if not wants_fragment():
        if status != 200:
            return render("owner/today.html", status=status, **_today_context())
        if detail:
            return redirect(url_for("owner.suggestion", suggestion_id=suggestion_id), 303)
        return redirect(url_for("owner.today", _anchor=f"card-{suggestion_id}"), 303)
    s = get_scoped_or_404(Suggestion, suggestion_id)
    view = cards.card_detail(db.session, s, reasons=None if detail else 3)
    # On 今日 the "n cards · m handled" line is refreshed out of band; the detail view has none.
    counts = None if detail else cards.today_counts(db.session, store.id, local_today())
    return render("owner/today.html", "owner/_card.html", status=status, card=view, reasons=cards.REASON_LABELS,
                  detail=detail, reason_error=status == 400, counts=counts)


@bp.route("/live")
@owner_required
def live():
    """直播: upcoming and recent live streams, and when members watch."""
    store = current_store()
    now = utcnow()
    data = services.live_overview(db.session, store.id, now)
    chart = charts.hours_chart(data.views_by_hour, data.peak_hour) if data.total_views else None
    return render("owner/live.html", "owner/_live.html", store=store, tab="live", data=data, chart=chart, now=now)


@bp.route("/earnings")
@owner_required
def earnings():
    """收益: the month's commission statement (live for the running month), its lines and tier."""
    store = current_store()
    try:
        ctx = earnings_page.earnings_context(db.session, store.id, request.args, utcnow())
    except earnings_page.UnknownPeriod as exc:
        if exc.malformed:
            abort(400, description=_("The month must look like 2026-11."))
        abort(404)
    # "Load more" asks for the next page of lines only.
    fragment = "owner/_earnings_lines.html" if request.args.get("more") else "owner/_earnings.html"
    return render("owner/earnings.html", fragment, store=store, tab="earnings", **ctx)


@bp.route("/community")
@owner_required
def community():
    """社区: compounds and buildings, member reach, top tags, reviews and NPS."""
    store = current_store()
    data = services.community_overview(db.session, store.id, local_today())
    return render("owner/community.html", "owner/_community.html", store=store, tab="community", data=data)
