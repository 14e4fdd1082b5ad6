"""HQ's side of the counter: after-sales tickets (缺货/破损) to resolve.

HQ sees every store's tickets, a regional manager their region's; resolving is a
conditional UPDATE on ``status = 'open'``, so two people cannot resolve one ticket twice.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workbench.auth.decorators import staff_required
from workbench.auth.scoping import get_scoped_or_404, store_condition
from workbench.errors import refusal
from workbench.extensions import db
from workbench.orders.models import AfterSalesTicket
from workbench.pickup import tickets
from workbench.pickup.views import send_ticket_photo
from workbench.types import utcnow
from workbench.web import render, wants_fragment

bp = Blueprint("hq_aftersales", __name__)

STATUS_FILTERS = ("open", "accepted", "rejected", "all")


def _status_arg() -> str:
    status = request.values.get("status", "open")
    return status if status in STATUS_FILTERS else "open"


def _context(status: str, errors: dict[int, str] | None = None) -> dict:
    scope = store_condition(AfterSalesTicket.store_id)
    return {
        "current": status,
        "filters": STATUS_FILTERS,
        "rows": tickets.ticket_rows(db.session, scope, None if status == "all" else status),
        "counts": tickets.status_counts(db.session, scope),
        "kinds": tickets.KIND_LABELS,
        "statuses": tickets.STATUS_LABELS,
        "errors": errors or {},
        "now": utcnow(),
    }


@bp.route("/")
@staff_required
def index():
    """Tickets of the visible stores, open ones oldest first; ``status`` filters."""
    return render("pickup/hq_tickets.html", "pickup/_hq_tickets_table.html", **_context(_status_arg()))


@bp.route("/<int:ticket_id>/resolve", methods=["POST"])
@staff_required
def resolve(ticket_id: int):
    """Accept or reject with a required note; htmx gets the table back, a form post a redirect."""
    scope = store_condition(AfterSalesTicket.store_id)
    decision = request.form.get("decision")
    with refusal() as refused:
        tickets.resolve(db.session, ticket_id=ticket_id, scope=scope, decision=decision or "",
                        resolution=request.form.get("resolution", ""), actor_id=current_user.id, now=utcnow())
        db.session.commit()
        flash(_("Ticket resolved."), "success")
    status_code = refused.status
    # A bad note is shown on its row; a ticket resolved meanwhile only in the flash.
    errors = {ticket_id: refused.message} if status_code == 400 else {}
    status = _status_arg()
    if not wants_fragment() and status_code == 200:
        return redirect(url_for("hq_aftersales.index", status=status), 303)
    return render("pickup/hq_tickets.html", "pickup/_hq_tickets_table.html", status=status_code,
                  **_context(status, errors))


@bp.route("/<int:ticket_id>/photo")
@staff_required
def photo(ticket_id: int):
    """A ticket's photo for HQ, or for the regional manager of its store."""
    return send_ticket_photo(get_scoped_or_404(AfterSalesTicket, ticket_id))

