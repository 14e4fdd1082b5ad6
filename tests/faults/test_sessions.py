"""Sessions can be revoked: a copied session or remember cookie stops working after logout,
a password change or an admin's "sign out everywhere"; the remember cookie is Lax, 30 days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.faults

HOME = "/store/today"


def remembered_login(client, user):
    r = client.post("/auth/login", data={"login": user.username, "password": PASSWORD, "remember": "y"})
    assert r.status_code == 302
    return r


def replay(app, name: str, value: str):
    """A fresh browser carrying only the copied cookie ``name``."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief.get(HOME)


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_session_cookie_replayed_after_logout_is_refused(app, world):
    client = login(app.test_client(), world.owner_a)
    copied = client.get_cookie("session").value
    assert replay(app, "session", copied).status_code == 200  # the copy works while logged in
    assert client.post("/auth/logout").status_code == 303
    assert is_login_redirect(replay(app, "session", copied))


def test_remember_cookie_replayed_after_logout_is_refused(app, world):
    client = app.test_client()
    remembered_login(client, world.owner_a)
    copied = client.get_cookie("remember_token").value
    assert replay(app, "remember_token", copied).status_code == 200
    client.post("/auth/logout")
    assert is_login_redirect(replay(app, "remember_token", copied))


def test_password_change_revokes_every_session(app, db, world):
    client = app.test_client()
    remembered_login(client, world.owner_a)
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    world.owner_a.set_password("a-new-password")
    db.session.commit()
    assert is_login_redirect(client.get(HOME))
    assert is_login_redirect(replay(app, "session", session_cookie))
    assert is_login_redirect(replay(app, "remember_token", remember_cookie))


def test_admin_signs_a_user_out_everywhere(app, db, world, admin_client):
    owner = app.test_client()
    remembered_login(owner, world.owner_a)
    remember_cookie = owner.get_cookie("remember_token").value
    r = admin_client.post(f"/auth/users/{world.owner_a.id}/sign-out")
    assert r.status_code == 303
    assert is_login_redirect(owner.get(HOME))
    assert is_login_redirect(replay(app, "remember_token", remember_cookie))
    assert admin_client.get("/hq/stores").status_code == 200  # the admin stays signed in


def test_only_admins_sign_others_out(app, world, hq_client, owner_client):
    assert hq_client.post(f"/auth/users/{world.owner_b.id}/sign-out").status_code == 403
    assert owner_client.post(f"/auth/users/{world.owner_b.id}/sign-out").status_code == 403


def test_sign_out_everywhere_needs_csrf(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    admin = app.test_client()
    page = admin.get("/auth/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    admin.post("/auth/login", data={"login": world.admin.username, "password": PASSWORD, "csrf_token": token})
    assert admin.post(f"/auth/users/{world.owner_a.id}/sign-out").status_code == 400


def test_remember_cookie_is_lax_and_lasts_30_days(app, world):
    r = remembered_login(app.test_client(), world.owner_a)
    header = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "SameSite=Lax" in header and "HttpOnly" in header
    expires = datetime.strptime(header.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    days = (expires.replace(tzinfo=UTC) - datetime.now(UTC)).days
    assert 29 <= days <= 30


def test_admins_find_the_button_in_the_stores_list(app, world, admin_client, hq_client):
    page = admin_client.get("/hq/stores").get_data(as_text=True)
    assert f'action="/auth/users/{world.owner_a.id}/sign-out"' in page
    assert "全部设备退出" in page
    assert "/sign-out" not in hq_client.get("/hq/stores").get_data(as_text=True)
    r = admin_client.post(f"/auth/users/{world.owner_a.id}/sign-out", data={"next": "/hq/stores?sort=name"})
    assert r.status_code == 303 and r.headers["Location"] == "/hq/stores?sort=name"
    assert "已在所有设备上退出登录" in admin_client.get("/hq/stores").get_data(as_text=True)
