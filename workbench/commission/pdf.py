"""The statement as a PDF, made on the worker by headless Chromium from the print page.

Chromium renders the same HTML and print CSS as the browser's own print dialog, with the
CJK font the system has (Debian: fonts-wqy-microhei), so the PDF and the printout match.
A cold Chromium process prints a statement in about a second; the job writes the file
under the instance folder and the owner downloads it from the 收益 tab.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import current_app, render_template

from workbench.commission.models import LineKind
from workbench.commission.report import statement_report
from workbench.extensions import db
from workbench.jobs.runner import set_progress
from workbench.stores.models import Store
from workbench.types import utcnow

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
TIMEOUT_S = 60


class PdfUnavailable(RuntimeError):
    """No Chromium on this machine (install Debian's ``chromium``)."""


def chromium() -> str:
    path = os.environ.get("CHROMIUM") or next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)
    if not path or not (Path(path).exists() or shutil.which(path)):
        raise PdfUnavailable("no Chromium found: install Debian's chromium or set CHROMIUM")
    return path


def pdf_path(store_id: int, period: str) -> Path:
    return Path(current_app.config["STATEMENT_PDF_FOLDER"]) / f"{store_id}-{period}.pdf"


def needs_a_word(line) -> bool:
    """Lines a reader of the PDF must see one by one; plain pickups are in the totals and the CSV."""
    return line.kind != LineKind.EARNING or bool(line.refunded_fen) or line.dispute is not None \
        or line.source == "campaign"


def statement_html(store_id: int, period: str) -> str:
    """The print page with its CSS inlined (Chromium reads it from a file, not our server).

    A busy store has thousands of lines a month (100 A4 pages, 12 s to print): the PDF
    carries the totals, by category and by day, and the lines that need explaining; the
    print page in the browser and the CSV carry every line.
    """
    store = db.session.get(Store, store_id)
    report = statement_report(db.session, store_id, period, utcnow())
    css = "\n".join((Path(current_app.static_folder) / "css" / name).read_text(encoding="utf-8")
                    for name in ("print.css", "earnings.css"))
    return render_template("commission/statement_print.html", store=store, report=report, pdf=True, inline_css=css,
                           lines=[ln for ln in report.lines if needs_a_word(ln)])


def html_to_pdf(html: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "statement.html"
        page.write_text(html, encoding="utf-8")
        partial = Path(tmp) / "statement.pdf"
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile",
               f"--print-to-pdf={partial}", page.as_uri()]
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
            raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
        shutil.move(partial, out)  # the old file stays whole until the new one is complete


def statement_pdf_job(store_id: int, period: str, *, job_id: str | None = None) -> dict:
    """RQ job: render and print the statement (the status fragment links the file: ``jobs.kinds``)."""
    with current_app.test_request_context("/"):  # url_for and the locale, outside a real request
        set_progress(job_id, 10)
        html = statement_html(store_id, period)
        set_progress(job_id, 40)
        out = pdf_path(store_id, period)
        html_to_pdf(html, out)
        return {"period": period, "bytes": out.stat().st_size}
