"""Routes of the intake blueprint: 接龙 paste and CSV import into one of the store's campaigns.

Thin: the store comes from ``current_store()`` only, campaigns are looked up scoped (another
store's campaign is a 404), every action commits once, and a source key imported meanwhile
by another request (double tap, second phone) rolls the whole action back into a 409 that
shows which lines are already in.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from workbench.auth.decorators import owner_required
from workbench.auth.scoping import current_store, get_scoped_or_404
from workbench.extensions import db
from workbench.formatting import local_time, local_today, money
from workbench.intake import csvimport, lifecycle, services
from workbench.intake.forms import CsvConfirmForm, CsvUploadForm, PasteForm
from workbench.orders import transitions
from workbench.orders.models import Campaign, CampaignStatus, OrderStatus
from workbench.security.urls import parse_id
from workbench.types import utcnow
from workbench.web import render, wants_fragment

bp = Blueprint("intake", __name__)

#: What stops a line, for the owner. Codes come from ``services`` and ``matching``.
PROBLEM_MESSAGES = {
    "member_none": _l("Member not found: choose one or enter a phone for a new member"),
    "member_ambiguous": _l("Several members match: choose one"),
    "member_conflict": _l("The name written is not the name of the member at that address: choose who it is"),
    "member_needs_phone": _l("New member: enter a phone number"),
    "member_invalid": _l("Choose a member from the list"),
    "phone_invalid": _l("The phone must be an 11-digit mobile number"),
    "product_none": _l("Product not recognised: choose one"),
    "product_ambiguous": _l("Several products match: choose one"),
    "product_invalid": _l("Choose a product of this campaign"),
    "quantity_invalid": _l("Quantity must be 1 to 999"),
    "quantity_unclear": _l("The amount written is not a whole number of this product: enter the quantity"),
    "no_items": _l("No product read: choose one"),
    "too_many_items": _l("More than 20 products on one line: only the first 20 were read. Split the line or skip it."),
}
IGNORED_LABELS = {
    "header": _l("Header"),
    "title": _l("Title"),
    "example": _l("Example line"),
    "empty": _l("Nothing to read"),
    "cancelled": _l("Says cancelled: not imported"),
    "reply": _l("Says a reply or mention: not an order"),
}
HOW_LABELS = {
    "phone": _l("by phone"),
    "fuzzy": _l("closest match"),
    "contains": _l("by partial name"),
    "alias": _l("by alias"),
    "note": _l("by the note in brackets"),
}


def _campaign(campaign_id: int) -> Campaign:
    """The store's campaign or 404 (scoping: another store's id is never found)."""
    campaign = get_scoped_or_404(Campaign, campaign_id)
    if campaign.store_id != current_store().id:
        abort(404)
    return campaign


def _is_open(campaign: Campaign) -> bool:
    return campaign.status in {s.value for s in services.OPEN_STATUSES}


def _refuse_closed(campaign: Campaign):
    """409 on the campaigns list: orders cannot come into a campaign that stopped taking them."""
    flash(_("Campaign “%(title)s” is no longer taking orders. Nothing was imported.", title=campaign.title),
          "error")
    return render("intake/index.html", "intake/_index.html", status=409, **_index_context())


def _late_unconfirmed(campaign: Campaign) -> bool:
    """Past the 截单 time the owner must tick "these orders came in before the cut-off"."""
    if lifecycle.cutoff_passed(campaign, utcnow()) and not request.form.get("late_ok"):
        flash(_("This campaign's cut-off (%(at)s) has passed. Tick “These orders came in before the cut-off” "
                "to import them anyway; nothing was imported.", at=local_time(campaign.ends_at, "%m-%d %H:%M")),
              "error")
        return True
    return False


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.replace("\r\n", "\n").strip().encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- index


def _index_context() -> dict:
    store = current_store()
    return {"store": store, "tab": "pickup", "campaigns": services.open_campaigns(db.session, store.id, local_today())}


@bp.route("/")
@owner_required
def index():
    """Choose a campaign, then paste a 接龙 or upload a CSV."""
    return render("intake/index.html", "intake/_index.html", **_index_context())


# --------------------------------------------------------------------------- 接龙 paste


def _paste_context(campaign: Campaign, form: PasteForm, preview=None) -> dict:
    store = current_store()
    ctx = services.StoreContext.load(db.session, store.id, campaign.id)
    return {"store": store, "tab": "pickup", "campaign": campaign, "form": form, "preview": preview,
            "members": sorted(ctx.member_by_id.values(), key=lambda m: m.name),
            "products": list(ctx.product_by_id.values()), "problem_messages": PROBLEM_MESSAGES,
            "ignored_labels": IGNORED_LABELS, "how_labels": HOW_LABELS, "is_open": _is_open(campaign),
            "late": lifecycle.cutoff_passed(campaign, utcnow()), "late_ok": bool(request.form.get("late_ok"))}


def _load_preview(campaign: Campaign, form: PasteForm):
    """The preview of the posted text with the posted fixes (the whole paste: counts need it)."""
    ctx = services.StoreContext.load(db.session, current_store().id, campaign.id)
    fixes = services.parse_fixes(request.form.to_dict())
    return ctx, services.build_preview(db.session, ctx, form.text.data or "", fixes)


@bp.route("/campaigns/<int:campaign_id>/paste")
@owner_required
def paste(campaign_id: int):
    """The paste box; the preview appears under it."""
    campaign = _campaign(campaign_id)
    return render("intake/paste.html", **_paste_context(campaign, PasteForm()))


@bp.route("/campaigns/<int:campaign_id>/paste/preview", methods=["POST"])
@owner_required
def paste_preview(campaign_id: int):
    """Read the paste: every line with its interpretation and what needs fixing."""
    campaign = _campaign(campaign_id)
    form = PasteForm()
    if not form.validate():
        return render("intake/paste.html", "intake/_preview.html", status=400, **_paste_context(campaign, form))
    try:
        _ctx, preview = _load_preview(campaign, form)
    except services.PasteRefused as exc:
        form.text.errors = [exc.message]
        return render("intake/paste.html", "intake/_preview.html", status=exc.status,
                      **_paste_context(campaign, form))
    status = 200
    if not any(pl.line.is_order for pl in preview.lines):
        form.text.errors = [_("No order lines found. Each line should say who and what, e.g. “12. 张姐 3栋502 蓝莓×2”.")]
        status = 400
    form.previewed.data = _text_hash(form.text.data)
    return render("intake/paste.html", "intake/_preview.html", status=status,
                  **_paste_context(campaign, form, preview))


@bp.route("/campaigns/<int:campaign_id>/paste/line", methods=["POST"])
@owner_required
def paste_line(campaign_id: int):
    """One line again, with the owner's fix applied (htmx swaps the row and the counts)."""
    campaign = _campaign(campaign_id)
    form = PasteForm()
    line_no = request.form.get("line", type=int)
    if line_no is None or not 0 < line_no < 10 ** 6:
        abort(400)
    try:
        if not form.validate():
            raise services.PasteRefused(" ".join(str(e) for e in form.text.errors)
                                        or _("The form expired. Please submit it again."))
        _ctx, preview = _load_preview(campaign, form)
    except services.PasteRefused as exc:
        # The same limits as the preview: this endpoint reads the whole paste too.
        return render("intake/paste.html", "intake/_line_error.html", status=exc.status, line_no=line_no,
                      message=exc.message, **_paste_context(campaign, form))
    line = next((pl for pl in preview.lines if pl.line.line_no == line_no), None)
    if line is None:
        abort(400)
    return render("intake/paste.html", "intake/_line_swap.html", pl=line, preview=preview,
                  **{k: v for k, v in _paste_context(campaign, form, preview).items() if k != "preview"})


