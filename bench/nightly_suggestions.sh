#!/bin/bash
# The whole nightly suggestions run (score, forecast, cards) on a large-preset database:
# fan out by store batch, two burst RQ workers, wall time and each worker's peak RSS.
# Run by hand: DATABASE_URL=postgresql+psycopg://.../<large preset db> REDIS_URL=redis://127.0.0.1:6379/5 bench/nightly_suggestions.sh
# It deletes that database's suggestions and job records first, and flushes that Redis db.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a database seeded with flask demo seed --preset large}"
: "${REDIS_URL:?set REDIS_URL to a scratch Redis database}"
export FLASK_APP=wsgi.py
.venv/bin/python - <<'PY'
import os
from redis import Redis
from sqlalchemy import create_engine, text
from workbench.config import normalise_database_url
Redis.from_url(os.environ["REDIS_URL"]).flushdb()
with create_engine(normalise_database_url(os.environ["DATABASE_URL"])).begin() as conn:
    conn.execute(text("DELETE FROM suggestions"))
    conn.execute(text("DELETE FROM job_records"))
PY
start=$(date +%s.%N)
.venv/bin/flask suggestions run --fan-out | tail -1
/usr/bin/time -f "worker_peak_rss_kb=%M" .venv/bin/flask jobs worker --burst > /tmp/w1.log 2>&1 &
/usr/bin/time -f "worker_peak_rss_kb=%M" .venv/bin/flask jobs worker --burst > /tmp/w2.log 2>&1 &
wait
end=$(date +%s.%N)
echo "nightly_wall_seconds: $(python3 -c "print(round($end - $start, 1))")"
export BENCH_START=$start
grep -h worker_peak_rss_kb /tmp/w1.log /tmp/w2.log | sed "s/=/: /"
.venv/bin/python - <<'PY'
import os
from sqlalchemy import create_engine, text
from workbench.config import normalise_database_url
with create_engine(normalise_database_url(os.environ["DATABASE_URL"])).connect() as conn:
    cards, stores = conn.execute(text("SELECT count(*), count(DISTINCT store_id) FROM suggestions")).one()
    print(f"nightly_cards: {cards}\nnightly_stores: {stores}")
    for status, n in conn.execute(text("SELECT status, count(*) FROM job_records GROUP BY status")):
        print(f"nightly_jobs_{status}: {n}")
    # Until the last batch finished: a burst worker can take a while to exit after it
    # (the wall time above includes that; a long-lived nightly worker does not wait for it).
    last = conn.execute(text("SELECT max(finished_at) FROM job_records")).scalar()
    if last is not None:
        if isinstance(last, str):
            from datetime import datetime
            last = datetime.fromisoformat(last)
        print(f"nightly_jobs_done_seconds: {last.timestamp() - float(os.environ['BENCH_START']):.1f}")
PY
