"""邻里工作台: the application factory."""

from __future__ import annotations

import logging
import os

from flask import Flask

from workbench.config import Config, config_from_env, prepare_instance


def create_app(config: Config | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → errors → template helpers → CLI.

    No I/O happens here beyond binding extensions; migrations, seeding and workers are
    separate commands.
    """
    # No static route from Flask: workbench.static_files serves /static with hashed URLs,
    # a year's caching and compression (see register_static).
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder=None,
    )
    if config is None:
        config = _start_up_config()
    app.config.from_object(config)
    register_static(app)
    register_proxy_fix(app)
    register_extensions(app)
    register_request_hardening(app)
    register_queue(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    register_shell_context(app)
    configure_logging(app)
    return app


def _start_up_config() -> Config:
    """The environment's profile; in development, the instance folder and its secret are
    made first, so a fresh checkout's ``flask db upgrade`` works without ``make install``
    (reading a ``Config`` itself never writes files)."""
    if os.environ.get("WORKBENCH_ENV", "development") == "development" and not os.environ.get("SECRET_KEY"):
        prepare_instance()
    return config_from_env()


def register_static(app: Flask) -> None:
    from workbench.static_files import init_static

    app.static_folder = os.path.normpath(os.path.join(app.root_path, "..", "static"))
    init_static(app, app.static_folder)


def register_request_hardening(app: Flask) -> None:
    """Before any route exists: bounded ``<int:>`` ids; form text without invisible or
    bidi characters, over the request class the extensions chose (htmx-flask sets one);
    security headers (CSP with nonces, no framing, HSTS in production)."""
    from workbench.security.headers import init_headers
    from workbench.security.text import clean_request_class
    from workbench.security.urls import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = clean_request_class(app.request_class)
    init_headers(app)


def register_proxy_fix(app: Flask) -> None:
    """Trust ``X-Forwarded-For``/``-Proto`` from as many proxies as configured, no more:
    trusting them without a proxy would let any client pick its own address."""
    x_for, x_proto = app.config.get("PROXY_FIX_X_FOR", 0), app.config.get("PROXY_FIX_X_PROTO", 0)
    if x_for or x_proto:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)


def register_extensions(app: Flask) -> None:
    from workbench import models  # noqa: F401  (the mappers must exist before first use)
    from workbench.auth.session import configure_login
    from workbench.extensions import babel, csrf, db, htmx, limiter, migrate
    from workbench.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.normpath(os.path.join(app.root_path, "..", "migrations")))
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=os.path.join(app.root_path, "translations"),
    )
    limiter.init_app(app)
    configure_login(app)


def register_queue(app: Flask) -> None:
    from workbench.commission.jobs import schedule as commission_schedule
    from workbench.jobs.cron import register_schedule
    from workbench.jobs.queue import init_queue
    from workbench.suggestions.jobs import schedule as suggestions_schedule

    init_queue(app)
    # Each domain's periodic jobs, in the order the cron process lists them.
    register_schedule(app, suggestions_schedule)
    register_schedule(app, commission_schedule)


def register_blueprints(app: Flask) -> None:
    from workbench.auth.views import bp as auth_bp
    from workbench.commission.earnings_views import bp as earnings_bp
    from workbench.commission.hq_views import bp as hq_commission_bp
    from workbench.fulfilment.hq_views import bp as hq_fulfilment_bp
    from workbench.fulfilment.views import bp as fulfilment_bp
    from workbench.hq.views import bp as hq_bp
    from workbench.intake.views import bp as intake_bp
    from workbench.jobs.views import bp as jobs_bp
    from workbench.main import bp as main_bp
    from workbench.owner.views import bp as owner_bp
    from workbench.pickup.hq_views import bp as hq_aftersales_bp
    from workbench.pickup.views import bp as pickup_bp
    from workbench.pickup.views import moved_bp as pickup_moved_bp
    from workbench.shop.owner_views import bp as campaigns_bp
    from workbench.shop.views import bp as shop_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(owner_bp, url_prefix="/store")
    app.register_blueprint(earnings_bp, url_prefix="/store/earnings")
    app.register_blueprint(hq_bp, url_prefix="/hq")
    app.register_blueprint(jobs_bp, url_prefix="/jobs")
    app.register_blueprint(intake_bp, url_prefix="/store/orders")
    app.register_blueprint(fulfilment_bp, url_prefix="/store/fulfilment")
    app.register_blueprint(pickup_bp, url_prefix="/store/pickup")
    app.register_blueprint(pickup_moved_bp)
    app.register_blueprint(hq_fulfilment_bp, url_prefix="/hq/fulfilment")
    app.register_blueprint(hq_aftersales_bp, url_prefix="/hq/aftersales")
    app.register_blueprint(hq_commission_bp, url_prefix="/hq/commission")
    # The campaign order page members reach from a poster's QR code: short public URLs.
    app.register_blueprint(shop_bp, url_prefix="/c")
    # The owner's side of it: each campaign's QR code, link and printable poster.
    app.register_blueprint(campaigns_bp, url_prefix="/store/campaigns")


def register_error_handlers(app: Flask) -> None:
    from workbench import degraded
    from workbench.errors import register

    register(app)
    degraded.register(app)  # backend outages (database busy, Redis gone) → 503


def register_template_helpers(app: Flask) -> None:
    from workbench.formatting import register

    register(app)


def register_cli(app: Flask) -> None:
    from workbench.bundles.cli import bundles_cli
    from workbench.commission.cli import commission_cli
    from workbench.demo.cli import demo_cli
    from workbench.forecasting.cli import forecast_cli
    from workbench.jobs.cli import jobs_cli
    from workbench.outbox.cli import outbox_cli
    from workbench.suggestions.cli import suggestions_cli

    app.cli.add_command(bundles_cli)
    app.cli.add_command(commission_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(forecast_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(suggestions_cli)


def register_shell_context(app: Flask) -> None:
    from workbench import models
    from workbench.extensions import db

    def shell_context() -> dict:
        return {"db": db, **{name: getattr(models, name) for name in models.__all__}}

    app.shell_context_processor(shell_context)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
