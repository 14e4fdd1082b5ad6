"""HQ's commission pages: month settlement, disputes, adjustments, and the plan editor.

Who may do what: HQ and admins everything; a regional manager sees the stores of their
region, may resolve those stores' disputes and enter their adjustments, but cannot
confirm, pay, close a month or edit plans (403). Every list goes through
``store_condition``, every id from a form is looked up within it.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workbench import streaming
from workbench.auth.decorators import hq_required, staff_required
from workbench.auth.models import Role
from workbench.auth.scoping import get_scoped_or_404, store_condition
from workbench.catalog.models import Category, Product
from workbench.commission import lifecycle, periods, plan_editor, settlement, states
from workbench.commission.books import version_on
from workbench.commission.forms import (
    AdjustmentForm,
    ConfirmForm,
    DisputeResolutionForm,
    LinesQuery,
    MonthForm,
    PayForm,
    SettlementFilters,
    id_or_none,
)
from workbench.commission.models import CommissionPlan
from workbench.commission.refusals import FieldErrors, Refusals
from workbench.commission.report import fill_names, statement_report
from workbench.commission.states import LifecycleError
from workbench.errors import Conflict, Invalid, refusal
from workbench.extensions import db
from workbench.hq import services as hq_services
from workbench.jobs import kinds
from workbench.jobs.models import JobRecord, JobStatus
from workbench.jobs.queue import launch
from workbench.jobs.state import refresh
from workbench.stores.models import Store
from workbench.timeutil import local_day
from workbench.types import utcnow
from workbench.web import render, wants_fragment

bp = Blueprint("hq_commission", __name__)

CLOSE_JOB = "workbench.commission.jobs.close_month_job"
PREVIEW_JOB = "workbench.commission.jobs.preview_plan_job"


def _user():
    return current_user._get_current_object()


def _can_settle() -> bool:
    return current_user.role in (Role.HQ, Role.ADMIN)


def _visible():
    return store_condition(Store.id, _user())


def _today():
    return local_day(utcnow())


def _month(form: MonthForm, fallback: str | None = None) -> str:
    """The form's month, else ``fallback`` (the default month of a page); without one (a POST)
    a missing or bad month is a 400."""
    month = form.month()
    if month is not None:
        return month
    if fallback is not None:
        return fallback
    abort(400, description=_("Choose a month like 2026-10."))


# ------------------------------------------------------------------ settlement


REASONS = {
    "not_found": lambda: _("not found in this month"),
    "already_confirmed": lambda: _("already confirmed"),
    "already_paid": lambda: _("already paid"),
    "open_disputes": lambda: _("open disputes must be resolved first"),
    "changed": lambda: _("changed meanwhile, reload the page"),
    "not_confirmed": lambda: _("not confirmed yet"),
    "after_sales_window": lambda: _("lines still inside the after-sales window"),
}


def _filters(form: SettlementFilters) -> tuple[int | None, str | None]:
    """(region id, status) from the query string or a form's filter_* fields; bad values mean "all".

    A regional manager sees one region: no region filter for them.
    """
    return (form.region_id() if current_user.role != Role.REGIONAL else None), form.row_status()


def _settlement_context(period: str | None = None, filters: SettlementFilters | None = None) -> dict:
    user = _user()
    today = _today()
    visible = _visible()
    filters = SettlementFilters(request.args) if filters is None else filters
    if period is None:
        period = _month(filters, settlement.default_period(db.session, visible, today))
    region_id, status = _filters(filters)
    data = settlement.settlement(db.session, period, visible, today, region_id=region_id, status=status)
    last_month = periods.preceding(periods.of(today))
    unclosed_last_month = False
    if period != last_month and _can_settle():
        unclosed_last_month = settlement.settlement(db.session, last_month, visible, today).can_close
    return {
        "period": period,
        "periods": settlement.recent_periods(db.session, today),
        "data": data,
        "disputes": settlement.open_disputes(db.session, period, visible, region_id),
        "region_id": region_id,
        "row_status": status,
        "regions": hq_services.visible_regions(db.session, user) if user.role != Role.REGIONAL else [],
        "can_settle": _can_settle(),
        "last_month": last_month,
        "unclosed_last_month": unclosed_last_month,
        "today": today,
    }


@bp.route("/")
@staff_required
def index():
    """The month's statements across the visible stores, with totals, filters and open disputes."""
    return render("hq/commission/settlement.html", "hq/commission/_settlement.html", **_settlement_context())


