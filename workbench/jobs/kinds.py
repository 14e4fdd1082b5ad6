"""What each kind of job links to: its result once finished, how to launch it again once failed.

Each domain registers its kinds next to the view that launches them (``register``), so
the job-status fragment shows the right link without knowing any domain: a finished
statement PDF links to the file, a finished recompute to the stores list, a failed PDF
offers a button that posts the same request again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.jobs.models import JobRecord, JobStatus

Link = tuple[str, str]  # (url, label)
Action = tuple[str, dict]  # (url to POST, form fields)


@dataclass(frozen=True)
class JobKind:
    name: str
    result: Callable[[JobRecord], Link | None] | None = None
    retry: Callable[[JobRecord], Action | None] | None = None


_KINDS: dict[str, JobKind] = {}


def register(name: str, *, result: Callable[[JobRecord], Link | None] | None = None,
             retry: Callable[[JobRecord], Action | None] | None = None) -> JobKind:
    """Register (or replace) what job kind ``name`` links to; called at import of the launching view."""
    kind = JobKind(name, result, retry)
    _KINDS[name] = kind
    return kind


def result_link(job: JobRecord) -> Link | None:
    """(url, label) of a finished job's result, or None."""
    kind = _KINDS.get(job.name)
    if job.status != JobStatus.FINISHED or kind is None or kind.result is None:
        return None
    return kind.result(job)


def retry_action(job: JobRecord) -> Action | None:
    """(url, form fields) that launch a failed job again, or None."""
    kind = _KINDS.get(job.name)
    if job.status != JobStatus.FAILED or kind is None or kind.retry is None:
        return None
    return kind.retry(job)
