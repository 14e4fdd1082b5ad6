#!/usr/bin/env python3
"""Commission benchmark: closing a month for every store, the owner's 收益 page, the PDF.

Run by hand on a seeded large-preset database (the seed settles its last three months)::

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/wb_bench
    .venv/bin/flask --app wsgi db upgrade && .venv/bin/flask --app wsgi demo seed --preset large
    .venv/bin/python bench/commission.py

1. Closing, as it happens on the 1st: on a copy of the database (PostgreSQL: ``CREATE
   DATABASE … TEMPLATE``; SQLite: the file) the latest closed month's statements, lines and
   disputes are deleted and the copy vacuumed, so the month looks as it did before it was
   ever closed. ``close_period`` for all stores is timed ``--runs`` times, each rolled back
   and vacuumed away; the median is reported. Then it is closed for good and ``recompute``
   checks it (time, mismatches). The copy is dropped; the database itself is not touched.
2. The owner's 收益 tab: server time p50/p95 in-process (Flask test client) for the
   running month (live) and the closed month, for the median store and the biggest store.
3. The statement PDF of the median store's closed month (render + headless Chromium),
   median of ``--runs``.

``--skip close`` (repeatable: close, page, pdf) leaves a part out; closing takes minutes.
Output is ``name: value`` lines. Targets from the issue: closing 200 stores <= 60 s;
month-to-date page p95 <= 80 ms; the PDF <= 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import logged_in_client, percentile, say  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--skip", action="append", default=[], choices=["close", "page", "pdf"],
                        help="leave a part out (repeatable): closing takes minutes on the large preset")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from workbench import create_app
    from workbench.commission import pdf, periods
    from workbench.commission.models import CommissionStatement, StatementLine
    from workbench.extensions import db
    from workbench.formatting import SHANGHAI
    from workbench.models import Order, Store

    app = create_app()
    with app.app_context():
        period = db.session.scalar(select(func.max(CommissionStatement.period)))
        if period is None:
            print("no closed statements: seed the database first (flask demo seed --preset large)", file=sys.stderr)
            return 2
        stores = db.session.scalar(select(func.count(Store.id)).where(Store.is_active.is_(True)))
        say("database", db.engine.url.render_as_string(hide_password=True))
        say("period", period)
        say("stores", stores)
        first_next = periods.next_first(periods.parse(period)[0])
        closing_at = datetime.combine(first_next, dtime(2), tzinfo=SHANGHAI).astimezone(UTC)

        # 1. closing, on a copy of the database where the month was never closed
        if "close" not in args.skip:
            db.session.remove()
            db.engine.dispose()  # PostgreSQL copies a database only while nobody is connected
            for name, value in close_on_a_copy(db.engine.url, period, closing_at, args.runs):
                say(name, value)

        # 2. the owner's page
        by_orders = db.session.execute(
            select(Store, func.count(Order.id)).join(Order, Order.store_id == Store.id)
            .where(Order.picked_up_at >= periods.utc_bounds(period)[0], Store.owner_id.is_not(None))
            .group_by(Store.id).order_by(func.count(Order.id))
        ).all()
        subjects = {"median": by_orders[len(by_orders) // 2][0], "biggest": by_orders[-1][0]}
        for label, store in subjects.items() if "page" not in args.skip else ():
            client = logged_in_client(app, store.owner_id)
            for page, url in (("live", "/store/earnings"), ("closed", f"/store/earnings?period={period}")):
                for _ in range(3):
                    assert client.get(url).status_code == 200
                p50s, p95s = [], []
                for _ in range(args.runs):
                    ts = []
                    for _ in range(args.iterations):
                        t0 = time.perf_counter()
                        client.get(url).close()
                        ts.append((time.perf_counter() - t0) * 1000)
                    p50s.append(statistics.median(ts))
                    p95s.append(percentile(ts, 0.95))
                say(f"earnings_{page}_{label}_{store.code}_p50_ms", statistics.median(p50s))
                say(f"earnings_{page}_{label}_{store.code}_p95_ms", statistics.median(p95s))

        # 3. the PDF of the median store's closed month
        store = subjects["median"]
        if "pdf" in args.skip:
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            app.config["STATEMENT_PDF_FOLDER"] = tmp
            pdf_times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                result = pdf.statement_pdf_job(store.id, period)
                pdf_times.append(time.perf_counter() - t0)
            say("pdf_bytes", result["bytes"])
            say("pdf_lines", db.session.scalar(select(func.count(StatementLine.id)).join(
                CommissionStatement, CommissionStatement.id == StatementLine.statement_id).where(
                CommissionStatement.store_id == store.id, CommissionStatement.period == period)))
            say("pdf_s_median", statistics.median(pdf_times))
    return 0


def close_on_a_copy(url, period: str, closing_at: datetime, runs: int):
    """Yield (name, value) figures of closing ``period`` on a throw-away copy of ``url``'s database."""
    import shutil

    from sqlalchemy import create_engine, delete, select, text

    from workbench import create_app
    from workbench.commission.models import CommissionDispute, CommissionStatement, StatementLine
    from workbench.commission.statements import close_period, recompute
    from workbench.config import config_from_env
    from workbench.extensions import db

    postgres = url.get_backend_name() == "postgresql"
    if postgres:
        copy = url.set(database=f"{url.database}_closebench")
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{copy.database}"'))
            start = time.perf_counter()
            conn.execute(text(f'CREATE DATABASE "{copy.database}" TEMPLATE "{url.database}"'))
            yield "copy_database_s", time.perf_counter() - start
    else:
        folder = Path(tempfile.mkdtemp(prefix="closebench-"))
        copy = url.set(database=str(folder / "copy.sqlite"))
        shutil.copyfile(url.database, copy.database)

    def vacuum():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if postgres else "VACUUM"))

    config = config_from_env()
    config.SQLALCHEMY_DATABASE_URI = copy.render_as_string(hide_password=False)
    app = create_app(config)
    try:
        with app.app_context():
            month = select(CommissionStatement.id).where(CommissionStatement.period == period)
            db.session.execute(delete(CommissionDispute).where(CommissionDispute.statement_id.in_(month)))
            db.session.execute(delete(StatementLine).where(StatementLine.statement_id.in_(month)))
            db.session.execute(delete(CommissionStatement).where(CommissionStatement.period == period))
            db.session.commit()
            vacuum()
            times, result = [], None
            for _ in range(runs):
                start = time.perf_counter()
                result = close_period(db.session, period, closing_at)
                db.session.flush()
                times.append(time.perf_counter() - start)
                db.session.rollback()
                vacuum()  # the rolled-back lines are dead rows the next run would step over
            result = close_period(db.session, period, closing_at)
            db.session.commit()
            yield "close_month_stores", result.stores
            yield "close_month_lines", result.lines
            if times:
                yield "close_month_s_median", statistics.median(times)
                yield "close_month_s_runs", " ".join(f"{t:.1f}" for t in times)
            start = time.perf_counter()
            check = recompute(db.session, period)
            yield "recompute_s", time.perf_counter() - start
            yield "recompute_mismatches", len(check.mismatches)
            db.session.remove()
            db.engine.dispose()
    finally:
        if postgres:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{copy.database}" WITH (FORCE)'))
            admin.dispose()
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
