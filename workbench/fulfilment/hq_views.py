"""HQ's side of fulfilment: mark a pickup point's goods packed, shipped or arrived.

Also HQ's purchase list across stores. HQ and admins see every store, regional managers
their region's (``visible_stores``); a pickup point outside them is a 404.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workbench.auth.decorators import staff_required
from workbench.auth.scoping import visible_stores
from workbench.extensions import db
from workbench.formatting import local_today
from workbench.fulfilment import exports, lists, marking
from workbench.fulfilment.forms import ListQuery, MarkForm
from workbench.fulfilment.views import csv_response
from workbench.outbox import dispatch, notices
from workbench.stores.models import Store
from workbench.types import utcnow
from workbench.web import render, wants_fragment

bp = Blueprint("hq_fulfilment", __name__)


def _store_ids() -> list[int]:
    # Ids only: loading 200 Store objects for their ids cost more than the query.
    return list(db.session.scalars(visible_stores(current_user._get_current_object()).with_only_columns(Store.id)))


def _day_and_problems(store_ids: list[int]):
    query = ListQuery(request.args)
    problems = query.problems()
    day = query.day.data if query.day.data and not query.day.errors else None
    return day or lists.default_day(db.session, store_ids, local_today()), problems, query


@bp.route("/")
@staff_required
def index():
    """The day's pickup points with their counts per status, and the mark buttons."""
    store_ids = _store_ids()
    day, problems, _query = _day_and_problems(store_ids)
    rows = [] if problems else marking.point_rows(db.session, store_ids, day)
    return render("fulfilment/hq_index.html", "fulfilment/_hq_table.html", status=400 if problems else 200,
                  day=day, rows=rows, problems=problems, marks=mark_labels())


def mark_labels() -> dict[str, str]:
    return {"packed": _("Mark packed"), "shipped": _("Mark shipped"), "arrived": _("Mark arrived")}


def _summary(result: marking.MarkResult) -> str:
    n = len(result.moved)
    if result.mark == "packed":
        return _("Packed: %(n)s orders.", n=n)
    if result.mark == "shipped":
        return _("Shipped: %(n)s orders.", n=n)
    text = _("Arrived: %(n)s orders; %(m)s arrival reminders", n=n, m=result.notices - result.opted_out)
    notes = []
    if result.opted_out:
        notes.append(_("%(n)s members turned reminders off", n=result.opted_out))
    if result.delayed:
        notes.append(_("reminders written between 21:00 and 08:00 go out at 8:00"))
    return text + ("（" + "，".join(notes) + "）" if notes else "。")


@bp.route("/mark", methods=["POST"])
@staff_required
def mark():
    """Mark the chosen pickup points (repeated ``target`` = ``<store>-<point>``) one step on.

    One transaction: the moves, their events and the reminders commit together, then the
    sender is kicked. htmx gets the table (or, for one ``row``, that row) back.
    """
    form = MarkForm(request.form)
    store_ids = _store_ids()
    status = 200
    try:
        targets = [marking.parse_target(t) for t in request.form.getlist("target")]
    except ValueError:
        targets = None
    if not form.validate() or not targets:
        if form.day.errors:
            message = _("Choose the delivery day.")
        elif form.status.errors:
            message = _("Choose what to mark: packed, shipped or arrived.")
        else:
            message = _("Choose at least one pickup point.")
        flash(message, "error")
        status = 400
        day = form.day.data if form.day.data and not form.day.errors else local_today()
    else:
        day = form.day.data
        now = utcnow()
        # A pickup point outside the user's stores is a 404 (TargetNotVisible, a NotFound).
        result = marking.mark(db.session, store_ids, day, targets, form.status.data,
                              actor_id=current_user.id, now=now)
        if result.moved:
            db.session.commit()
            if result.notices:
                dispatch.kick(notices.next_send_time(now))
            flash(_summary(result), "success")
        else:
            db.session.rollback()
            status = 409
            flash(_("Nothing to mark: no orders of these pickup points are waiting for this step "
                    "(perhaps they were marked already). Nothing was changed."), "info")
    if not wants_fragment():
        if status == 200:
            return redirect(url_for(".index", day=day.isoformat()), 303)
        rows = marking.point_rows(db.session, store_ids, day)
        return render("fulfilment/hq_index.html", status=status, day=day, rows=rows,
                      problems=[], marks=mark_labels())
    only = None
    if request.form.get("row") and targets and len(targets) == 1:
        only = set(targets)
    rows = marking.point_rows(db.session, store_ids, day, only=only)
    if only is not None:
        if not rows:  # the row emptied (e.g. all refunded meanwhile): render a placeholder
            return render("fulfilment/hq_index.html", "fulfilment/_hq_gone.html", status=status, day=day)
        return render("fulfilment/hq_index.html", "fulfilment/_hq_row.html", status=status, day=day,
                      row=rows[0], marks=mark_labels())
    return render("fulfilment/hq_index.html", "fulfilment/_hq_table.html", status=status,
                  day=day, rows=rows, problems=[], marks=mark_labels())


@bp.route("/purchase")
@staff_required
def purchase():
    """HQ's purchase list for a day across the visible stores: per supplier, SKU totals by point."""
    store_ids = _store_ids()
    day, problems, query = _day_and_problems(store_ids)
    paper = query.paper.data if query.paper.data and not query.paper.errors else "a4"
    ctx = {"day": day, "problems": problems, "paper": paper, "now": utcnow(),
           "kind": "hq_purchase"}
    if problems:
        return render("fulfilment/hq_purchase.html", status=400, **ctx)
    data, stores = lists.purchase_totals(db.session, store_ids, day)
    if query.format.data == "csv":
        return csv_response(exports.purchase_csv(data, with_store=True), exports.filename("purchase-hq", day))
    return render("fulfilment/hq_purchase.html", data=data, stores=stores, **ctx)
