"""Locale and time-zone selection for Flask-Babel."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session


def select_locale() -> str:
    """The locale the user picked (``?lang=``, kept in the session), else zh_CN.

    The product speaks Chinese by default; the browser's Accept-Language is not used,
    because owners' phones are often set to English while they read Chinese.
    """
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # jobs and CLI commands speak the product's language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang")
    if wanted in supported:
        session["lang"] = wanted
    lang = session.get("lang")
    return lang if lang in supported else current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Every user sees Asia/Shanghai; times are stored in UTC."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
