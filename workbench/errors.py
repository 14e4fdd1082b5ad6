"""Chinese error pages (and fragments for htmx), with the session rolled back on 500."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

from workbench.extensions import db
from workbench.web import render


def _page(status: int, title: str, message: str):
    return render("errors/error.html", "errors/_error.html", status=status, title=title, message=message)


def register(app: Flask) -> None:
    """Attach the handlers for the statuses users can meet."""

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