def _ticked(form: ConfirmForm) -> list[int]:
    """The ticked statements' ids; a value that is not an id is a 400 (the page never sends one)."""
    if not form.statement_id.validate(form):
        abort(400, description=str(form.statement_id.errors[0]))
    return form.statement_id.ids


def _report_bulk(result: settlement.BulkResult, done_message: str) -> None:
    if result.done:
        flash(done_message % {"n": len(result.done)}, "success")
    by_reason: dict[str, list[str]] = defaultdict(list)
    for code, reason in result.skipped:
        by_reason[reason].append(code)
    for reason, codes in by_reason.items():
        shown = "、".join(codes[:12]) + ("…" if len(codes) > 12 else "")
        why = REASONS.get(reason, REASONS["changed"])()
        flash(_("Skipped %(n)s: %(why)s (%(stores)s).", n=len(codes), why=why, stores=shown),
              "error")


def _after_action(period: str, form: SettlementFilters, status: int = 200):
    """htmx: the refreshed table (flashes ride along); a plain form: back to the page (PRG),
    or the page itself with the error status when the request was refused."""
    if not wants_fragment() and status < 400:
        region_id, row_status = _filters(form)
        args = {k: v for k, v in (("period", period), ("status", row_status), ("region", region_id)) if v}
        return redirect(url_for(".index", **args), 303)
    return render("hq/commission/settlement.html", "hq/commission/_settlement.html", status=status,
                  **_settlement_context(period, form))


@bp.route("/confirm", methods=["POST"])
@hq_required
def confirm():
    """Confirm the ticked statements; each one that cannot be is reported with why."""
    form = ConfirmForm(request.form)
    period = _month(form)
    ids = _ticked(form)
    if not ids:
        flash(_("Tick the stores to confirm first."), "error")
        return _after_action(period, form, 400)
    result = settlement.bulk_confirm(db.session, period, ids, _visible(), current_user.id, utcnow())
    db.session.commit()
    _report_bulk(result, _("Confirmed %(n)s statements."))
    return _after_action(period, form)


@bp.route("/pay", methods=["POST"])
@hq_required
def pay():
    """Mark the ticked statements paid with the payment reference (bank transfer number)."""
    form = PayForm(request.form)
    period = _month(form)
    ids = _ticked(form)
    if not ids:
        flash(_("Tick the stores to mark as paid first."), "error")
        return _after_action(period, form, 400)
    if not form.payment_ref.validate(form):
        flash(str(form.payment_ref.errors[0]), "error")
        return _after_action(period, form, 400)
    result = settlement.bulk_pay(db.session, period, ids, form.payment_ref.data, _visible(), current_user.id,
                                 utcnow())
    db.session.commit()
    _report_bulk(result, _("Marked %(n)s statements as paid."))
    return _after_action(period, form)


@bp.route("/export.csv")
@staff_required
def export():
    """The month's stored lines of the visible stores, as ``flask commission export`` writes them.

    UTF-8 with a BOM so Excel reads the Chinese names. Streamed in chunks: a month of 200
    busy stores is ~80 MB of CSV.
    """
    today = _today()
    visible = _visible()
    filters = SettlementFilters(request.args)
    period = _month(filters, settlement.default_period(db.session, visible, today))
    region_id = _filters(filters)[0]

    def produce(session):
        # The stream's own session (see workbench.streaming): the request's is gone by the
        # time the server asks for the second chunk.
        for chunk in settlement.export_csv(settlement.export_rows(session, period, visible, today, region_id)):
            yield chunk.encode()

    return streaming.stream(produce, mimetype="text/csv", prefix="\ufeff".encode(),
                            headers={"Content-Disposition": f'attachment; filename="commission-{period}.csv"'})


kinds.register(
    CLOSE_JOB,
    result=lambda job: (url_for("hq_commission.index", period=job.period), _("Open the month")),
    retry=lambda job: (url_for("hq_commission.close_month"), {"period": job.period}),
)


def _close_refusal(period: str, why: str | None) -> str | None:
    if why == "running":
        return _("%(month)s has not ended yet: it can be closed from the 1st of the next month.", month=period)
    if why == "nothing":
        return _("Every store with a commission plan is already closed for %(month)s.", month=period)
    if why and why.startswith("gap:"):
        return _("Close %(before)s first: months close in order, so refunds land on the next statement.",
                 before=why[4:].split(":")[0].strip())
    return None


