"""Site-wide routes: the landing redirect and a health check."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from workbench.auth.views import home_for
from workbench.degraded import health

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Send users to their home page, or to the login page."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login")
def login():
    """``/login`` is where people guess the login page is; it lives at ``/auth/login``."""
    return redirect(url_for("auth.login", **request.args.to_dict()), 301)


@bp.route("/healthz")
def healthz():
    """For the run script, monitors and load balancers: 200 when the database and Redis
    answer, else 503 naming which is down (``{"database": "ok", "redis": "down", …}``).

    No login: it says only up or down, never an address or an error text.
    """
    body, status = health()
    return body, status, {"Cache-Control": "no-store"}
