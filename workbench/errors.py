"""Errors users can meet, answered in one place: Chinese pages, htmx fragments, JSON for jobs.

Services and views raise a ``ServiceError`` (``Invalid`` 400, ``NotFound`` 404,
``Conflict`` 409, ``Unavailable`` 503) with the Chinese message the user should read; the
handler below rolls the session back and answers the way the request asked:

* an htmx swap gets ``fragment`` (an alert box by default) with the status: the layout's
  htmx config swaps 4xx/5xx answers, so the message lands where the result would have;
* a request for JSON (the job endpoints' clients) gets ``{"error": …, "message": …}``;
* anything else gets the full error page, with a way back to ``back`` when the raiser
  knows the page the user came from.

This replaces the rollback → flash → status ladder each view used to repeat. Views
that answer a refusal with their own content (the counter's card with the reason, a table
with the row's error) use ``refusal()``: the same rollback and flash, in one place, and
the status to render with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, flash, jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

from workbench.extensions import db
from workbench.web import render, wants_fragment, wants_json


class ServiceError(Exception):
    """A refusal with an HTTP status and a message in the user's language.

    ``fragment`` is the template an htmx request gets (it is given ``message``, ``status``
    and ``code``); ``back`` the address the full error page offers to return to.
    """

    status = 400
    code = "invalid"
    title = _l("Invalid request")
    #: The message when none is given (a lazy string: services raise outside a request too).
    default = None
    fragment = "errors/_alert.html"

    def __init__(self, message: str | None = None, *, code: str | None = None, back: str | None = None,
                 fragment: str | None = None) -> None:
        super().__init__(message or "")
        self._message = message
        if code:
            self.code = code
        if fragment:
            self.fragment = fragment
        self.back = back

    @property
    def message(self) -> str:
        """What the user reads (translated when read, so raising needs no request)."""
        return str(self._message or self.default or self.title)


class Invalid(ServiceError):
    status, code, title = 400, "invalid", _l("Invalid request")


class NotFound(ServiceError):
    status, code, title = 404, "not_found", _l("Not found")


class Conflict(ServiceError):
    status, code, title = 409, "conflict", _l("Cannot be done right now")


class Unavailable(ServiceError):
    status, code, title = 503, "unavailable", _l("Temporarily unavailable")


class Refusal:
    """What ``refusal()`` caught: the status to answer with (200 when nothing was refused) and the error."""

    status: int = 200
    error: ServiceError | None = None

    @property
    def message(self) -> str | None:
        return self.error.message if self.error else None


@contextmanager
def refusal(flash_it: bool = True) -> Iterator[Refusal]:
    """Run an action whose refusal re-renders the same page or fragment with a status.

    For views that answer a refused action with their own content (the counter's card,
    a table with the row's error) rather than an error box: a ``ServiceError`` raised in
    the block is rolled back, flashed (unless ``flash_it`` is false) and its status kept
    in the yielded ``Refusal``; a 404 is not a refusal and goes on to ``respond``. The rest
    of the block (the success flash) is skipped, as with any exception.
    """
    outcome = Refusal()
    try:
        yield outcome
    except ServiceError as exc:
        if exc.status == 404:
            raise
        db.session.rollback()
        if flash_it:
            flash(exc.message, "error")
        outcome.status, outcome.error = exc.status, exc


def respond(error: ServiceError):
    """The response for ``error`` (the session is rolled back: nothing of the action is kept)."""
    db.session.rollback()
    if wants_json():
        return jsonify(error=error.code, message=error.message), error.status
    if wants_fragment():
        return render(error.fragment, status=error.status, message=error.message, code=error.code)
    return render("errors/error.html", status=error.status, title=str(error.title), message=error.message,
                  back=error.back)


def _page(status: int, title: str, message: str):
    return render("errors/error.html", "errors/_error.html", status=status, title=title, message=message)


def register(app: Flask) -> None:
    """Attach the handlers for the statuses users can meet."""

    app.register_error_handler(ServiceError, respond)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _page(400, _("Page expired"), _("The form expired or came from elsewhere. Reload the page and try again."))

    @app.errorhandler(400)
    def bad_request(error):
        # Our own aborts carry a Chinese description; werkzeug's default one is English.
        own = error.description if error.description != BadRequest.description else None
        return _page(400, _("Invalid request"), own or _("Some of what was sent is not valid. Go back and check it."))

    @app.errorhandler(403)
    def forbidden(error):
        return _page(403, _("No access"), _("You do not have access to this page."))

    @app.errorhandler(404)
    def not_found(error):
        if wants_json():
            return jsonify(error="not_found", message=_("Not found")), 404
        return _page(404, _("Not found"), _("The page or record does not exist, or is not yours to see."))

    @app.errorhandler(413)
    def too_large(error):
        return _page(413, _("File too large"), _("The file is too large (8 MB at most). Please choose a smaller photo or file."))

    @app.errorhandler(429)
    def too_many(error):
        return _page(429, _("Too many attempts"), _("Too many attempts. Please wait a minute and try again."))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _page(500, _("Something went wrong"), _("Something went wrong on our side. It has been logged; please try again."))

    @app.errorhandler(HTTPException)
    def other_http(error: HTTPException):
        return _page(error.code or 500, error.name, error.description or "")


__all__ = ["Conflict", "Invalid", "NotFound", "Refusal", "ServiceError", "Unavailable", "refusal", "register",
           "respond"]
