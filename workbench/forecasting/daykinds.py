"""Calendar day kinds as small integer codes for the models.

Uses ``workbench.calendar_cn`` (official holidays and make-up workdays, working after
2026) when it is importable; otherwise falls back to plain weekday/weekend so the
engine still runs (the holiday signal is then simply absent).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

KIND_CODES = {"workday": 0, "weekend": 1, "holiday": 2, "makeup_workday": 3}


def _fallback_kind(day: date) -> str:
    return "weekend" if day.weekday() >= 5 else "workday"


def _day_kind_function():
    try:
        from workbench.calendar_cn import day_kind  # written in parallel; may not exist yet
    except ImportError:
        return _fallback_kind
    return day_kind


def day_kinds(start: date, n_days: int) -> np.ndarray:
    """(n_days,) int8 codes of the days ``start``, ``start + 1`` … (see KIND_CODES)."""
    kind_of = _day_kind_function()
    out = np.empty(n_days, dtype=np.int8)
    for i in range(n_days):
        day = start + timedelta(days=i)
        try:
            kind = kind_of(day)
        except (NotImplementedError, ValueError, KeyError):
            kind = _fallback_kind(day)
        out[i] = KIND_CODES.get(str(getattr(kind, "value", kind)), KIND_CODES[_fallback_kind(day)])
    return out
