#!/usr/bin/env python3
"""Load test of the counter's 已提货 tap: 1,000 taps from 50 concurrent clients across 50 stores.

Run by hand against a seeded PostgreSQL database (not in CI)::

    .venv/bin/python bench/pickup_load.py --source postgresql+psycopg://postgres@127.0.0.1:5432/wb_pickup_large

The source database is never written: it is copied (``CREATE DATABASE … TEMPLATE``) to
``<source>_pickup_load`` and the copy is dropped at the end (``--keep`` keeps it). In the
copy, 50 stores get 20 of their picked-up orders moved back to ``arrived`` (their old
verifications marked undone), so 1,000 orders wait. gunicorn (``--workers`` sync workers)
serves the app on the copy; 50 client threads, one per store, each with the owner's
session and CSRF token, tap their store's 20 orders one by one (``POST
/store/pickup/members/<id>/pickup`` as htmx sends it). To force races, ``--racers``
extra clients (a second phone at the same counter) tap the same orders of the first
stores at the same time. Then SQL checks: exactly 1,000 live verifications for those
orders, no order with two live verifications, every order picked up, and no 5xx.
Prints ``name: value`` lines: taps, answers by status, throughput (taps/s), p50/p95.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import statistics
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from common import free_port, gunicorn, percentile, say, stop  # noqa: E402
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')





def copy_database(source: str, target_name: str) -> str:
    url = make_url(source)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target_name}" TEMPLATE "{url.database}"'))
    admin.dispose()
    return url.set(database=target_name).render_as_string(hide_password=False)


def drop_database(url_str: str) -> None:
    url = make_url(url_str)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def prepare(url: str, stores: int, per_store: int) -> list[dict]:
    """In the copy: ``per_store`` orders of each of ``stores`` stores back to waiting."""
    engine = sa.create_engine(url)
    plan = []
    with engine.begin() as conn:
        store_ids = [r[0] for r in conn.execute(sa.text(
            "SELECT store_id FROM orders WHERE status = 'picked_up' GROUP BY store_id "
            "HAVING count(*) >= :n ORDER BY store_id LIMIT :k"), {"n": per_store, "k": stores})]
        for sid in store_ids:
            rows = conn.execute(sa.text(
                "SELECT id, member_id FROM orders WHERE store_id = :s AND status = 'picked_up' "
                "ORDER BY picked_up_at DESC, id LIMIT :n"), {"s": sid, "n": per_store}).all()
            ids = [r[0] for r in rows]
            conn.execute(sa.text("UPDATE orders SET status = 'arrived', picked_up_at = NULL WHERE id = ANY(:ids)"),
                         {"ids": ids})
            conn.execute(sa.text("UPDATE pickup_verifications SET undone_at = now() - interval '1 day' "
                                 "WHERE order_id = ANY(:ids) AND undone_at IS NULL"), {"ids": ids})
            owner = conn.execute(sa.text("SELECT owner_id FROM stores WHERE id = :s"), {"s": sid}).scalar_one()
            plan.append({"store_id": sid, "owner_id": owner, "orders": [(r[0], r[1]) for r in rows]})
    engine.dispose()
    return plan


def sessions_for(plan: list[dict], url: str) -> None:
    """Each owner's session cookie and CSRF token, made in process (no login form, no rate limit)."""
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    from workbench import create_app

    app = create_app()
    for entry in plan:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(entry["owner_id"])
            session["_fresh"] = True
        page = client.get("/store/pickup")
        if page.status_code != 200:
            raise SystemExit(f"owner {entry['owner_id']}: /store/pickup answered {page.status_code}")
        entry["token"] = CSRF.search(page.get_data(as_text=True)).group(1)
        entry["cookie"] = "session=" + client.get_cookie("session").value
    with app.app_context():
        from workbench.extensions import db

        db.engine.dispose()




