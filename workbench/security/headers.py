"""Security headers through flask-talisman: a Content-Security-Policy of this site only,
with a fresh nonce per response for the few inline ``<script>``/``<style>`` blocks left,
no framing, no MIME sniffing, a same-origin referrer, and HSTS in production.

Templates mark an inline block with ``nonce="{{ csp_nonce() }}"``; Python code that emits
one (the Plotly charts) calls ``csp_nonce()`` below. htmx re-creates the scripts it swaps
in; ``htmx-config``'s ``inlineScriptNonce`` (templates/base.html) gives them the page's
nonce, since a fragment's own nonce belongs to another response.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_talisman import Talisman

talisman = Talisman()

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # Plotly and the browser's own widgets draw with data: images; nothing else is remote.
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_nonce() -> str:
    """This response's CSP nonce ('' outside a request or with the policy off)."""
    return getattr(request, "csp_nonce", "") if has_request_context() else ""


def init_headers(app: Flask) -> None:
    production = app.config.get("ENV_NAME") == "production"
    talisman.init_app(
        app,
        content_security_policy=POLICY,
        content_security_policy_nonce_in=["script-src", "style-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
        x_content_type_options=True,
        # HTTPS is the reverse proxy's job (it redirects and terminates TLS); the app only
        # tells browsers to stay on HTTPS, and only in production: development and the
        # tests run over plain http.
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        strict_transport_security_include_subdomains=False,
        # The cookie flags stay in config.py (Secure in production only); talisman would
        # otherwise force Secure on every profile.
        session_cookie_secure=production,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
