"""Rendering helpers shared by every blueprint."""

from __future__ import annotations

from collections.abc import Callable

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


def wants_json() -> bool:
    """True when the client asked for JSON rather than HTML (the job endpoints' scripts)."""
    best = request.accept_mimetypes.best_match(("text/html", "application/json"))
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render(page: str, fragment: str | None = None, *, status: int = 200,
           full: Callable[[], dict] | None = None, **context) -> Response:
    """Render ``fragment`` alone for an htmx swap, else the full ``page``.

    The fragment template is the same one the page includes, so both stay in step.
    ``context`` is what the fragment needs; a page that needs more (the rest of the page
    around the fragment) gets it from ``full``, called only when the whole page is
    rendered. Without ``full`` the page gets ``context`` alone, so a view must never pass a
    fragment's context for a page that needs more: that was a 500 (``'plan' is
    undefined``) on a plain POST. Errors are raised as ``workbench.errors.ServiceError``
    instead of being rendered into a page.

    ``Vary: HX-Request`` keeps caches from serving one in place of the other. A fragment
    carries any pending flash messages as an out-of-band swap of the layout's
    ``#flashes`` box, so views flash the same way whether or not htmx asked.
    """
    as_fragment = bool(fragment) and wants_fragment()
    if not as_fragment and full is not None:
        context = {**full(), **context}
    body = render_template(fragment if as_fragment else page, **context)
    if as_fragment and session.get("_flashes"):
        body += render_template("_flashes.html", oob=True)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
