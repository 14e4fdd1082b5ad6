"""Local (Asia/Shanghai) days versus UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from workbench.formatting import SHANGHAI


def day_start_utc(day: date) -> datetime:
    """The UTC instant at which local ``day`` begins in Shanghai."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def local_days_utc(first: date, last: date) -> tuple[datetime, datetime]:
    """Half-open UTC range [start, end) covering local days ``first``..``last``."""
    return day_start_utc(first), day_start_utc(last + timedelta(days=1))