@bp.route("/close", methods=["POST"])
@hq_required
def close_month():
    """Queue closing the month for every store; refusals are explained before anything is queued."""
    period = _month(MonthForm(request.form))
    back = url_for(".index", period=period)
    message = _close_refusal(period, states.close_check(db.session, period, _today()))
    if message is not None:
        raise Conflict(message, fragment="jobs/_error.html", back=back)
    job = launch(CLOSE_JOB, _("Close %(month)s for every store", month=period), period,
                 user_id=current_user.id, period=period, back=back,
                 unavailable=_("The background queue is not available right now, so the month was not closed. "
                               "Please try again in a few minutes."))
    db.session.commit()  # queues the job
    if not wants_fragment():
        return redirect(url_for("jobs.status", job_id=job.id), 303)
    return render("hq/commission/settlement.html", "jobs/_status.html", job=job,
                  shared=job.user_id != current_user.id)


# ------------------------------------------------------------------ disputes


def _dispute_or_404(dispute_id: int) -> settlement.DisputeRow:
    row = settlement.dispute_row(db.session, dispute_id, _visible())
    if row is None:
        abort(404)
    return row


#: Each refusal is a 400 on the dispute's item.
RESOLVE_REFUSALS = Refusals({
    "already_resolved": (Invalid, _l("A colleague resolved this dispute a moment ago.")),
    "final": (Invalid, _l("The statement is already confirmed; adjust next month instead.")),
}, other=(Invalid, _l("This dispute cannot be resolved now.")))


@bp.route("/disputes/resolve", methods=["POST"])
@staff_required
def resolve_dispute():
    """Accept (with an explicit amount in yuan → an adjustment) or reject (with a reason) one dispute.

    The dispute's id comes in the form and is looked up within the user's stores. htmx
    swaps the dispute's row; a plain form goes back to the settlement page.
    """
    form = DisputeResolutionForm(request.form)
    dispute_id = id_or_none(form.dispute_id.data)
    if dispute_id is None:
        abort(404)
    row = _dispute_or_404(dispute_id)
    # htmx shows a refusal on the dispute's item; a plain form post in the flash.
    with refusal(flash_it=not wants_fragment()) as refused:
        error = form.error()
        if error is not None:
            raise Invalid(error)
        try:
            lifecycle.resolve_dispute(db.session, row.id, accept=form.accept, resolution=form.resolution_text(),
                                      resolver_id=current_user.id, now=utcnow(), amount_fen=form.amount_fen,
                                      store_ids=settlement.visible_store_ids(db.session, _visible()))
        except LifecycleError as exc:
            raise RESOLVE_REFUSALS(exc) from None
        db.session.commit()
        flash(_("Dispute resolved for %(store)s.", store=row.store_code), "success")
    row = _dispute_or_404(row.id)
    if wants_fragment():
        # The dispute's item, and the month's table out of band: an accepted dispute changes
        # the store's commission, a resolved one its count of open disputes.
        context = _settlement_context(row.period, form)
        context.update(d=row, error=refused.message, form=form, table_oob=refused.error is None)
        return render("hq/commission/settlement.html", "hq/commission/_dispute.html",
                      status=refused.status, **context)
    if refused.error:
        return render("hq/commission/settlement.html", status=refused.status,
                      **_settlement_context(row.period, form))
    return redirect(url_for(".index", period=row.period), 303)


# ------------------------------------------------------------------ one store's month


#: Lines on one page of a store's month: a busy store has thousands, and rendering them all
#: took most of the page's time (~500 KB of HTML). ``?page=all`` shows the whole month
#: (printing, searching the page); the CSV export has it too.
LINES_PER_PAGE = 200


