"""Rendering helpers shared by every blueprint."""

from __future__ import annotations

from flask import Response, make_response, render_template, request, session


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
    ``Vary: HX-Request`` keeps caches from serving one in place of the other. A fragment
    carries any pending flash messages as an out-of-band swap of the layout's
    ``#flashes`` box, so views flash the same way whether or not htmx asked.
    """
    as_fragment = bool(fragment) and wants_fragment()
    body = render_template(fragment if as_fragment else page, **context)
    if as_fragment and session.get("_flashes"):
        body += render_template("_flashes.html", oob=True)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
