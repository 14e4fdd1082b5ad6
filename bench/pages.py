#!/usr/bin/env python3
"""Page benchmark: server time per page, and throughput under gunicorn next to a bare route.

Run by hand against a seeded database (not in CI)::

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/wb_bench   # or leave unset: SQLite in instance/
    .venv/bin/flask --app wsgi db upgrade
    .venv/bin/flask --app wsgi demo seed --preset large      # 200 stores, ~100k members, 2M+ order lines
    .venv/bin/python bench/pages.py                          # or: make bench

What it measures, for one store with typical data (the median store by orders in the
last 30 days) and an HQ user:

1. server time of every owner tab (each GET route under /store) and every HQ page
   (each GET route under /hq without arguments, plus the median store's commission month
   and the first commission plan), for HQ and again for the median store's regional
   manager (``regional.`` names), in-process through the Flask test client: ``--runs``
   runs of ``--iterations`` requests each after a warm-up; p50 and p95 per run, and the
   median of the runs is reported. Also the SQL statements one request runs and the size
   of the page. The streamed commission export is left out: ``bench/export.py`` times it
   over gunicorn. ``--only hq --only regional`` times just those (no load test).
2. requests/second with 8 concurrent clients (``--clients``) for ``/store/today``
   under gunicorn with 2 sync workers, next to the same gunicorn serving a bare Flask
   route that returns the same HTML from memory: the ratio says how much of the
   budget the page's own work takes.

Everything is bounded (``--seconds`` per load test, a time budget per page) and all
traffic goes to 127.0.0.1. Output is ``name: value`` lines. Targets from the issues:
owner pages p95 <= 50 ms, HQ and regional pages p95 <= 100 ms (issue 21), and at least
half the bare route's throughput.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, free_port, gunicorn, logged_in_client, percentile, say, stop
from flask import Flask, Response

# --------------------------------------------------------------------------- the bare app

#: Served by gunicorn as ``pages:bare_app`` (``--chdir bench``): one route returning the
#: owner page's HTML, read once from ``BENCH_HTML`` — the floor any real page sits on.
bare_app = Flask("bare")
_BARE_HTML = b""


@bare_app.route("/store/today")
def bare_page():
    global _BARE_HTML
    if not _BARE_HTML:
        _BARE_HTML = Path(os.environ["BENCH_HTML"]).read_bytes()
    return Response(_BARE_HTML, mimetype="text/html")


# --------------------------------------------------------------------------- helpers





# --------------------------------------------------------------------------- in-process


def pick_subjects(db):
    """The median store by orders in the last 30 days, its owner, an HQ user and its region's manager."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, select

    from workbench.models import Order, Role, Store, User

    since = datetime.now(UTC) - timedelta(days=30)
    counts = db.session.execute(
        select(Store, func.count(Order.id))
        .join(Order, Order.store_id == Store.id)
        .where(Order.placed_at >= since, Store.owner_id.is_not(None))
        .group_by(Store.id)
        .order_by(func.count(Order.id))
    ).all()
    if not counts:
        return None
    store, orders = counts[len(counts) // 2]
    hq = db.session.scalar(select(User).where(User.role.in_((Role.HQ, Role.ADMIN))).order_by(User.id))
    regional = db.session.scalar(select(User).where(User.role == Role.REGIONAL, User.region_id == store.region_id)
                                 .order_by(User.id))
    return store, orders, store.owner, hq, regional


def staff_pages(app, db, store_id: int) -> list[str]:
    """Every HQ/regional GET page: the routes under /hq without arguments, and those with one
    filled in (the median store's month, the first commission plan).

    Streamed downloads are left out (a whole month of commission lines: bench/export.py times
    it), and so are files (a counter photo) and a background job's result.
    """
    from sqlalchemy import select

    from workbench.models import CommissionPlan

    streamed = {"hq_commission.export"}
    filled = {"hq_commission.store": f"/hq/commission/stores/{store_id}"}
    plan_id = db.session.scalar(select(CommissionPlan.id).order_by(CommissionPlan.id))
    if plan_id is not None:
        filled["hq_commission.plan"] = f"/hq/commission/plans/{plan_id}"
    pages = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/hq/") or "GET" not in rule.methods or rule.endpoint in streamed:
            continue
        if not rule.arguments:
            pages.append(rule.rule)
        elif rule.endpoint in filled:
            pages.append(filled[rule.endpoint])
    return sorted(pages)



def time_page(client, url: str, iterations: int, runs: int, budget_s: float, counter: list[int]):
    """Median over runs of p50/p95 (ms), statements per request and page size."""
    for _ in range(3):  # warm-up: templates compiled, caches filled
        response = client.get(url)
        assert response.status_code == 200, f"{url} → {response.status_code}"
    counter[0] = 0
    size = len(client.get(url).data)
    statements = counter[0]
    p50s, p95s = [], []
    deadline = time.monotonic() + budget_s
    for _ in range(runs):
        times = []
        for _ in range(iterations):
            start = time.perf_counter()
            response = client.get(url)
            response.close()
            times.append((time.perf_counter() - start) * 1000)
            if time.monotonic() > deadline and len(times) >= 10:
                break
        p50s.append(statistics.median(times))
        p95s.append(percentile(times, 0.95))
        if time.monotonic() > deadline:
            break
    return statistics.median(p50s), statistics.median(p95s), statements, size, len(p50s)


# --------------------------------------------------------------------------- under load


def _client_loop(port: int, path: str, cookie: str, seconds: float, results) -> None:
    """One client: requests back to back for ``seconds``; a new connection each time,
    as gunicorn's sync workers close it after every response."""
    done = failed = 0
    latencies = []
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            ok = response.status == 200
        except OSError:
            ok = False
        if ok:
            done += 1
            latencies.append((time.perf_counter() - start) * 1000)
        else:
            failed += 1
    results.put((done, failed, latencies))


def load(port: int, path: str, cookie: str, clients: int, seconds: float) -> dict:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    _client_loop(port, path, cookie, 1.0, ctx.Queue())  # warm-up, one client
    procs = [ctx.Process(target=_client_loop, args=(port, path, cookie, seconds, results)) for _ in range(clients)]
    start = time.monotonic()
    for p in procs:
        p.start()
    collected = [results.get(timeout=seconds + 60) for _ in procs]
    elapsed = time.monotonic() - start
    for p in procs:
        p.join(timeout=10)
    done = sum(c[0] for c in collected)
    latencies = [lat for c in collected for lat in c[2]]
    return {
        "rps": done / elapsed,
        "failed": sum(c[1] for c in collected),
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": percentile(latencies, 0.95) if latencies else float("nan"),
    }




# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=40, help="requests per run and page")
    parser.add_argument("--runs", type=int, default=5, help="runs per page (the median run is reported)")
    parser.add_argument("--page-budget", type=float, default=30, help="seconds at most per page")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in the load test")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each load test")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load test")
    parser.add_argument("--only", action="append", choices=("owner", "hq", "regional"),
                        help="time only these users' pages (repeatable); skips the load test")
    args = parser.parse_args()

    # One secret for this process and the gunicorn it starts, so the session cookie works there.
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    os.environ["WORKBENCH_ENV"] = "production"
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event, func, select

    from workbench import create_app
    from workbench.extensions import db
    from workbench.models import Order, OrderItem, Store

    app = create_app()
    # Requests must not run inside an app context pushed here: each needs its own (its own
    # ``g`` and database session), as under gunicorn. So look things up first, then pop.
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=True)
        engine = db.engine
        stores = db.session.scalar(select(func.count(Store.id)))
        subjects = pick_subjects(db) if stores else None
        if not stores or subjects is None:
            print(f"database {url} has no stores with recent orders: seed it first, e.g.\n"
                  "  .venv/bin/flask --app wsgi db upgrade && .venv/bin/flask --app wsgi demo seed --preset large",
                  file=sys.stderr)
            return 2
        store, recent_orders, owner, hq, regional = subjects
        say("database", url)
        say("stores", stores)
        say("orders", db.session.scalar(select(func.count(Order.id))))
        say("order_lines", db.session.scalar(select(func.count(OrderItem.id))))
        say("store", f"{store.code} {store.name} ({recent_orders} orders in the last 30 days)")
        owner_id, hq_id = owner.id, hq.id if hq is not None else None
        regional_id = regional.id if regional is not None else None
        hq_pages = staff_pages(app, db, store.id)
        db.session.remove()

    counter = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args):
        counter[0] += 1

    owner_pages = sorted(r.rule for r in app.url_map.iter_rules()
                         if r.rule.startswith("/store/") and "GET" in r.methods and not r.arguments)
    owner_client = logged_in_client(app, owner_id)
    hq_client = logged_in_client(app, hq_id) if hq_id is not None else None
    regional_client = logged_in_client(app, regional_id) if regional_id is not None else None
    worst = {"owner": 0.0, "staff": 0.0}
    # The same /hq pages for HQ (every store) and for the median store's regional manager.
    for who, client, pages in (("owner", owner_client, owner_pages), ("hq", hq_client, hq_pages),
                               ("regional", regional_client, hq_pages)):
        if client is None or (args.only and who not in args.only):
            continue
        for page in pages:
            p50, p95, statements, size, runs = time_page(client, page, args.iterations, args.runs,
                                                         args.page_budget, counter)
            name = page.strip("/").replace("/", ".")
            if who == "regional":
                name = "regional." + name
            say(f"{name}.p50_ms", p50)
            say(f"{name}.p95_ms", p95)
            say(f"{name}.sql_statements", statements)
            say(f"{name}.html_kb", size / 1024)
            if runs < args.runs:
                say(f"{name}.runs", f"{runs} (time budget reached)")
            key = "owner" if who == "owner" else "staff"
            worst[key] = max(worst[key], p95)
    if not args.only or "owner" in args.only:
        say("target.owner_p95_le_50ms", f"{'yes' if worst['owner'] <= 50 else 'no'} (worst {worst['owner']:.1f} ms)")
    if not args.only or {"hq", "regional"} & set(args.only):
        say("target.staff_p95_le_100ms", f"{'yes' if worst['staff'] <= 100 else 'no'} (worst {worst['staff']:.1f} ms)")

    if args.no_load or args.only:
        return 0
    html = owner_client.get("/store/today").data
    cookie = "session=" + owner_client.get_cookie("session").value

    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        html_file = Path(tmp) / "today.html"
        html_file.write_bytes(html)
        env = {**os.environ, "BENCH_HTML": str(html_file), "PYTHONPATH": str(ROOT)}
        results = {}
        for label, app_path, chdir in (("store.today", "wsgi:app", ROOT), ("bare", "pages:bare_app", ROOT / "bench")):
            port = free_port()
            proc = gunicorn(app_path, port, env, chdir=chdir, extra=("--backlog", "256"))
            try:
                results[label] = load(port, "/store/today", cookie, args.clients, args.seconds)
            finally:
                stop(proc)
            for key, value in results[label].items():
                say(f"load.{label}.{key}", value if key != "failed" else int(value))
        ratio = results["store.today"]["rps"] / results["bare"]["rps"]
        say("load.ratio_to_bare", f"{ratio:.2f}")
        say("target.half_of_bare_rps", "yes" if ratio >= 0.5 else "no")
    return 0


if __name__ == "__main__":
    sys.exit(main())
