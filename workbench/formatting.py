"""Display formats: money in yuan, Shanghai local time, masked phones, Chinese labels."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

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
    """A date as ``2026-11-22``; empty for None."""
    return value.isoformat() if value else ""


def percent(value: float | None, digits: int = 0) -> str:
    """A ratio as a percentage: 0.125 → ``13%`` (``digits`` decimals)."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def basis_points(bp: int | None) -> str:
    """A rate in basis points as a percentage: 850 → ``8.5%``, 1000 → ``10%``."""
    if bp is None:
        return "—"
    whole, rest = divmod(int(bp), 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def number(value: int | float | None) -> str:
    """An integer count with thousands separators: 12345 → ``12,345``."""
    if value is None:
        return "—"
    return f"{int(round(value)):,}"


def signed_percent(value: float | None) -> str:
    """A change as ``+12%`` / ``-8%``; ``—`` when there is nothing to compare with."""
    if value is None:
        return "—"
    return f"{value * 100:+.0f}%"


WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


def weekday(value: date | None) -> str:
    """The short weekday name of a date in the current locale (周一 … 周日)."""
    if value is None:
        return ""
    return str(WEEKDAYS[value.weekday()])


def rain(tenths_mm: int | None) -> str:
    """Rain in tenths of a millimetre as the grade a Chinese forecast uses (小雨, 中雨 …).

    Thresholds are the China Meteorological Administration's 24-hour grades.
    """
    if tenths_mm is None:
        return "—"
    mm = tenths_mm / 10
    if mm <= 0:
        return str(_l("No rain"))
    if mm < 10:
        return str(_l("Light rain"))
    if mm < 25:
        return str(_l("Moderate rain"))
    if mm < 50:
        return str(_l("Heavy rain"))
    return str(_l("Rainstorm"))


#: Display names for the enum values stored in the database, by kind.
LABELS = {
    "profile": {
        "premium": _l("Upscale"),
        "young_family": _l("Young families"),
        "elderly": _l("Seniors"),
        "mixed": _l("Mixed"),
    },
    "household": {
        "young_family": _l("Young families"),
        "elderly": _l("Seniors"),
        "professional": _l("Professionals"),
        "mixed": _l("Mixed"),
    },
    "role": {
        "owner": _l("Store owner"),
        "regional": _l("Regional manager"),
        "hq": _l("HQ operations"),
        "admin": _l("Administrator"),
    },
    "job_status": {
        "queued": _l("Queued"),
        "running": _l("Running"),
        "finished": _l("Done"),
        "failed": _l("Failed"),
    },
    "order_status": {
        "placed": _l("Placed"),
        "paid": _l("Paid"),
        "grouped": _l("Group formed"),
        "failed": _l("Group failed"),
        "packed": _l("Packed"),
        "shipped": _l("Shipped"),
        "arrived": _l("Ready for pickup"),
        "picked_up": _l("Picked up"),
        "refunded": _l("Refunded"),
        "cancelled": _l("Cancelled"),
    },
    "campaign_status": {
        "draft": _l("Draft"),
        "active": _l("Open"),
        "grouped": _l("Group formed"),
        "failed": _l("Group failed"),
        "closed": _l("Closed"),
        "cancelled": _l("Cancelled"),
    },
    "statement_status": {
        "open": _l("Month to date"),
        "closed": _l("Closed, to be confirmed"),
        "confirmed": _l("Confirmed"),
        "paid": _l("Paid"),
    },
    "line_kind": {
        "earning": _l("Pickup"),
        "clawback": _l("Clawback"),
        "adjustment": _l("Adjustment"),
    },
    "line_status": {
        "pending": _l("Pending"),
        "payable": _l("Payable"),
        "paid": _l("Paid"),
    },
    "tier_mode": {
        "whole": _l("Whole-month rate: the tier reached sets the rate for all of the month's sales"),
        "marginal": _l("Banded rate: each band of sales earns its own tier's rate"),
    },
}


def label(value: str | None, kind: str) -> str:
    """The display name of a stored enum ``value`` of ``kind``; unknown values show as is."""
    if value is None:
        return ""
    found = LABELS.get(kind, {}).get(str(value))
    return str(found) if found is not None else str(value)


def html_lang() -> str:
    """The current locale as an HTML ``lang`` value: ``zh-CN`` or ``en``.

    Babel expands zh_CN to zh_Hans_CN (which is also why the Chinese catalog lives in
    ``translations/zh_Hans_CN``); pages say the shorter, conventional ``zh-CN``.
    """
    locale = get_locale()
    if locale is None:
        return "zh-CN"
    return "-".join(part for part in (locale.language, locale.territory) if part)


def register(app: Flask) -> None:
    """Expose the formats as Jinja filters and the locale helpers as globals."""
    for f in (money, mask_phone, local_time, iso_date, percent, basis_points, number,
              signed_percent, weekday, rain, label):
        app.add_template_filter(f)
    app.add_template_global(html_lang)
    app.add_template_global(local_today)
