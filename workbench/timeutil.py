"""Local (Asia/Shanghai) days versus UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from workbench.formatting import SHANGHAI


def local_day(moment: datetime) -> date:
    """The Shanghai calendar day of an instant (a naive value is UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).date()


def local_day_range(moment: datetime) -> tuple[datetime, datetime]:
    """Half-open UTC range [start, end) of the Shanghai day that contains ``moment``."""
    day = local_day(moment)
    return local_days_utc(day, day)


def day_start_utc(day: date) -> datetime:
    """The UTC instant at which local ``day`` begins in Shanghai."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def local_days_utc(first: date, last: date) -> tuple[datetime, datetime]:
    """Half-open UTC range [start, end) covering local days ``first``..``last``."""
    return day_start_utc(first), day_start_utc(last + timedelta(days=1))
