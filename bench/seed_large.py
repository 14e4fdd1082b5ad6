"""Time and peak memory of ``flask demo seed --preset large`` on SQLite and PostgreSQL.

Each database is fresh: a new SQLite file, a new PostgreSQL database (created and dropped
here, on ``--pg-url``'s server). The schema comes from the migrations, as in production.
The seed runs in a child process; its peak RSS is read from ``os.wait4``'s rusage.

    .venv/bin/python bench/seed_large.py [--only sqlite|postgresql] [--progress]

Prints ``name: value`` lines, e.g. ``seed_large_sqlite_seconds: 98.1``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
COUNTED = ("orders", "order_items", "members", "interactions", "pickup_verifications", "stock_batches")


def run_child(args: list[str], env: dict[str, str], quiet: bool) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB) of that child alone."""
    start = time.perf_counter()
    # Output goes to files, not pipes, so a chatty child can never block on a full pipe.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out if quiet else None, stderr=err if quiet else None)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        output = out.read().decode() + err.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(output)
        raise SystemExit(f"{' '.join(args)} failed with {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        result = {t: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in COUNTED}
    engine.dispose()
    return result


def bench(name: str, url: str, workdir: Path, end_date: str, progress: bool) -> None:
    env = {**os.environ, "DATABASE_URL": url, "WORKBENCH_ENV": "development",
           "WORKBENCH_INSTANCE": str(workdir), "FLASK_APP": "wsgi", "SECRET_KEY": "bench-only"}
    flask = [sys.executable, "-m", "flask"]
    migrate_s, _ = run_child([*flask, "db", "upgrade"], env, quiet=True)
    seed_args = [*flask, "demo", "seed", "--preset", "large", "--end-date", end_date]
    if not progress:
        seed_args.append("--quiet")
    seconds, rss = run_child(seed_args, env, quiet=not progress)
    rows = counts(url)
    print(f"seed_large_{name}_seconds: {seconds:.1f}")
    print(f"seed_large_{name}_peak_rss_mb: {rss:.0f}")
    print(f"seed_large_{name}_migrate_seconds: {migrate_s:.1f}")
    for table, n in rows.items():
        print(f"seed_large_{name}_{table}: {n}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a maintenance database on the server to create the bench database from")
    parser.add_argument("--pg-db", default="wb_bench_seed_large")
    parser.add_argument("--end-date", default="2026-11-20")
    parser.add_argument("--progress", action="store_true", help="show the seed's progress bar")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="wb-seed-bench-"))
    print(f"cpu_count: {os.cpu_count()}")
    try:
        if args.only in (None, "sqlite"):
            db_file = workdir / "large.sqlite"
            bench("sqlite", f"sqlite:///{db_file}", workdir, args.end_date, args.progress)
            print(f"seed_large_sqlite_file_mb: {db_file.stat().st_size / 2**20:.0f}")
        if args.only in (None, "postgresql"):
            admin = sa.create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{args.pg_db}"'))
                conn.execute(sa.text(f'CREATE DATABASE "{args.pg_db}"'))
            try:
                url = admin.url.set(database=args.pg_db).render_as_string(hide_password=False)
                bench("postgresql", url, workdir, args.end_date, args.progress)
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)'))
                admin.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
