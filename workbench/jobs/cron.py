"""The schedule of the one cron process (``flask jobs cron``): every periodic job of the app.

rq's ``CronScheduler`` enqueues each job on the app's queue at its time; any worker runs
it. rq's cron works in UTC (Shanghai has no daylight saving, so a fixed offset is right).
Run exactly one cron process: the scheduler takes no lock, two would enqueue twice.

Each domain owns its schedule (a function ``schedule(scheduler, queue_name)``); the app
factory registers them with ``register_schedule``, so this package imports no domain.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Flask, current_app

Schedule = Callable[[object, str], None]
_SCHEDULES = "workbench.cron_schedules"


def register_schedule(app: Flask, schedule: Schedule) -> None:
    """Add a domain's periodic jobs to what ``cron_scheduler`` sets up for ``app``."""
    app.extensions.setdefault(_SCHEDULES, []).append(schedule)


def cron_scheduler(connection, queue_name: str):
    """A ``CronScheduler`` with every registered domain's periodic jobs (needs an app context)."""
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=connection, name=f"workbench-cron-{uuid.uuid4().hex[:6]}")
    for schedule in current_app.extensions.get(_SCHEDULES, ()):
        schedule(scheduler, queue_name)
    return scheduler
