"""Configuration, read only from the environment.

``WORKBENCH_ENV`` picks the profile (development, production, testing). Production
refuses to start without ``SECRET_KEY``; development reads one kept in the instance
folder so sessions survive restarts without a secret ever being committed. Reading the
configuration writes nothing: ``prepare_instance`` (called at start-up by
``scripts/bootstrap.py`` and ``scripts/run.py``) creates the folder and that secret.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from redis.backoff import NoBackoff
from redis.retry import Retry

INSTANCE_DIR = Path(os.environ.get("WORKBENCH_INSTANCE", Path(__file__).resolve().parent.parent / "instance"))


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


DEV_SECRET_FILE = "dev-secret-key"


def prepare_instance() -> Path:
    """Create the instance folder and, once, the development secret key in it.

    Start-up work, kept out of ``Config`` so building a configuration never writes files.
    """
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / DEV_SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return INSTANCE_DIR


def _dev_secret_key() -> str:
    """The random key ``prepare_instance`` keeps in ``instance/``."""
    path = INSTANCE_DIR / DEV_SECRET_FILE
    if not path.exists():
        raise ConfigError(
            f"no SECRET_KEY and no {path}: run `make install` (scripts/bootstrap.py) once, "
            "or set SECRET_KEY"
        )
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver (Heroku-style ``postgres://`` too)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _hop_count(name: str) -> int:
    """A ``PROXY_FIX_*`` variable: how many proxies in front set that header (0: none)."""
    raw = os.environ.get(name, "0").strip() or "0"
    if not raw.isdigit() or int(raw) > 5:
        raise ConfigError(f"{name} must be a number of proxies from 0 to 5, not {raw!r}")
    return int(raw)


def _database_url(default_name: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{INSTANCE_DIR / default_name}"


class Config:
    """Settings shared by every profile."""

    ENV_NAME = "development"
    TESTING = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # "Keep me logged in" for a month (Flask-Login's default is a year), never sent on a
    # cross-site POST; logout and a password change revoke it (auth/session.py).
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # Per account and address (wrong passwords for one login), and a looser one per address
    # (guessing across many logins) that a whole office behind one proxy stays well below.
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    LOGIN_ADDRESS_RATE_LIMIT = "60 per minute;600 per hour"
    # If Redis is unreachable, keep limiting per process rather than failing every login.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RQ_QUEUE = "workbench"
    # Seconds between rq's retries of a failed job (a killed work horse too): 2 retries.
    JOB_RETRY_INTERVALS = (5, 30)
    STORE_KPI_WINDOW_DAYS = 7
    # Counter photos (破损) and CSV imports are the only uploads; a phone photo fits in 8 MB.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # One-time codes on the public order page: per phone and per client address.
    OTP_RATE_LIMIT = "5 per 10 minutes;20 per day"
    # Order attempts (code checks) on the public page, per client address.
    OTP_VERIFY_RATE_LIMIT = "20 per 10 minutes;100 per day"

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self._missing_secret()
        self.SQLALCHEMY_DATABASE_URI = _database_url(self.default_db_name())
        self.REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6391/0")
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", self.REDIS_URL)
        # The queue web and workers share; another name keeps a test's or a staging worker apart.
        self.RQ_QUEUE = os.environ.get("RQ_QUEUE", self.RQ_QUEUE)
        # Where counter photos are kept (served only to the store's owner and HQ).
        self.UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
        # Statement PDFs: written by a worker, sent by the web app, so a folder both can reach.
        self.STATEMENT_PDF_FOLDER = os.environ.get("STATEMENT_PDF_FOLDER", str(INSTANCE_DIR / "statements"))
        # The adapter member messages go through: "log" writes them to the app log (development).
        self.OUTBOX_CHANNEL = os.environ.get("OUTBOX_CHANNEL", "log")
        # Redis paused or gone must not hold a login: the limiter gives up after 1 s (no
        # retry; redis-py's default three with backoff held a login for ~20 s) and falls
        # back to memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1,
                                          "retry": Retry(NoBackoff(), 0)}
        # Reverse proxies in front of the app that set X-Forwarded-For / -Proto: with them
        # trusted, rate limits see each client's address and HTTPS is recognised.
        self.PROXY_FIX_X_FOR = _hop_count("PROXY_FIX_X_FOR")
        self.PROXY_FIX_X_PROTO = _hop_count("PROXY_FIX_X_PROTO") if "PROXY_FIX_X_PROTO" in os.environ \
            else self.PROXY_FIX_X_FOR
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            # SQLite: wait for the writer instead of failing at once, but not for long in a
            # web request (a 503 after 5 s beats a hung page); workers wait longer (jobs/cli.py).
            self.SQLALCHEMY_ENGINE_OPTIONS = {
                "connect_args": {"timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "5"))}
            }

    def default_db_name(self) -> str:
        return "workbench.sqlite"

    def _missing_secret(self) -> str:
        return _dev_secret_key()


class DevelopmentConfig(Config):
    """Local development: generated secret, SQLite in instance/, embedded Redis."""


class ProductionConfig(Config):
    """Production: secrets and services must come from the environment."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def _missing_secret(self) -> str:
        raise ConfigError("SECRET_KEY must be set in production")


class TestingConfig(Config):
    """Tests: a fresh database per test, no CSRF unless a test turns it back on."""

    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True
    # Retries at once, so a burst worker in a test sees a job to its end.
    JOB_RETRY_INTERVALS = (0, 0)

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "testing-secret"

    def default_db_name(self) -> str:
        return "test.sqlite"

    def _missing_secret(self) -> str:
        return "testing-secret"


PROFILES = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_from_env() -> Config:
    """Build the profile named by ``WORKBENCH_ENV`` (default: development)."""
    name = os.environ.get("WORKBENCH_ENV", "development")
    try:
        return PROFILES[name]()
    except KeyError:
        raise ConfigError(f"unknown WORKBENCH_ENV {name!r}; use one of {sorted(PROFILES)}") from None
