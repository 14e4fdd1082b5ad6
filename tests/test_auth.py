"""Login, logout, ``next`` redirects and the login rate limit (on the real Redis)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from redis import Redis

from tests.conftest import login
from tests.factories import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")  # itsdangerous-signed
NONCE = re.compile(r'(Nonce": "|nonce=")[A-Za-z0-9_-]+')
WRONG = "Wrong phone/username or password."


def post_login(client, login_value, password=PASSWORD, next_url=None):
    url = "/auth/login" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, data={"login": login_value, "password": password})


def chinese(app, message: str) -> str:
    """``message`` as the zh_CN catalog has it (and it must be Chinese)."""
    with app.test_request_context(), force_locale("zh_CN"):
        text = _(message)
    assert CJK.search(text), f"no zh_CN translation for {message!r} (are the .mo files compiled?)"
    return text


def test_login_page_renders(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'name="login"' in body and 'name="password"' in body
    assert 'lang="zh' in body


def test_login_by_username(client, world):
    response = post_login(client, world.owner_a.username)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/store/today")
    assert client.get("/store/today").status_code == 200


def test_login_by_phone(client, world):
    response = post_login(client, world.owner_a.phone)
    assert response.status_code == 302
    assert client.get("/store/today").status_code == 200


def test_login_by_phone_typed_with_spaces_and_username_in_capitals(app, world):
    phone = world.owner_a.phone
    spaced = f"{phone[:3]} {phone[3:7]}-{phone[7:]}"
    assert post_login(app.test_client(), spaced).status_code == 302
    assert post_login(app.test_client(), world.owner_a.username.upper()).status_code == 302


def test_wrong_password_is_401_in_chinese_and_leaks_nothing(app, client, world):
    wrong = post_login(client, world.owner_a.username, "not-the-password")
    unknown = post_login(client, "nobody-by-that-name", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    message = chinese(app, WRONG)
    wrong_body, unknown_body = wrong.get_data(as_text=True), unknown.get_data(as_text=True)
    assert message in wrong_body and message in unknown_body
    # The two answers are the same page (but for the echoed login and the per-request CSRF
    # token and CSP nonce): nothing tells a real login from a made-up one.
    def normalised(body: str, login_value: str) -> str:
        return NONCE.sub("NONCE", TOKEN.sub("TOKEN", body.replace(login_value, "X")))

    assert normalised(wrong_body, world.owner_a.username) == normalised(unknown_body, "nobody-by-that-name")
    assert "not-the-password" not in wrong_body  # the password is never echoed back
    assert client.get("/store/today").status_code == 302  # still not logged in


def test_empty_form_is_400(client, world):
    response = client.post("/auth/login", data={"login": "", "password": ""})
    assert response.status_code == 400
    assert client.get("/store/today").status_code == 302


def test_inactive_user_is_refused(app, client, db, world):
    world.owner_a.active = False
    db.session.commit()
    response = post_login(client, world.owner_a.username)
    assert response.status_code == 401
    assert chinese(app, WRONG) in response.get_data(as_text=True)
    assert client.get("/store/today").status_code == 302


def test_deactivated_user_loses_the_session(app, db, world):
    client = login(app.test_client(), world.owner_a)
    assert client.get("/store/today").status_code == 200
    world.owner_a.active = False
    db.session.commit()
    response = client.get("/store/today")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_protected_page_sends_to_login_with_next(client, world):
    response = client.get("/store/live")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert "%2Fstore%2Flive" in response.headers["Location"]


@pytest.mark.parametrize("target", ["/store/live", "/store/pickup?tab=today", "/jobs/abc"])
def test_next_is_honoured_for_local_paths(client, world, target):
    response = post_login(client, world.owner_a.username, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "http://evil.com/store/today",
        "/\\evil.com",
        "\\\\evil.com",
        "///evil.com",
        "javascript:alert(1)",
        " //evil.com",
        "evil.com",
    ],
)
def test_next_refuses_other_sites(client, world, target):
    from urllib.parse import quote

    response = post_login(client, world.owner_a.username, next_url=quote(target, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/store/today", target


def test_logout_is_post_only_and_logs_out(owner_client):
    assert owner_client.get("/auth/logout").status_code == 405
    assert owner_client.get("/store/today").status_code == 200  # the GET changed nothing
    response = owner_client.post("/auth/logout")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/auth/login")
    after = owner_client.get("/store/today")
    assert after.status_code == 302 and "/auth/login" in after.headers["Location"]


def test_logged_in_user_visiting_login_goes_home(owner_client, hq_client):
    assert owner_client.get("/auth/login").headers["Location"].endswith("/store/today")
    assert hq_client.get("/auth/login").headers["Location"].endswith("/hq/stores")


@pytest.mark.parametrize(("who", "home"), [
    ("owner_a", "/store/today"),
    ("regional", "/hq/stores"),
    ("hq", "/hq/stores"),
    ("admin", "/hq/stores"),
])
def test_each_role_lands_on_its_home(app, world, who, home):
    client = app.test_client()
    response = post_login(client, getattr(world, who).username)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(home)
    assert client.get(home).status_code == 200
    index = client.get("/")
    assert index.status_code == 302 and index.headers["Location"].endswith(home)


def test_login_records_last_login(db, client, world):
    assert world.owner_a.last_login_at is None
    post_login(client, world.owner_a.username)
    db.session.expire_all()
    assert world.owner_a.last_login_at is not None


def test_login_rate_limit_uses_redis_and_answers_429_in_chinese(app, client, world):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split(";")[0].split()[0])  # "10 per minute"
    for _attempt in range(limit):
        assert post_login(client, world.owner_a.username, "wrong").status_code == 401
    blocked = post_login(client, world.owner_a.username)  # even the right password now
    assert blocked.status_code == 429
    assert chinese(app, "Too many attempts") in blocked.get_data(as_text=True)
    assert client.get("/store/today").status_code == 302
    # GET is not limited: the form still shows, so the user can read the message.
    assert client.get("/auth/login").status_code == 200
    # The counter lives in the shared Redis (every gunicorn worker sees it), not in memory.
    keys = Redis.from_url(app.config["RATELIMIT_STORAGE_URI"]).keys("*")
    assert any(b"login" in key for key in keys), keys


def test_login_still_works_and_is_limited_when_redis_is_down(database_url, world):
    """A Redis outage must not lock every owner out: the limiter falls back to memory."""
    from tests.conftest import _Config
    from workbench import create_app
    from workbench.embedded_redis import free_port
    from workbench.extensions import db

    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = create_app(_Config(database_url, dead))
    try:
        client = app.test_client()
        assert post_login(client, world.owner_a.username).status_code == 302
        other = app.test_client()
        statuses = [post_login(other, world.owner_b.username, "wrong").status_code for _ in range(12)]
    finally:
        with app.app_context():  # this second app has its own engine: close its connections
            db.engine.dispose()
    # Ten attempts a minute per address and account (the first login was another account).
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429] * 2