@bp.route("/campaigns/<int:campaign_id>/paste/confirm", methods=["POST"])
@owner_required
def paste_confirm(campaign_id: int):
    """Create the ready lines' orders in one transaction, then show the campaign's imported orders."""
    campaign = _campaign(campaign_id)
    if not _is_open(campaign):
        return _refuse_closed(campaign)
    form = PasteForm()
    if not form.validate():
        return render("intake/paste.html", status=400, **_paste_context(campaign, form))
    try:
        ctx, preview = _load_preview(campaign, form)
    except services.PasteRefused as exc:
        form.text.errors = [exc.message]
        return render("intake/paste.html", "intake/_preview.html", status=exc.status,
                      **_paste_context(campaign, form))
    if form.previewed.data != _text_hash(form.text.data):
        flash(_("The text changed since the preview. Check the preview below, then confirm."), "error")
        form.previewed.data = _text_hash(form.text.data)
        return render("intake/paste.html", status=409, **_paste_context(campaign, form, preview))
    if not preview.ready:
        flash(_("No line is ready to import. Fix the lines marked in orange, or skip them."), "error")
        return render("intake/paste.html", status=400, **_paste_context(campaign, form, preview))
    if _late_unconfirmed(campaign):
        return render("intake/paste.html", status=409, **_paste_context(campaign, form, preview))
    try:
        result = services.import_preview(db.session, ctx, preview, actor_id=current_user.id, now=utcnow(),
                                         today=local_today())
        db.session.commit()
    except services.CannotAddMember:
        db.session.rollback()
        flash(_("New members cannot be added before the store has a compound. Ask HQ to set one up; "
                "nothing was imported."), "error")
        return render("intake/paste.html", status=409, **_paste_context(campaign, form, preview))
    except IntegrityError:
        # Another tap or phone imported some of these lines first: nothing of this action stays.
        db.session.rollback()
        _ctx, preview = _load_preview(campaign, form)
        flash(_("Some of these lines were imported at the same moment on another device. Nothing was "
                "changed by this confirm; the preview now shows which lines are already in."), "error")
        return render("intake/paste.html", status=409, **_paste_context(campaign, form, preview))
    _flash_result(result)
    return redirect(url_for("intake.orders", campaign_id=campaign.id), 303)


