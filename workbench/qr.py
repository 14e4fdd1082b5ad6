"""QR codes as inline SVG (pickup codes at the counter, campaign links on posters)."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> Markup:
    """An ``<svg>`` element for ``data``, sized in CSS pixels (modules × ``scale``), no XML declaration."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=scale, border=2, dark="#111", light="#fff", title=title or None)
    return Markup(svg)
