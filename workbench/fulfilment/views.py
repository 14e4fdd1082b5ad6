"""The owner's fulfilment paperwork: 采购单, 分拣单 and 配送单 for a delivery day.

Each list is a page (owner phone shell, 提货 tab) that prints on A4 or a 58/80 mm
receipt roll (``?paper=``) and downloads as CSV (``?format=csv``). The store comes from
``current_store()`` only; the services see nothing but its id.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from workbench.auth.decorators import owner_required
from workbench.auth.scoping import current_store
from workbench.extensions import db
from workbench.formatting import local_today
from workbench.fulfilment import exports, lists
from workbench.fulfilment.forms import ListQuery
from workbench.types import utcnow
from workbench.web import render

bp = Blueprint("fulfilment", __name__)

#: The three lists: URL segment, page title (msgid) and what the CSV file is called.
KINDS = ("purchase", "sorting", "slips")


def csv_response(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # member names: never kept by a proxy
    return response


def _context(kind: str) -> tuple[dict, int]:
    """Everything a list page needs, and its status (400 with the reasons on a bad query)."""
    store = current_store()
    query = ListQuery(request.args)
    problems = query.problems()
    day = query.day.data if query.day.data and not query.day.errors else None
    if day is None:
        day = lists.default_day(db.session, [store.id], local_today())
    ctx = {
        "store": store, "tab": "pickup", "kind": kind, "day": day, "problems": problems,
        "paper": query.paper.data if query.paper.data and not query.paper.errors else "a4",
        "by": query.by.data if query.by.data and not query.by.errors else "product",
        "order": query.order.data if query.order.data and not query.order.errors else "building-room-product",
        "as_csv": query.format.data == "csv" and not problems,
        "now": utcnow(),
    }
    if problems:
        return ctx, 400
    lines = lists.batch_lines(db.session, [store.id], day)
    ctx["lines"] = lines
    ctx["summary"] = lists.summarise(lines, day, lists.picked_up_count(db.session, [store.id], day))
    return ctx, 200


def _page(kind: str, build, to_csv):
    ctx, status = _context(kind)
    if status == 200:
        ctx["data"] = build(ctx)
        if ctx["as_csv"]:
            return csv_response(to_csv(ctx["data"]), exports.filename(kind, ctx["day"]))
    return render(f"fulfilment/{kind}.html", f"fulfilment/_{kind}.html", status=status, **ctx)


@bp.route("/")
@owner_required
def index():
    """The day's batch at a glance and the three lists to open, print or download."""
    ctx, status = _context("index")
    return render("fulfilment/index.html", "fulfilment/_index.html", status=status, **ctx)


@bp.route("/purchase")
@owner_required
def purchase():
    """采购单: per supplier, each SKU's total and its quantity per pickup point."""
    return _page("purchase", lambda c: lists.purchase_list(c["lines"]), exports.purchase_csv)


@bp.route("/sorting")
@owner_required
def sorting():
    """分拣单: per pickup point, by product, by building and room, or by member (``?by=``)."""
    return _page("sorting", lambda c: lists.sorting_list(c["lines"], c["by"]), exports.sorting_csv)


@bp.route("/slips")
@owner_required
def slips():
    """配送单: one slip per building (or product), sorted as ``?order=`` says, cut lines between."""
    return _page("slips", lambda c: lists.delivery_slips(c["lines"], c["order"]), exports.slips_csv)


def labels() -> dict:
    """Names of the sort options, for the pages' chips (msgids extracted from here)."""
    return {
        "purchase": _("Purchase list"), "sorting": _("Sorting list"), "slips": _("Delivery slips"),
        "by": {"product": _("By product"), "building": _("By building and room"), "member": _("By member")},
        "order": {"product-building-room": _("Product · building · room"),
                  "building-product-room": _("Building · product · room"),
                  "building-room-product": _("Building · room · product")},
        "paper": {"a4": _("A4"), "80": _("80 mm receipt"), "58": _("58 mm receipt")},
    }


@bp.app_context_processor
def _fulfilment_labels():
    # Only computed when a template asks for it.
    return {"fulfilment_labels": labels}
