"""Push-choice backtest (run by hand): how often did pushed products sell above their own
28-day average on the day they were pushed?

    DATABASE_URL=... .venv/bin/python bench/push_backtest.py [--today 2026-12-06] [--days 14] [--run]

Reads the scored push cards of every store for the ``--days`` days before ``--today``
through ``workbench.suggestions.accuracy.push_hits`` — the function behind the figure on
HQ's suggestions page. Those cards are what the real engine chose on each day from data
up to the day before (the nightly run, or the fresh-start backfill job); ``--run`` first
runs that backfill here (``suggestions.jobs.backfill``) for a database without them.
The share is evidence only when it is well above what any product reaches on any day, so
that base rate is printed too: every (store, product, day) of the window whose product
sold in the 28 days before, above its own 28-day average?

Prints ``name: value`` lines.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--today", type=date.fromisoformat, default=None)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--run", action="store_true", help="run the backfill job first")
    args = ap.parse_args()

    from sqlalchemy import select

    from workbench import create_app
    from workbench.extensions import db
    from workbench.formatting import local_today
    from workbench.stores.models import Store
    from workbench.suggestions import jobs
    from workbench.suggestions.accuracy import push_hits

    app = create_app()
    with app.app_context():
        today = args.today or local_today()
        if args.run:
            t = time.perf_counter()
            jobs.backfill(today.isoformat(), args.days)
            print(f"push_backtest_run_seconds: {time.perf_counter() - t:.1f}")
        first, last = today - timedelta(days=args.days), today - timedelta(days=1)
        hits = push_hits(db.session, select(Store.id), first, last)
        print(f"push_backtest_window: {first.isoformat()}..{last.isoformat()}")
        print(f"push_cards_scored: {hits.cards}")
        print(f"push_sold_above_own_28d_average: {hits.above}")
        print(f"push_hit_rate: {hits.rate:.3f}" if hits.rate is not None else "push_hit_rate: —")
        print(f"any_product_day_above_own_28d_average: {_base_rate(db.session, first, last):.3f}")


def _base_rate(session, first: date, last: date) -> float:
    """Share of (store, product, day) of the window selling above the product's 28 days before."""
    from sqlalchemy import select

    from workbench.formatting import SHANGHAI
    from workbench.orders.models import NOT_SALES, Order, OrderItem
    from workbench.timeutil import local_days_utc

    start, end = local_days_utc(first - timedelta(days=28), last)
    sold: dict[tuple[int, int, date], float] = defaultdict(float)
    rows = session.execute(
        select(Order.store_id, OrderItem.product_id, Order.placed_at, OrderItem.quantity)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.placed_at >= start, Order.placed_at < end, Order.status.not_in(NOT_SALES)))
    for store, product, placed, q in rows:
        sold[(store, product, placed.astimezone(SHANGHAI).date())] += float(q or 0)
    above = total = 0
    for s, p in {(s, p) for s, p, _ in sold}:
        for k in range((last - first).days + 1):
            day = first + timedelta(days=k)
            usual = sum(sold.get((s, p, day - timedelta(days=j)), 0.0) for j in range(1, 29)) / 28
            if usual <= 0:
                continue
            total += 1
            above += sold.get((s, p, day), 0.0) > usual
    return above / total if total else float("nan")


if __name__ == "__main__":
    main()
