"""Configuration comes from the environment and fails fast where it would be unsafe."""

from __future__ import annotations

import pytest

from workbench import config as config_module
from workbench import create_app
from workbench.config import ConfigError, DevelopmentConfig, ProductionConfig, config_from_env


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No workbench variables from the outer environment; the instance folder in tmp."""
    for name in ("WORKBENCH_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path / "instance")
    return monkeypatch


@pytest.fixture
def prepared_env(clean_env):
    """``clean_env`` after start-up made the instance folder and its development secret."""
    config_module.prepare_instance()
    return clean_env


def test_reading_the_configuration_writes_nothing(clean_env):
    """Files are start-up's business (prepare_instance), never a side effect of Config()."""
    clean_env.setenv("SECRET_KEY", "given")
    config_from_env()
    assert not config_module.INSTANCE_DIR.exists()


def test_development_without_a_prepared_instance_says_what_to_run(clean_env):
    with pytest.raises(ConfigError, match="make install"):
        config_from_env()


def test_default_profile_is_development(prepared_env):
    config = config_from_env()
    assert isinstance(config, DevelopmentConfig)
    assert not config.TESTING


def test_unknown_env_is_refused(clean_env):
    clean_env.setenv("WORKBENCH_ENV", "staging")
    with pytest.raises(ConfigError, match="staging"):
        config_from_env()


def test_production_without_secret_key_fails_fast(clean_env):
    clean_env.setenv("WORKBENCH_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        config_from_env()


def test_production_empty_secret_key_also_fails(clean_env):
    clean_env.setenv("WORKBENCH_ENV", "production")
    clean_env.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigError):
        config_from_env()


def test_production_secure_cookies(clean_env):
    clean_env.setenv("WORKBENCH_ENV", "production")
    clean_env.setenv("SECRET_KEY", "s3cret-from-the-environment")
    config = config_from_env()
    assert isinstance(config, ProductionConfig)
    assert config.SECRET_KEY == "s3cret-from-the-environment"
    assert config.SESSION_COOKIE_SECURE is True
    assert config.REMEMBER_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"
    assert getattr(config, "WTF_CSRF_ENABLED", True) is not False


def test_production_session_cookie_is_sent_secure(clean_env):
    """The flags reach the actual Set-Cookie header, not only the config object."""
    clean_env.setenv("WORKBENCH_ENV", "production")
    clean_env.setenv("SECRET_KEY", "s3cret-from-the-environment")
    app = create_app()
    response = app.test_client().get("/auth/login", base_url="https://localhost")
    assert response.status_code == 200
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("session="), cookie  # the CSRF token lives in the session
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_secret_is_generated_once_and_kept(clean_env):
    config_module.prepare_instance()
    config_module.prepare_instance()  # a second start-up keeps the key
    first = config_from_env().SECRET_KEY
    second = config_from_env().SECRET_KEY
    assert first == second and len(first) >= 32
    key_file = config_module.INSTANCE_DIR / "dev-secret-key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_development_secret_from_env_wins(clean_env):
    clean_env.setenv("SECRET_KEY", "given")
    assert config_from_env().SECRET_KEY == "given"
    assert not (config_module.INSTANCE_DIR / "dev-secret-key").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/wb", "postgresql+psycopg://u:p@db:5432/wb"),
        ("postgresql://u:p@db/wb", "postgresql+psycopg://u:p@db/wb"),
        ("postgresql+psycopg://u@db/wb", "postgresql+psycopg://u@db/wb"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_normalised(prepared_env, given, expected):
    prepared_env.setenv("DATABASE_URL", given)
    uri = config_from_env().SQLALCHEMY_DATABASE_URI
    assert uri == expected


def test_default_database_is_sqlite_in_instance(prepared_env):
    uri = config_from_env().SQLALCHEMY_DATABASE_URI
    assert uri == f"sqlite:///{config_module.INSTANCE_DIR / 'workbench.sqlite'}"


def test_redis_and_rate_limit_storage(prepared_env):
    config = config_from_env()
    assert config.REDIS_URL == "redis://127.0.0.1:6391/0"  # embedded Redis's port, never 6379
    assert config.RATELIMIT_STORAGE_URI == config.REDIS_URL
    prepared_env.setenv("REDIS_URL", "redis://cache:6380/2")
    config = config_from_env()
    assert config.RATELIMIT_STORAGE_URI == "redis://cache:6380/2"
    prepared_env.setenv("RATELIMIT_STORAGE_URI", "memory://")
    assert config_from_env().RATELIMIT_STORAGE_URI == "memory://"


def test_testing_profile(clean_env):
    clean_env.setenv("WORKBENCH_ENV", "testing")
    config = config_from_env()
    assert isinstance(config, config_module.TestingConfig)
    assert config.TESTING is True
    assert config.WTF_CSRF_ENABLED is False


def test_a_fresh_checkout_starts_in_development_without_make_install(clean_env):
    """``flask db upgrade`` straight after a clone: start-up makes the instance folder and
    its secret (create_app), so the CLI works; Config() alone still writes nothing."""
    app = create_app()
    assert (config_module.INSTANCE_DIR / "dev-secret-key").read_text().strip() == app.config["SECRET_KEY"]
