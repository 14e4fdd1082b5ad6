"""The schedule of the one cron process (``flask jobs cron``): every periodic job of the app.

rq's ``CronScheduler`` enqueues each job on the app's queue at its time; any worker runs
it. rq's cron works in UTC (Shanghai has no daylight saving, so a fixed offset is right).
Run exactly one cron process: the scheduler takes no lock, two would enqueue twice.
"""

from __future__ import annotations

import uuid


def cron_scheduler(connection, queue_name: str):
    """A ``CronScheduler`` with every domain's periodic jobs registered."""
    from rq.cron import CronScheduler

    from workbench.commission.jobs import schedule as commission_schedule
    from workbench.suggestions.jobs import schedule as suggestions_schedule

    scheduler = CronScheduler(connection=connection, name=f"workbench-cron-{uuid.uuid4().hex[:6]}")
    suggestions_schedule(scheduler, queue_name)
    commission_schedule(scheduler, queue_name)
    return scheduler
