"""Rendering helpers shared by every blueprint."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page.

    Boosted navigation and history restores also send ``HX-Request``; they need the
    whole page, so they get it.
    """
    hx = request.headers
    return (
        hx.get("HX-Request") == "true"
        and hx.get("HX-Boosted") != "true"
        and hx.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, fragment: str | None = None, *, status: int = 200, **context) -> Response:
    """Render ``fragment`` alone for an htmx swap, else the full ``page``.

    The fragment template is the same one the page includes, so both stay in step.
    ``Vary: HX-Request`` keeps caches from serving one in place of the other.
    """
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