def _page_arg(lines: int) -> tuple[int | str, int]:
    """(page, pages) from ``?page=``: ``all``, or a number; a bad or out-of-range value
    shows the nearest page."""
    pages = max(1, -(-lines // LINES_PER_PAGE))
    return LinesQuery(request.args).page_number(pages), pages


def _store_context(store: Store, period: str, form: AdjustmentForm | None = None, error=None) -> dict:
    now = utcnow()
    # Names (order code, product) only for the lines shown: totals come from every line.
    report = statement_report(db.session, store.id, period, now, names=False)
    page, pages = _page_arg(len(report.lines))
    first = 0 if page == "all" else (page - 1) * LINES_PER_PAGE
    last = len(report.lines) if page == "all" else first + LINES_PER_PAGE
    return {
        "store": store,
        "period": period,
        "periods": settlement.recent_periods(db.session, local_day(now)),
        "report": report,
        "shown": fill_names(db.session, report.lines[first:last]),
        "line_page": page,
        "line_pages": pages,
        "first_line": first + 1,
        "page_size": LINES_PER_PAGE,
        "form": form or AdjustmentForm(),
        "error": error,
        "can_settle": _can_settle(),
    }


@bp.route("/stores/<int:store_id>")
@staff_required
def store(store_id: int):
    """One store's statement for a month, line by line, with the adjustment form."""
    row = get_scoped_or_404(Store, store_id)
    period = _month(MonthForm(request.args), settlement.default_period(db.session, _visible(), _today()))
    return render("hq/commission/store.html", **_store_context(row, period))


ADJUST_REFUSALS = Refusals({
    "bad_amount": (Invalid, _l("The adjustment must not be zero and at most ¥1,000,000.")),
    "final": (Invalid, _l("This statement is already confirmed or paid: adjust the next month instead.")),
}, other=(Invalid, _l("The adjustment could not be added.")))


@bp.route("/stores/<int:store_id>/adjust", methods=["POST"])
@staff_required
def adjust(store_id: int):
    """A bonus (+) or penalty (−) in yuan with a mandatory reason; the author is the current user."""
    row = get_scoped_or_404(Store, store_id)
    form = AdjustmentForm(request.form)
    period = _month(form)
    with refusal(flash_it=False) as refused:  # the form says why, next to the fields
        error = form.error()
        if error is not None:
            raise Invalid(error)
        try:
            lifecycle.add_adjustment(db.session, row.id, period, form.amount_fen, form.reason.data, current_user.id,
                                     utcnow())
        except LifecycleError as exc:
            raise ADJUST_REFUSALS(exc) from None
        db.session.commit()
    if refused.error:
        return render("hq/commission/store.html", status=refused.status,
                      **_store_context(row, period, form, refused.message))
    flash(_("Adjustment added to %(store)s's statement for %(month)s.", store=row.code, month=period), "success")
    return redirect(url_for(".store", store_id=row.id, period=period), 303)


# ------------------------------------------------------------------ plans


@bp.route("/plans")
@staff_required
def plans():
    return render("hq/commission/plans.html",
                  plans=plan_editor.plan_list(db.session, _today()), can_edit=_can_settle())


def _plan_or_404(plan_id: int) -> CommissionPlan:
    plan = db.session.get(CommissionPlan, plan_id)
    if plan is None:
        abort(404)
    return plan


def _plan_context(plan: CommissionPlan, form: plan_editor.VersionForm | None = None,
                  errors: dict | None = None) -> dict:
    today = _today()
    categories = db.session.execute(select(Category.id, Category.name).order_by(Category.id)).all()
    if form is None:
        current = version_on(db.session, plan.id, today)
        skus = dict(db.session.execute(select(Product.id, Product.sku)).all())
        form = plan_editor.VersionForm.from_version(current, plan_editor.earliest_start(
            db.session, plan.id, today), [c.id for c in categories], skus)
    stores = db.session.scalar(select(func.count(Store.id)).where(
        Store.commission_plan_id == plan.id, Store.is_active.is_(True)))
    return {
        "plan": plan,
        "versions": plan_editor.version_views(db.session, plan, today),
        "stores_count": stores,
        "closed_through": plan_editor.closed_through(db.session, plan.id),
        "categories": categories,
        "form": form.padded(),
        "errors": errors or {},
        "can_edit": _can_settle(),
        "last_month": periods.preceding(periods.of(today)),
    }


@bp.route("/plans/<int:plan_id>")
@staff_required
def plan(plan_id: int):
    """The plan's versions as a timeline, and (for HQ) the form for a new version."""
    return render("hq/commission/plan.html", **_plan_context(_plan_or_404(plan_id)))


def _posted_form(plan: CommissionPlan) -> plan_editor.VersionForm:
    ids = list(db.session.scalars(select(Category.id).order_by(Category.id)))
    return plan_editor.VersionForm.from_multidict(request.form, ids)


@bp.route("/plans/<int:plan_id>/preview", methods=["POST"])
@hq_required
def preview(plan_id: int):
    """What the proposed version would have paid last month, per store; writes nothing."""
    plan = _plan_or_404(plan_id)
    form = _posted_form(plan)
    try:
        proposal = plan_editor.validate(db.session, plan.id, form, _today())
    except plan_editor.Invalid as exc:
        errors = exc.errors
        return render("hq/commission/plan.html", "hq/commission/_preview.html", status=400,
                      full=lambda: _plan_context(plan, form, errors), errors=errors, result=None)
    now = utcnow()
    if plan_editor.preview_size(db.session, plan.id, now) > plan_editor.PREVIEW_INLINE_MAX_LINES:
        return _preview_in_background(plan, proposal, now)
    result = plan_editor.preview(db.session, plan.id, proposal.book, now)
    db.session.rollback()  # a preview never writes
    return render("hq/commission/plan.html", "hq/commission/_preview.html", full=lambda: _plan_context(plan, form),
                  errors={}, result=result)


kinds.register(
    PREVIEW_JOB,
    result=lambda job: (url_for("hq_commission.preview_result", plan_id=job.result["plan_id"], job=job.id),
                        _("Show the preview")) if job.result else None,
)


def _preview_in_background(plan: CommissionPlan, proposal: plan_editor.Proposal, now):
    """A large plan's preview runs as a job; the fragment polls ``preview_result`` until it is done.

    One preview runs at a time (they are heavy): a colleague's is not ours to show.
    """
    back = url_for(".plan", plan_id=plan.id)
    job = launch(PREVIEW_JOB, _("Preview of a new version of %(plan)s", plan=plan.name), plan.id,
                 plan_editor.book_to_json(proposal.book), now.isoformat(), user_id=current_user.id, back=back,
                 unavailable=_("The background queue is not available right now, so the preview could not run. "
                               "Please try again in a few minutes."))
    if job.user_id != current_user.id:
        raise Conflict(_("A colleague is previewing a plan change right now. Please try again in a minute."),
                       fragment="jobs/_error.html", back=back)
    db.session.commit()  # queues the job
    if not wants_fragment():
        return redirect(url_for(".preview_result", plan_id=plan.id, job=job.id), 303)
    return render("hq/commission/plan.html", "hq/commission/_preview_job.html", plan=plan, job=job)


@bp.route("/plans/<int:plan_id>/preview/result")
@staff_required
def preview_result(plan_id: int):
    """A background preview: polling while it runs, the per-store table once done (its starter only).

    Without a job this is the plan's page (what a reload of the address shows).
    """
    plan = _plan_or_404(plan_id)
    if not request.args.get("job"):
        return render("hq/commission/plan.html", **_plan_context(plan))
    job = db.session.get(JobRecord, request.args["job"][:64])
    if job is None or job.user_id != current_user.id or job.name != PREVIEW_JOB:
        abort(404)
    if job.active:
        refresh(db.session, job)  # a preview whose work horse died shows failed instead of polling on
        db.session.commit()
    if job.status == JobStatus.FINISHED and job.result and job.result.get("plan_id") == plan.id:
        result = plan_editor.preview_from_json(job.result["preview"])
        if wants_fragment():
            return render("hq/commission/plan.html", "hq/commission/_preview.html", errors={}, result=result)
        return render("hq/commission/plan.html", result=result, **_plan_context(plan))
    if wants_fragment():
        return render("hq/commission/plan.html", "hq/commission/_preview_job.html", plan=plan, job=job)
    return redirect(url_for("jobs.status", job_id=job.id), 303)


@bp.route("/plans/<int:plan_id>/versions", methods=["POST"])
@hq_required
def create_version(plan_id: int):
    """Save the new version (one transaction, created by the current user)."""
    plan = _plan_or_404(plan_id)
    form = _posted_form(plan)
    with refusal(flash_it=False) as refused:  # the form shows each field's problem
        try:
            proposal = plan_editor.validate(db.session, plan.id, form, _today())
            version = plan_editor.save(db.session, proposal, current_user.id, utcnow())
            db.session.commit()
        except plan_editor.Invalid as exc:
            raise FieldErrors(exc.errors) from None
        except IntegrityError:  # a colleague saved a version for the same day meanwhile
            raise FieldErrors({"effective_from": _("Another version already starts on %(day)s. Choose another day.",
                                                   day=form.effective_from)}) from None
    if refused.error:
        return render("hq/commission/plan.html", status=refused.status,
                      **_plan_context(plan, form, refused.error.errors))
    flash(_("New version saved: in force from %(day)s.", day=version.effective_from.isoformat()), "success")
    return redirect(url_for(".plan", plan_id=plan.id), 303)

