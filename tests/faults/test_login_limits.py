"""Login limits per (address, account) plus a looser one per address; ProxyFix by env."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.faults


def post_login(client, who, password=PASSWORD, **environ):
    return client.post("/auth/login", data={"login": who, "password": password},
                       environ_base={"REMOTE_ADDR": "10.0.0.1", **environ})


def test_one_users_wrong_passwords_do_not_block_another_user_at_the_same_address(app, world):
    attacker, colleague = app.test_client(), app.test_client()
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        assert post_login(attacker, world.owner_a.username, "wrong").status_code == 401
    assert post_login(attacker, world.owner_a.username).status_code == 429  # that account is held
    # Same address (one office behind a proxy), another account: logs in.
    assert post_login(colleague, world.owner_b.username).status_code == 302


def test_the_address_limit_still_stops_guessing_across_accounts(app, world):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "5 per minute"
    client = app.test_client()
    statuses = [post_login(client, f"user{i}", "wrong").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]


def test_proxy_fix_is_off_by_default_and_set_by_env(monkeypatch, database_url, redis_url):
    from tests.conftest import _Config
    from workbench import create_app

    app = create_app(_Config(database_url, redis_url))
    seen = {}

    @app.get("/_whoami")
    def whoami():
        from flask import request
        seen["addr"] = request.remote_addr
        return "ok"

    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "1.2.3.4"},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert seen["addr"] == "10.0.0.9"  # a client cannot pick its address without a proxy
    monkeypatch.setenv("PROXY_FIX_X_FOR", "1")
    app = create_app(_Config(database_url, redis_url))
    app.add_url_rule("/_whoami", view_func=whoami)
    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "1.2.3.4"},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert seen["addr"] == "1.2.3.4"


def test_bad_proxy_fix_value_is_refused(monkeypatch):
    from workbench.config import ConfigError, TestingConfig

    monkeypatch.setenv("PROXY_FIX_X_FOR", "yes")
    with pytest.raises(ConfigError, match="PROXY_FIX_X_FOR"):
        TestingConfig()
