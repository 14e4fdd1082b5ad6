"""``flask jobs worker`` (an RQ worker whose jobs run in this app's context) and ``flask jobs cron``."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of forking.")
def worker(burst: bool, simple: bool) -> None:
    """Process the app's queue until stopped (or until empty with --burst)."""
    from rq import SimpleWorker, Worker

    # Workers scale by process (one per core, more on more machines); a LightGBM fit
    # that also takes every core in each of them oversubscribes the CPU. Measured on
    # the nightly suggestions run, 200 stores, 2 workers on 2 cores: 314 s with two
    # threads per worker, 93 s with one. FORECAST_THREADS set in the environment still wins.
    os.environ.setdefault("FORECAST_THREADS", "1")

    from workbench.jobs.backoff import keep_running
    from workbench.jobs.queue import get_queue

    queue = get_queue()

    class Resilient(SimpleWorker if simple else Worker):
        """Remembers whether it was told to stop, to tell that from giving up on Redis."""

        stop_signalled = False
        max_connection_wait_time = 30.0  # rq's own reconnect backoff, capped like ours

        def request_stop(self, signum, frame):
            self.stop_signalled = True
            super().request_stop(signum, frame)

    def run_once() -> bool:
        # Records left "running" by a worker that died are settled from RQ's registries
        # (inside the retried part: it needs Redis too).
        _refresh_open()
        # A fresh Worker each time: rq's teardown has already registered the old one's death.
        w = Resilient([queue], connection=queue.connection)
        current_app.logger.info("worker listening on %s", queue.name)
        w.work(burst=burst, with_scheduler=True)
        return burst or w.stop_signalled

    keep_running(run_once, "worker")




def _refresh_open() -> int:
    from workbench.extensions import db
    from workbench.jobs.state import refresh_open

    changed = refresh_open(db.session)
    db.session.commit()
    if changed:
        current_app.logger.warning("%d job record(s) closed: RQ had given up on them", changed)
    return changed


@jobs_cli.command("reconcile")
def reconcile() -> None:
    """Bring every queued or running job record in line with what RQ knows (failed, abandoned, lost)."""
    click.echo(f"records changed: {_refresh_open()}")


@jobs_cli.command("cron")
def cron() -> None:
    """Run rq's cron scheduler for every periodic job (run exactly one of these).

    05:00 Asia/Shanghai: the nightly suggestions; 00:05: closing the month just ended.
    """
    from workbench.jobs.backoff import keep_running
    from workbench.jobs.cron import cron_scheduler
    from workbench.jobs.queue import get_queue

    queue = get_queue()
    scheduler = cron_scheduler(queue.connection, queue.name)
    for job in scheduler.get_jobs():
        click.echo(f"cron: {job.name} at '{job.cron}' UTC on queue {queue.name}")

    def run_once() -> bool:
        # The same scheduler each time: a job that fell due during an outage keeps its
        # past due time and is enqueued as soon as Redis answers again.
        scheduler.start()  # returns only when asked to stop; a Redis error propagates
        return True

    keep_running(run_once, "cron")
