"""The owner's statement actions: dispute a line, print, CSV, PDF (the 收益 tab itself is owner.earnings)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workbench.auth.decorators import owner_required
from workbench.auth.scoping import current_store
from workbench.commission import earnings_page, lifecycle, owner_csv, pdf
from workbench.commission.models import StatementLine
from workbench.commission.refusals import Refusals
from workbench.commission.report import statement_report
from workbench.commission.states import LifecycleError
from workbench.errors import Conflict, Invalid, refusal
from workbench.extensions import db
from workbench.jobs import kinds
from workbench.jobs.queue import launch
from workbench.types import utcnow
from workbench.web import render, wants_fragment

bp = Blueprint("earnings", __name__)

DISPUTE_REFUSALS = Refusals({
    "note_required": (Invalid, _l("Please say what is wrong with this line.")),
    "not_disputable": (Conflict, _l("This statement is already confirmed by HQ; disputes are closed.")),
    "already_disputed": (Conflict, _l("This line is already disputed and waiting for HQ.")),
})


def _period_or_404(store_id: int, period: str) -> str:
    try:
        earnings_page.choose_period(db.session, store_id, period, utcnow())
    except earnings_page.UnknownPeriod:
        abort(404)
    return period


@bp.route("/lines/<int:line_id>/dispute", methods=["POST"])
@owner_required
def dispute(line_id: int):
    """Dispute a line of a closed statement; htmx gets the line back, a form post the page."""
    store = current_store()
    line = db.session.scalar(db.select(StatementLine).where(StatementLine.id == line_id,
                                                            StatementLine.store_id == store.id))
    if line is None:
        abort(404)
    period = line.statement.period
    note = (request.form.get("note") or "").strip()
    # A plain form post reads the refusal in the flash on the page it goes back to; htmx on the line.
    with refusal(flash_it=not wants_fragment()) as refused:
        try:
            lifecycle.open_dispute(db.session, store.id, line_id, note, current_user.id, utcnow())
        except LifecycleError as exc:
            if exc.code == "not_found":
                db.session.rollback()
                abort(404)
            raise DISPUTE_REFUSALS(exc) from None
        db.session.commit()
        flash(_("Sent to HQ. You will see their answer on this line."), "success")
    if not wants_fragment():
        return redirect(url_for("owner.earnings", period=period, _anchor=f"line-{line_id}"), 303)
    report = statement_report(db.session, store.id, period, utcnow())
    row = next(ln for ln in report.lines if ln.id == line_id)
    return render("owner/earnings.html", "owner/_earnings_line.html", status=refused.status, ln=row, report=report,
                  error=refused.message, note=note if refused.error else "")


@bp.route("/<period>/print")
@owner_required
def print_statement(period: str):
    """The whole statement on A4 (every line), for the browser's print dialog."""
    store = current_store()
    report = statement_report(db.session, store.id, _period_or_404(store.id, period), utcnow())
    return render("commission/statement_print.html", store=store, report=report, pdf=False)


@bp.route("/<period>.csv")
@owner_required
def export_csv(period: str):
    """The month's statement for Excel (owner_csv); HQ finance has the machine-exact export."""
    store = current_store()
    report = statement_report(db.session, store.id, _period_or_404(store.id, period), utcnow())
    data = io.BytesIO(owner_csv.owner_statement_csv(db.session, report))
    return send_file(data, mimetype="text/csv", as_attachment=True,
                     download_name=f"statement-{store.code}-{period}.csv")


PDF_JOB = "workbench.commission.pdf.statement_pdf_job"

kinds.register(
    PDF_JOB,
    result=lambda job: (url_for("earnings.download_pdf", period=job.period), _("Download")),
    retry=lambda job: (url_for("earnings.make_pdf", period=job.period), {}),
)


@bp.route("/<period>/pdf", methods=["POST"])
@owner_required
def make_pdf(period: str):
    """Queue the PDF on the worker; the job status fragment polls and links the file.

    One PDF job per store and month: asking again while it runs shows the same job.
    """
    store = current_store()
    period = _period_or_404(store.id, period)
    record = launch(PDF_JOB, _("Statement PDF %(period)s", period=period), store.id, period,
                    user_id=current_user.id, store_id=store.id, period=period,
                    unavailable=_("The background worker is not reachable, so no PDF was made. "
                                  "Please try again in a minute."),
                    back=url_for("owner.earnings", period=period))
    db.session.commit()  # queues the job (QueueUnavailable, a 503, when Redis refuses it)
    if not wants_fragment():
        return redirect(url_for("jobs.status", job_id=record.id), 303)
    return render("jobs/status.html", "jobs/_status.html", job=record)


@bp.route("/<period>/statement.pdf")
@owner_required
def download_pdf(period: str):
    store = current_store()
    path = pdf.pdf_path(store.id, _period_or_404(store.id, period))
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"statement-{store.code}-{period}.pdf")
