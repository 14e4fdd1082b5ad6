"""Flask-Login wiring: how a session cookie becomes ``current_user``."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from workbench.auth.models import User
from workbench.extensions import db, login_manager


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    # "basic", not "strong": phones change IP between mobile networks all day long.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return user_for_session_id(user_id)


def user_for_session_id(value: str) -> User | None:
    """The user a session's ``"<id>:<version>"`` names, if that version is still current.

    A bare id (a cookie from before session versions) or an old version is nobody: the
    cookie was issued before a logout, a password change or "sign out everywhere".
    """
    user_id, sep, version = value.partition(":")
    if not sep or not user_id.isdigit() or not version.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version or 1) != version:
        return None
    return user
