"""Display formats: money in yuan, Shanghai local time, masked phones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

SHANGHAI = ZoneInfo("Asia/Shanghai")


def money(fen: int | None) -> str:
    """Fen as yuan with thousands separators: 123450 → ``¥1,234.50``; negative keeps its sign."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def mask_phone(phone: str | None) -> str:
    """``13812341234`` → ``138****1234``; short or odd numbers keep only their tail."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" + digits[-4:]


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime shown in Asia/Shanghai."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI).strftime(fmt)


def local_today() -> date:
    """Today's date in Shanghai, which is what 'today' means to a store."""
    return datetime.now(SHANGHAI).date()


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def register(app: Flask) -> None:
    """Expose the formats as Jinja filters."""
    app.add_template_filter(money)
    app.add_template_filter(mask_phone)
    app.add_template_filter(local_time)
    app.add_template_filter(iso_date)
    app.add_template_filter(percent)
