"""A row per background job, keyed by the RQ job id, so pages can show its state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workbench.extensions import db
from workbench.types import UTCDateTime, in_check, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
#: The partial index's predicate, spelled the same for SQLite and PostgreSQL.
_ACTIVE_SQL = text("status IN ('queued', 'running')")


class JobRecord(db.Model):
    __tablename__ = "job_records"
    __table_args__ = (
        CheckConstraint(in_check("status", JobStatus), name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        Index("ix_job_records_name_status", "name", "status"),
        # The duplicate guard: at most one queued or running job per identity (kind +
        # scope + period). Two requests racing to launch the same job cannot both insert;
        # the loser reads the winner's row (``jobs.queue.launch``).
        Index("uq_job_records_active", "name", "scope", "period", unique=True,
              sqlite_where=_ACTIVE_SQL, postgresql_where=_ACTIVE_SQL),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the RQ job id
    name: Mapped[str] = mapped_column(String(80))  # the kind: dotted job function
    #: What the job works on: "store:<id>", "plan:<id>", "stores:<first>-<last>", "" for the brand.
    scope: Mapped[str] = mapped_column(String(40), default="", server_default="")
    #: The month or day it is for ("2026-10", "2026-11-05"), "" when it has none.
    period: Mapped[str] = mapped_column(String(20), default="", server_default="")
    description: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def done(self) -> bool:
        return self.status in (JobStatus.FINISHED, JobStatus.FAILED)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
