"""``flask jobs worker``: an RQ worker whose jobs run in this app's context."""

from __future__ import annotations

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

    from workbench.jobs.queue import get_queue

    queue = get_queue()
    cls = SimpleWorker if simple else Worker
    w = cls([queue], connection=queue.connection)
    current_app.logger.info("worker listening on %s", queue.name)
    w.work(burst=burst, with_scheduler=True)