def _flash_result(result: services.ImportResult) -> None:
    message = _("Imported %(n)s orders, %(total)s.", n=len(result.created_codes), total=money(result.total_fen))
    if result.new_members:
        message += " " + _("%(n)s new members added.", n=result.new_members)
    if result.already:
        message += " " + _("%(n)s lines were already in.", n=result.already)
    if result.skipped:
        message += " " + _("%(n)s lines not imported (need fixing or skipped).", n=result.skipped)
    flash(message, "success")


# --------------------------------------------------------------------------- CSV


def _csv_context(campaign: Campaign, **extra) -> dict:
    store = current_store()
    return {"store": store, "tab": "pickup", "campaign": campaign, "is_open": _is_open(campaign),
            "upload_form": CsvUploadForm(), "max_rows": csvimport.MAX_ROWS,
            "late": lifecycle.cutoff_passed(campaign, utcnow()), "late_ok": bool(request.form.get("late_ok")), **extra}


def _csv_preview(campaign: Campaign, text: str) -> csvimport.CsvPreview:
    ctx = services.StoreContext.load(db.session, current_store().id, campaign.id)
    rows = csvimport.read_rows(text)
    existing = services.existing_keys(db.session, ctx.store_id, csvimport.row_keys(ctx, rows))
    return csvimport.build_csv_preview(ctx, rows, existing)


@bp.route("/campaigns/<int:campaign_id>/csv")
@owner_required
def csv_upload(campaign_id: int):
    """Upload a CSV of orders sold elsewhere."""
    campaign = _campaign(campaign_id)
    return render("intake/csv.html", **_csv_context(campaign))


@bp.route("/campaigns/<int:campaign_id>/csv/preview", methods=["POST"])
@owner_required
def csv_preview(campaign_id: int):
    """Check every row; errors are listed with the line number Excel shows."""
    campaign = _campaign(campaign_id)
    form = CsvUploadForm()
    if not form.validate():
        return render("intake/csv.html", "intake/_csv_body.html", status=400, **_csv_context(campaign))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render("intake/csv.html", "intake/_csv_body.html", status=400,
                      **_csv_context(campaign, file_error=_("Choose a CSV file first.")))
    try:
        data = upload.read(csvimport.MAX_BYTES + 1)
    finally:
        upload.close()  # a big upload is spooled to a temporary file: release it now
    try:
        text = csvimport.decode_upload(data)
        preview = _csv_preview(campaign, text)
    except csvimport.CsvRejected as exc:
        return render("intake/csv.html", "intake/_csv_body.html", status=400,
                      **_csv_context(campaign, file_error=str(exc.message)))
    csvimport.csv_drafts(preview)  # marks the rows of half-broken orders before they are shown
    confirm = CsvConfirmForm(csv_text=text)
    return render("intake/csv.html", "intake/_csv_body.html",
                  **_csv_context(campaign, preview=preview, confirm_form=confirm, filename=upload.filename))


