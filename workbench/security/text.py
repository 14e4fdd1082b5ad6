"""One filter for invisible and direction-changing characters in what people type.

Zero-width spaces, bidi overrides (U+202E turns ``gpj.exe`` into ``exe.jpg`` on screen),
tag characters and stray control codes make two names that look the same compare
different, or make a note read differently than it was written. They are stripped from
every submitted form field (``CleanRequest``) and from CSV cells before anything is
matched or stored. Line breaks and tabs stay: notes and pastes are multi-line.
"""

from __future__ import annotations

import re

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

# Format characters (Unicode category Cf) people never mean to type, and C0/C1 controls
# other than tab, line feed and carriage return.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)

#: Form fields passed through untouched: a password is compared, never shown.
UNFILTERED_FIELDS = frozenset({"password", "csrf_token"})


def strip_invisible(value: str) -> str:
    """``value`` without invisible or bidi control characters."""
    return _INVISIBLE.sub("", value) if value else value


def has_invisible(value: str) -> bool:
    return bool(value) and _INVISIBLE.search(value) is not None


class CleanFormMixin:
    """A request whose ``form`` has invisible characters stripped (one place for every
    view and form, htmx or not)."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if not form or not any(has_invisible(v) for k, v in form.items(multi=True)
                               if k not in UNFILTERED_FIELDS):
            return
        self.__dict__["form"] = ImmutableMultiDict(
            [(k, v if k in UNFILTERED_FIELDS else strip_invisible(v)) for k, v in form.items(multi=True)]
        )


def clean_request_class(base: type[Request]) -> type[Request]:
    """``base`` (Flask's, or an extension's subclass) with ``CleanFormMixin`` in front."""
    if issubclass(base, CleanFormMixin):
        return base
    return type(f"Clean{base.__name__}", (CleanFormMixin, base), {})
