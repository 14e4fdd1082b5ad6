"""The pickup counter, the owner's 提货 tab: the page (/store/pickup), search, 已提货, undo,
缺货/破损 reports, all under /store/pickup and built with ``url_for``.

Every action is one transaction; an htmx tap gets the member's card back (swapped in
place) with the counts out of band, a plain form post is redirected back to the counter
(PRG) with a flash. The counter's old address (/store/counter/) answers 301 to the page.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from workbench.auth.decorators import owner_required
from workbench.auth.scoping import current_store, get_scoped_or_404
from workbench.errors import refusal
from workbench.extensions import db
from workbench.orders.models import AfterSalesTicket, PickupMethod, TicketKind
from workbench.pickup import photos, search, services, tickets
from workbench.security.urls import parse_id
from workbench.types import utcnow
from workbench.web import render, wants_fragment

bp = Blueprint("pickup", __name__)
#: The counter's old address, kept so bookmarks still land on it.
moved_bp = Blueprint("pickup_moved", __name__)

PAGE = "pickup/counter.html"


def counter_labels() -> dict[str, str]:
    """The member card's words, translated once per request.

    A card is rendered for every member on the list; per-card ``_()`` calls were most of
    the page's render time (a card's ``url_for`` calls cost a few µs each).
    """
    labels = g.get("_counter_labels")
    if labels is None:
        labels = g._counter_labels = {
            "phone_tail": _("Phone ending in %(tail)s"),
            "pickup_code": _("Pickup code"),
            "overdue": _("Overdue"),
            "report": _("Short / damaged"),
            "reported": _("%(n)s reported"),
            "waiting_since": _("Waiting since %(at)s"),
            "picked_up": _("Picked up"),
            "ticked": _("(%(n)s ticked)"),
            "picked_today": _("Picked up today: %(n)s orders"),
            "undo_over": _("Undo time is over"),
            "undo": _("Undo"),
        }
    return labels


@bp.app_context_processor
def _card_labels() -> dict:
    return {"counter_labels": counter_labels}


def _page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 1000))
    except ValueError:
        return 1


def counter_context(query: str = "", page: int = 1, counts: bool = True) -> dict:
    """What the counter shows; ``counts=False`` for fragments that do not show them."""
    store = current_store()
    now = utcnow()
    ctx = {"store": store, "tab": "pickup", "now": now, "q": query, "result": None, "listing": None}
    if search.normalise(query):
        ctx["result"] = search.search(db.session, store.id, query, now)
        if counts:
            ctx["counts"] = services.counter_counts(db.session, store.id, now)
    else:
        ctx["listing"] = services.counter_page(db.session, store.id, now, page)
        ctx["counts"] = ctx["listing"].counts
    return ctx


@bp.route("")
@owner_required
def index():
    """提货: the counter page, or (htmx) its content."""
    return render(PAGE, "pickup/_counter.html", **counter_context(request.args.get("q", ""), _page_arg()))


@moved_bp.route("/store/counter/")
@owner_required
def moved():
    """The counter used to answer here too; one address now (still an owner's page: staff get 403)."""
    return redirect(url_for("pickup.index", **request.args), 301)


@bp.route("/search")
@owner_required
def find():
    """Search as you type: htmx gets the results region; without JS the whole page."""
    # Typing searches on every keystroke: the fragment skips the counts it does not show.
    ctx = counter_context(request.args.get("q", ""), _page_arg(), counts=not wants_fragment())
    return render(PAGE, "pickup/_results.html", **ctx)


@bp.route("/more")
@owner_required
def more():
    """The next page of waiting members, appended under the list."""
    ctx = counter_context("", _page_arg())
    return render(PAGE, "pickup/_listing_page.html", **ctx)


def _card_response(member_id: int, status: int = 200, method: str = PickupMethod.MANUAL):
    store = current_store()
    now = utcnow()
    cards = services.member_cards(db.session, store.id, [member_id], now)
    counts = services.counter_counts(db.session, store.id, now)
    return render(PAGE, "pickup/_card_swap.html", status=status, store=store, member=cards[0] if cards else None,
                  member_id=member_id, counts=counts, method=method, now=now)


def _back_to_counter():
    return redirect(url_for("pickup.index", q=request.form.get("q", "")) if request.form.get("q")
                    else url_for("pickup.index"), 303)


def _selected_order_ids() -> list[int] | None:
    """``None`` = every waiting order of the member; else the ticked ones (partial pickup)."""
    if request.form.get("scope") != "selected":
        return None
    ids = [parse_id(v) for v in request.form.getlist("order_id")]
    if None in ids:
        abort(400)  # not a number, or past any id (an int too large for the database)
    return ids


@bp.route("/members/<int:member_id>/pickup", methods=["POST"])
@owner_required
def hand_over(member_id: int):
    """已提货: the member's waiting orders (or the ticked ones) are picked up, in one transaction."""
    store = current_store()
    method = request.form.get("method", PickupMethod.MANUAL)
    with refusal() as refused:  # a refusal is flashed and the card answers with its status
        try:
            result = services.verify(db.session, store_id=store.id, member_id=member_id,
                                     order_ids=_selected_order_ids(), actor_id=current_user.id, method=method,
                                     now=utcnow())
            db.session.commit()
        except IntegrityError:
            # Another device's verification reached the unique index first.
            raise services.PickupRefused(services.already_picked_message()) from None
        message = _("Handed over %(n)s orders. You can undo this for 5 minutes.", n=len(result.moved))
        if result.refused:
            message += " " + " ".join(result.refused)
        flash(message, "success")
    if not wants_fragment():
        return _back_to_counter()
    return _card_response(member_id, refused.status, method)


@bp.route("/undo/<int:verification_id>", methods=["POST"])
@owner_required
def undo(verification_id: int):
    """撤销: the whole tap goes back to waiting, within 5 minutes of it."""
    store = current_store()
    member_id = None
    with refusal() as refused:
        result = services.undo(db.session, store_id=store.id, verification_id=verification_id,
                               actor_id=current_user.id, now=utcnow())
        db.session.commit()
        member_id = result.member_id
        flash(_("Undone: %(n)s orders are waiting for pickup again.", n=len(result.order_ids)), "success")
    if not wants_fragment():
        return _back_to_counter()
    if member_id is None:
        member_id = services.member_of_verification(db.session, store.id, verification_id)
    return _card_response(member_id, refused.status)


# ------------------------------------------------------------------ 缺货 / 破损


def _report_form(item_id: int, status: int = 200, error: tickets.TicketError | None = None):
    store = current_store()
    try:
        target = tickets.report_target(db.session, store.id, item_id)
    except tickets.TicketNotFound:
        abort(404)
    values = request.form if request.method == "POST" else {}
    response = render("pickup/report.html", "pickup/_report_form.html", status=status, store=store, tab="pickup",
                      target=target, error=error, values=values, kinds=tickets.KIND_LABELS)
    if error is not None and wants_fragment():
        # The form posts to the member's card; a refused report goes back into its slot.
        response.headers["HX-Retarget"] = f"#report-{target.member_id}"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


@bp.route("/items/<int:item_id>/report", methods=["GET", "POST"])
@owner_required
def report(item_id: int):
    """GET: the small 缺货/破损 form for one order line. POST: open an after-sales ticket,
    the photo checked and re-encoded first, then one transaction."""
    if request.method == "GET":
        return _report_form(item_id)
    store = current_store()
    folder = current_app.config["UPLOAD_FOLDER"]
    stored = ""
    try:
        tickets.report_target(db.session, store.id, item_id)  # 404 before reading the photo
        try:
            quantity = int(request.form.get("quantity", ""))
        except ValueError:
            raise tickets.TicketError(_("Please enter the quantity as a whole number."), "quantity") from None
        upload = request.files.get("photo")
        if upload is not None and upload.filename:
            jpeg = photos.reencode(upload.stream.read(photos.MAX_BYTES + 1))
            stored = photos.store_photo(folder, store.id, jpeg)
        ticket = tickets.open_ticket(db.session, store_id=store.id, item_id=item_id,
                                     kind=request.form.get("kind", ""), quantity=quantity,
                                     note=request.form.get("note", ""), photo=stored, actor_id=current_user.id,
                                     now=utcnow())
        db.session.commit()
    except tickets.TicketNotFound:
        db.session.rollback()
        abort(404)
    except (tickets.TicketError, photos.PhotoRejected) as exc:
        db.session.rollback()
        photos.remove_photo(folder, stored)
        error = exc if isinstance(exc, tickets.TicketError) else tickets.TicketError(str(exc.message), "photo")
        return _report_form(item_id, 400, error)
    except Exception:
        db.session.rollback()
        photos.remove_photo(folder, stored)  # no ticket, no orphan file
        raise
    kind = tickets.KIND_LABELS[TicketKind(ticket.kind)]
    flash(_("Reported (%(kind)s). HQ will look at it; you can see it under after-sales.", kind=kind), "success")
    if not wants_fragment():
        return _back_to_counter()
    return _card_response(ticket.order.member_id)


# ------------------------------------------------------------------ photos


#: Shown for a ticket without a photo: an answer, not a broken image.
NO_PHOTO_SVG = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="90" viewBox="0 0 120 90">'
    '<rect width="120" height="90" fill="#f3f5f4"/>'
    '<path d="M40 60l15-18 11 12 8-9 16 15z" fill="#cfd8d4"/><circle cx="48" cy="34" r="6" fill="#cfd8d4"/></svg>'
)


def send_ticket_photo(ticket: AfterSalesTicket):
    """The ticket's photo (already scoped by the caller), or a neutral placeholder."""
    path = photos.photo_path(current_app.config["UPLOAD_FOLDER"], ticket.photo)
    if path is None:
        response = current_app.response_class(str(NO_PHOTO_SVG), mimetype="image/svg+xml")
    else:
        response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/tickets/<int:ticket_id>/photo")
@owner_required
def ticket_photo(ticket_id: int):
    """A ticket's photo, for the store that reported it."""
    return send_ticket_photo(get_scoped_or_404(AfterSalesTicket, ticket_id))
