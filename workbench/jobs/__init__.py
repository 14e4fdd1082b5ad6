"""Background jobs: ``from workbench.jobs import launch, launch_many`` (see ``workbench.jobs.queue``).

The names are resolved on first use, so importing the models (``workbench.jobs.models``)
does not pull in Redis and RQ.
"""

from __future__ import annotations

_QUEUE_NAMES = ("JobSpec", "QueueUnavailable", "launch", "launch_many")


def __getattr__(name: str):
    if name in _QUEUE_NAMES:
        from workbench.jobs import queue

        return getattr(queue, name)
    raise AttributeError(f"module 'workbench.jobs' has no attribute {name!r}")


__all__ = list(_QUEUE_NAMES)
