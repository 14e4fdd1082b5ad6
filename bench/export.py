#!/usr/bin/env python3
"""HQ commission export benchmark: one month over real HTTP, its time and the worker's memory.

Run by hand on a seeded large-preset database (the seed settles its last three months)::

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/wb_bench
    .venv/bin/flask --app wsgi db upgrade && .venv/bin/flask --app wsgi demo seed --preset large
    .venv/bin/python bench/export.py [--period 2026-11] [--runs 3]

gunicorn serves the app with one sync worker (so the worker that streams is the one
measured); an HQ user downloads ``/hq/commission/export.csv?period=…`` to the last byte,
``--runs`` times. Before each run the worker has served a page (imports and templates
loaded); its RSS is sampled every 20 ms while the download runs. Each download is checked:
the chunked body ends properly, it starts with the BOM, and it holds one row per stored
line of the month (``--check-cli`` also compares it byte for byte with ``flask commission
export``).

Prints ``name: value`` lines: ``export.seconds`` (median), ``export.worker_rss_growth_mb``
(the largest growth over the run's starting RSS, worst run). Targets from issue 21: one
month of the large preset in <= 20 s, the worker growing by <= 100 MB.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import free_port, gunicorn, logged_in_client, say, stop  # noqa: E402


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("gunicorn started no worker")


class Sampler(threading.Thread):
    """The worker's peak RSS while a download runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, rss_mb(pid), threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, rss_mb(self.pid))


def get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    parts = []
    while chunk := response.read(1 << 20):  # IncompleteRead if the chunked stream is cut
        parts.append(chunk)
    conn.close()
    return response.status, b"".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--period", help="YYYY-MM (default: the latest closed month)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check-cli", action="store_true", help="compare with flask commission export's file")
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    os.environ["WORKBENCH_ENV"] = "production"
    from sqlalchemy import func, select

    from workbench import create_app
    from workbench.commission.models import CommissionStatement, StatementLine
    from workbench.commission.states import CLOSED_STATES
    from workbench.extensions import db
    from workbench.models import Role, User

    app = create_app()
    with app.app_context():
        period = args.period or db.session.scalar(select(func.max(CommissionStatement.period))
                                                  .where(CommissionStatement.status.in_(CLOSED_STATES)))
        if period is None:
            print("no closed month: seed the database first (flask demo seed --preset large)", file=sys.stderr)
            return 2
        lines = db.session.scalar(select(func.count(StatementLine.id)).join(
            CommissionStatement, CommissionStatement.id == StatementLine.statement_id)
            .where(CommissionStatement.period == period))
        hq_id = db.session.scalar(select(User.id).where(User.role == Role.HQ).order_by(User.id))
        say("database", db.engine.url.render_as_string(hide_password=True))
        db.session.remove()
    say("export.period", period)
    say("export.lines", lines)
    cookie = "session=" + logged_in_client(app, hq_id).get_cookie("session").value

    port = free_port()
    proc = gunicorn("wsgi:app", port, {**os.environ, "PYTHONPATH": str(ROOT)}, workers=1,
                    extra=("--timeout", "120"))
    seconds, growth, size = [], [], 0
    try:
        pid = worker_pid(proc.pid)
        for _ in range(args.runs):
            status, _page = get(port, "/hq/stores", cookie)  # the worker is warm
            assert status == 200, status
            sampler = Sampler(pid)
            start_rss = sampler.peak
            sampler.start()
            start = time.perf_counter()
            status, body = get(port, f"/hq/commission/export.csv?period={period}", cookie)
            seconds.append(time.perf_counter() - start)
            sampler.done.set()
            sampler.join()
            growth.append(sampler.peak - start_rss)
            assert status == 200, status
            assert body.startswith(b"\xef\xbb\xbf") and body.count(b"\n") == lines + 1, "incomplete export"
            size = len(body)
            say("export.run_seconds", seconds[-1])
            say("export.run_worker_rss_growth_mb", growth[-1])
    finally:
        stop(proc)
    say("export.bytes", size)
    say("export.seconds", statistics.median(seconds))
    say("export.worker_rss_growth_mb", max(growth))
    if args.check_cli:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "cli.csv"
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "commission", "export",
                            "--period", period, "--csv", str(out)], cwd=ROOT, check=True, capture_output=True)
            say("export.equals_cli", "yes" if out.read_bytes() == body else "no")
    say("target.export_le_20s", "yes" if statistics.median(seconds) <= 20 else "no")
    say("target.worker_growth_le_100mb", "yes" if max(growth) <= 100 else "no")
    return 0


if __name__ == "__main__":
    sys.exit(main())
