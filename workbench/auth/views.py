"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from workbench.auth.decorators import admin_required
from workbench.auth.forms import LoginForm
from workbench.auth.models import User
from workbench.auth.services import authenticate, normalise_login
from workbench.extensions import db, limiter

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None  # CR/LF (header splitting) or other control characters
    return target


def _login_key() -> str:
    """Rate-limit key for one account from one address: a wrong password for one login
    never blocks another user behind the same proxy or carrier address."""
    account = normalise_login(request.form.get("login", ""))[:40]
    return f"login:{get_remote_address()}:{account}"


def _login_address_key() -> str:
    return f"login-addr:{get_remote_address()}"


def home_for(user) -> str:
    """Where a user lands after login: owners on 今日, staff on the stores list."""
    return url_for("owner.today") if user.is_owner else url_for("hq.stores")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], key_func=_login_address_key,
               methods=["POST"])
def login():
    """Log in by phone number or username and password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(db.session, form.login.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or home_for(user))
        flash(_("Wrong phone/username or password."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (POST only, so a link or image cannot log someone out).

    The account's session version goes up, so this session cookie and any remember cookie
    (copied, or on another device) stop working: logging out signs out everywhere.
    """
    if current_user.is_authenticated:
        current_user.revoke_sessions()
        db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@admin_required
def sign_out_everywhere(user_id: int):
    """Admin: end every session and remember cookie of ``user_id`` (a lost phone, a
    departed owner). Signing out oneself this way also ends this session."""
    user = db.session.get(User, user_id) or abort(404)
    user.revoke_sessions()
    db.session.commit()
    flash(_("%(name)s is now signed out on every device.", name=user.name), "info")
    return redirect(safe_next(request.form.get("next")) or url_for("hq.stores"), 303)