@bp.route("/campaigns/<int:campaign_id>/csv/confirm", methods=["POST"])
@owner_required
def csv_confirm(campaign_id: int):
    """Import the valid rows in one transaction; the rows with errors are reported, not imported."""
    campaign = _campaign(campaign_id)
    if not _is_open(campaign):
        return _refuse_closed(campaign)
    form = CsvConfirmForm()
    if not form.validate():
        return render("intake/csv.html", status=400, **_csv_context(campaign, file_error=_("Upload the file again.")))
    try:
        preview = _csv_preview(campaign, form.csv_text.data)
    except csvimport.CsvRejected as exc:
        return render("intake/csv.html", status=400, **_csv_context(campaign, file_error=str(exc.message)))
    drafts, _refused = csvimport.csv_drafts(preview)
    if not drafts:
        flash(_("No row is ready to import. Correct the file and upload it again."), "error")
        return render("intake/csv.html", status=400,
                      **_csv_context(campaign, preview=preview, confirm_form=form))
    if _late_unconfirmed(campaign):
        return render("intake/csv.html", status=409, **_csv_context(campaign, preview=preview, confirm_form=form))
    try:
        result = services.import_drafts(db.session, current_store().id, campaign.id, drafts, source="csv",
                                        actor_id=current_user.id, now=utcnow(), today=local_today())
        db.session.commit()
    except services.CannotAddMember:
        db.session.rollback()
        flash(_("New members cannot be added before the store has a compound. Ask HQ to set one up; "
                "nothing was imported."), "error")
        return render("intake/csv.html", status=409, **_csv_context(campaign, preview=preview, confirm_form=form))
    except IntegrityError:
        db.session.rollback()
        preview = _csv_preview(campaign, form.csv_text.data)
        flash(_("Some of these rows were imported at the same moment on another device. Nothing was "
                "changed by this confirm; the preview now shows which rows are already in."), "error")
        return render("intake/csv.html", status=409, **_csv_context(campaign, preview=preview, confirm_form=form))
    result.already = preview.count("already")
    result.skipped = preview.count("error")
    _flash_result(result)
    return redirect(url_for("intake.orders", campaign_id=campaign.id), 303)


@bp.route("/csv-template")
@owner_required
def csv_template():
    """The columns the import reads, with two example rows."""
    return Response(csvimport.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=orders-template.csv"})


# --------------------------------------------------------------------------- imported orders


def _orders_context(campaign: Campaign) -> dict:
    store = current_store()
    orders = services.imported_orders(db.session, store.id, campaign.id)
    return {"store": store, "tab": "pickup", "campaign": campaign, "orders": orders,
            "placed": sum(1 for o in orders if o.status == OrderStatus.PLACED),
            "tickable": {o.id for o in orders if lifecycle.can_tick(campaign, o.status)},
            "grouped_campaign": campaign.status == CampaignStatus.GROUPED,
            "labels": transitions.STATUS_LABELS}


@bp.route("/campaigns/<int:campaign_id>/orders")
@owner_required
def orders(campaign_id: int):
    """The campaign's 接龙 and CSV orders, with a bulk "mark paid"."""
    campaign = _campaign(campaign_id)
    return render("intake/orders.html", "intake/_orders.html", **_orders_context(campaign))


@bp.route("/campaigns/<int:campaign_id>/orders/mark-paid", methods=["POST"])
@owner_required
def mark_paid(campaign_id: int):
    """placed → paid for the ticked orders of this campaign, → grouped when 成团 was already reached.

    Who and when go in the order events (``lifecycle.mark_paid``)."""
    campaign = _campaign(campaign_id)
    store = current_store()
    wanted = {i for v in request.form.getlist("order_id") if (i := parse_id(v)) is not None}
    status = 200
    if not wanted:
        flash(_("Tick the orders that have paid first."), "error")
        status = 400
    else:
        result = lifecycle.mark_paid(db.session, store.id, campaign, wanted, actor_id=current_user.id, now=utcnow())
        db.session.commit()
        moved = sorted(set(result.paid) | set(result.grouped))
        if result.paid:
            flash(_("%(n)s orders marked paid.", n=len(result.paid)), "success")
        if result.grouped:
            flash(_("%(n)s orders joined the group (成团 already reached): they are on the pickup day's lists.",
                    n=len(result.grouped)), "success")
        if len(moved) < len(wanted):
            flash(_("%(n)s orders were not placed any more (already paid or cancelled) and were left as they are.",
                    n=len(wanted) - len(moved)), "info" if moved else "error")
            if not moved:
                status = 409
    if not wants_fragment() and status == 200:
        return redirect(url_for("intake.orders", campaign_id=campaign.id), 303)
    return render("intake/orders.html", "intake/_orders.html", status=status, **_orders_context(campaign))
