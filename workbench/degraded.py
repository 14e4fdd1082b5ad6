"""Degrading instead of dying: health checks and the 503 for a busy or missing backend.

A database that is locked (SQLite under a long write) or unreachable, and a Redis that
is paused or gone, are outages of the machinery, not bad requests: the user gets a
plain Chinese "try again in a moment" with ``503`` and ``Retry-After``, never a 500,
and ``/healthz`` says which backend is down without saying why (no URLs, no errors).
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from workbench.extensions import db

log = logging.getLogger(__name__)

# Seconds a health probe may wait on Redis: a paused server must not hold the probe.
REDIS_PROBE_TIMEOUT = 1.0
RETRY_AFTER_SECONDS = 5


def check_database() -> bool:
    """Whether the database answers a read of a real table within the busy timeout.

    ``SELECT 1`` alone would pass on a SQLite file locked by a writer: it touches no page.
    """
    from workbench.models import User

    try:
        db.session.execute(select(User.id).limit(1))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def _probe_client(app: Flask) -> Redis:
    client = app.extensions.get("workbench_redis_probe")
    if client is None:
        client = Redis.from_url(app.config["REDIS_URL"], socket_timeout=REDIS_PROBE_TIMEOUT,
                                socket_connect_timeout=REDIS_PROBE_TIMEOUT, retry=Retry(NoBackoff(), 1))
        app.extensions["workbench_redis_probe"] = client
    return client


def check_redis() -> bool:
    try:
        return bool(_probe_client(current_app).ping())
    except (RedisError, OSError):
        return False


def health() -> tuple[dict, int]:
    """The ``/healthz`` body and status: 200 when every backend answers, else 503."""
    checks = {"database": check_database(), "redis": check_redis()}
    body = {name: "ok" if up else "down" for name, up in checks.items()}
    ok = all(checks.values())
    body["status"] = "ok" if ok else "degraded"
    return body, 200 if ok else 503


def _unavailable(title: str, message: str):
    """A 503 page (or fragment, or JSON) that needs neither the database nor Redis."""
    from flask_login import AnonymousUserMixin

    from workbench.web import render

    # The user loader may be what just failed; rendering the page must not call it again
    # (another busy-timeout wait), so the error page treats the visitor as signed out.
    if getattr(g, "_login_user", None) is None:
        g._login_user = AnonymousUserMixin()
    if request.accept_mimetypes.best == "application/json":  # a script or monitor, not a page
        response = current_app.json.response({"error": message})
        response.status_code = 503
    else:
        try:
            response = render("errors/error.html", "errors/_error.html", status=503, title=title, message=message)
        except Exception:  # noqa: BLE001 - the page itself hit the outage: plain text still tells the user
            log.exception("rendering the 503 page failed")
            response = current_app.response_class(f"{title}\n{message}\n", 503, mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection went with the outage; the pool replaces it
        log.warning("rollback after an outage failed", exc_info=True)


def register(app: Flask) -> None:
    """Map backend outages to a 503 (registered after the general error handlers)."""

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        _rollback()
        if "locked" in str(error.orig).lower() or "timeout" in str(error.orig).lower():
            log.warning("database busy on %s %s: %s", request.method, request.path, error.orig)
            return _unavailable(_("Busy right now"),
                                _("The system is busy right now. Please wait a few seconds and try again."))
        log.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        return _unavailable(_("Service unavailable"),
                            _("The system cannot be reached right now. Please try again in a moment."))

    @app.errorhandler(RedisError)
    def queue_unavailable(error: RedisError):
        # Pages never need Redis; only launching or checking background work does.
        _rollback()
        log.error("redis unavailable on %s %s: %s", request.method, request.path, error)
        return _unavailable(_("Service unavailable"),
                            _("Background work is unavailable right now. Please try again in a moment."))
