"""CSRF on every POST, including htmx requests (token in the layout's ``hx-headers``)."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from tests.factories import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")
FORM_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
HX_HEADERS = re.compile(r"hx-headers='([^']*)'|hx-headers=\"([^\"]*)\"")


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def form_token(page: str) -> str:
    match = FORM_TOKEN.search(page)
    assert match, "no csrf_token hidden field in the form"
    return match.group(1) or match.group(2)


def layout_token(page: str) -> str:
    """The token the layout hands htmx once, as ``hx-headers='{"X-CSRFToken": …}'``."""
    match = HX_HEADERS.search(page)
    assert match, "the layout has no hx-headers attribute"
    headers = json.loads(html.unescape(match.group(1) or match.group(2)))
    assert headers.get("X-CSRFToken"), headers
    return headers["X-CSRFToken"]


def login_with_token(client, user):
    page = client.get("/auth/login").get_data(as_text=True)
    response = client.post(
        "/auth/login",
        data={"login": user.username, "password": PASSWORD, "csrf_token": form_token(page)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def expired_message(app) -> str:
    with app.test_request_context(), force_locale("zh_CN"):
        text = _("Page expired")
    assert CJK.search(text), "no zh_CN translation for the CSRF error page (are the .mo files compiled?)"
    return text


def test_login_without_token_is_400_in_chinese_and_logs_nobody_in(csrf_app, client, world):
    response = client.post("/auth/login", data={"login": world.owner_a.username, "password": PASSWORD})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert expired_message(csrf_app) in body
    assert client.get("/store/today").status_code == 302


def test_login_with_form_token_works(csrf_app, client, world):
    login_with_token(client, world.owner_a)
    assert client.get("/store/today").status_code == 200


def test_wrong_token_is_refused(csrf_app, client, world):
    client.get("/auth/login")
    response = client.post(
        "/auth/login",
        data={"login": world.owner_a.username, "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 400


def test_token_from_another_session_is_refused(csrf_app, world):
    """A token is bound to its session: one taken from another browser does not work."""
    attacker = csrf_app.test_client()
    stolen = form_token(attacker.get("/auth/login").get_data(as_text=True))
    victim = login_with_token(csrf_app.test_client(), world.owner_a)
    response = victim.post("/auth/logout", headers={"X-CSRFToken": stolen})
    assert response.status_code == 400
    assert victim.get("/store/today").status_code == 200


def test_layout_carries_the_token_for_htmx(csrf_app, client, world):
    login_with_token(client, world.owner_a)
    page = client.get("/store/today").get_data(as_text=True)
    assert layout_token(page)


def test_post_without_token_changes_nothing(csrf_app, client, world):
    login_with_token(client, world.owner_a)
    response = client.post("/auth/logout", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert expired_message(csrf_app) in response.get_data(as_text=True)
    assert client.get("/store/today").status_code == 200  # still logged in


def test_htmx_post_with_header_token_is_accepted(csrf_app, client, world):
    login_with_token(client, world.owner_a)
    token = layout_token(client.get("/store/today").get_data(as_text=True))
    response = client.post("/auth/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303
    assert client.get("/store/today").status_code == 302  # logged out


def test_staff_layout_carries_the_token_too(csrf_app, client, world):
    login_with_token(client, world.hq)
    page = client.get("/hq/stores").get_data(as_text=True)
    token = layout_token(page)
    assert client.post("/auth/logout", headers={"X-CSRFToken": token}).status_code == 303
