"""A database locked by another connection: a friendly 503 after a short wait, not a
hung page or a 500 (before: a 30 s wait, then a 500 with a traceback in the log)."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy.engine import make_url

from workbench.extensions import db

pytestmark = pytest.mark.faults

LOCK_SECONDS = 9  # longer than the web's busy timeout (5 s), shorter than the old one (30 s)


@pytest.fixture
def locked_database(app, world):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's file lock; PostgreSQL locks rows, not the database")
    db.session.commit()
    db.session.close()  # our own session must not hold a shared lock the writer waits on
    holder = sqlite3.connect(url.database, isolation_level=None, timeout=10)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(LOCK_SECONDS, holder.rollback)
    release.start()
    yield
    release.cancel()
    holder.rollback()
    holder.close()


def _request_while_locked(client, path: str, **headers):
    started = time.monotonic()
    response = client.get(path, headers=headers)
    return response, time.monotonic() - started


@pytest.mark.parametrize("htmx", [False, True])
def test_locked_database_gives_a_chinese_503(owner_client, locked_database, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response, took = _request_while_locked(owner_client, "/store/today", **headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:300]
    assert took < 6.5
    assert "系统正忙" in body and "Traceback" not in body
    assert response.headers["Retry-After"] == "5"


def test_healthz_names_the_locked_database(client, locked_database):
    response, took = _request_while_locked(client, "/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "down", "redis": "ok"}
    assert took < 6.5