def tap(port: int, entry: dict, order_id: int, member_id: int) -> tuple[int, float]:
    body = urllib.parse.urlencode({"csrf_token": entry["token"], "scope": "selected", "order_id": order_id,
                                   "method": "phone_tail"})
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", f"/store/pickup/members/{member_id}/pickup", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": entry["cookie"],
            "HX-Request": "true", "X-CSRFToken": entry["token"]})
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0  # connection error: counted as a failure
    finally:
        conn.close()
    return status, (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=os.environ.get("DATABASE_URL", ""), help="seeded PostgreSQL URL")
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--per-store", type=int, default=20)
    parser.add_argument("--racers", type=int, default=10, help="extra clients re-tapping the first stores' orders")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the copied database")
    args = parser.parse_args()
    if not args.source.startswith("postgres"):
        print("--source (or DATABASE_URL) must be the seeded PostgreSQL database", file=sys.stderr)
        return 2
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    os.environ["WORKBENCH_ENV"] = "production"

    target = make_url(args.source).database + "_pickup_load"
    start = time.perf_counter()
    url = copy_database(args.source, target)
    say("database_copy", f"{target} ({time.perf_counter() - start:.1f} s)")
    proc = None
    try:
        plan = prepare(url, args.stores, args.per_store)
        orders = [oid for e in plan for oid, _ in e["orders"]]
        say("stores", len(plan))
        say("orders_waiting", len(orders))
        sessions_for(plan, url)
        port = free_port()
        proc = gunicorn("wsgi:app", port, {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
                        workers=args.workers, extra=("--backlog", "512", "--timeout", "60"))
        say("gunicorn_workers", args.workers)

        results: list[tuple[str, int, float]] = []
        lock = threading.Lock()
        clients = [(f"store{i}", e) for i, e in enumerate(plan)]
        clients += [(f"racer{i}", plan[i % len(plan)]) for i in range(args.racers)]
        say("clients", f"{len(clients)} ({len(plan)} owners + {args.racers} second phones at the same counters)")
        barrier = threading.Barrier(len(clients))

        def run(name: str, entry: dict) -> None:
            barrier.wait()
            for order_id, member_id in entry["orders"]:
                status, ms = tap(port, entry, order_id, member_id)
                with lock:
                    results.append((name, status, ms))

        threads = [threading.Thread(target=run, args=c) for c in clients]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0

        statuses = Counter(s for _, s, _ in results)
        latencies = [ms for _, _, ms in results]
        say("taps_sent", len(results))
        for status, n in sorted(statuses.items()):
            say(f"answers_{status}", n)
        say("seconds", elapsed)
        say("throughput_taps_per_s", len(results) / elapsed)
        say("latency_p50_ms", statistics.median(latencies))
        say("latency_p95_ms", percentile(latencies, 0.95))

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            live = conn.execute(sa.text("SELECT count(*) FROM pickup_verifications "
                                        "WHERE order_id = ANY(:ids) AND undone_at IS NULL"), {"ids": orders}).scalar()
            doubles = conn.execute(sa.text("SELECT count(*) FROM (SELECT order_id FROM pickup_verifications "
                                           "WHERE undone_at IS NULL GROUP BY order_id HAVING count(*) > 1) d")).scalar()
            picked = conn.execute(sa.text("SELECT count(*) FROM orders WHERE id = ANY(:ids) AND status = 'picked_up'"),
                                  {"ids": orders}).scalar()
        engine.dispose()
        errors = sum(n for s, n in statuses.items() if s >= 500 or s == 0)
        say("live_verifications", live)
        say("orders_with_two_live_verifications", doubles)
        say("orders_picked_up", picked)
        say("http_errors_5xx_or_connection", errors)
        ok = live == len(orders) and doubles == 0 and picked == len(orders) and errors == 0 \
            and statuses.get(200, 0) == len(orders)
        say("check", "pass" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if proc is not None:
            stop(proc)
        if not args.keep:
            drop_database(url)
            say("database_dropped", target)


if __name__ == "__main__":
    raise SystemExit(main())
