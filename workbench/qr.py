"""QR codes as inline SVG (pickup codes at the counter and for members, campaign links on posters)."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> Markup:
    """An ``<svg>`` for ``data``: natural size modules × ``scale`` px, and a ``viewBox``.

    The ``viewBox`` lets CSS resize the code (phone screen, A4 poster) without cropping
    it; the ``width``/``height`` attributes keep its natural size where CSS says nothing.
    """
    code = segno.make(data, error="m", micro=False)
    size = code.symbol_size(scale=scale, border=2)[0]
    svg = code.svg_inline(scale=scale, border=2, dark="#111", light="#fff", title=title or None, omitsize=True)
    return Markup(svg.replace("<svg ", f'<svg width="{size}" height="{size}" preserveAspectRatio="xMidYMid meet" ', 1))
