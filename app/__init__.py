"""Cùng Học Số — the application factory."""
from __future__ import annotations

import importlib
import os
from collections.abc import Mapping

from flask import Flask

from config import Config, config_for_environment, development_secret_key

# One blueprint per domain area (see docs/architecture.md); "seeding" only adds the
# seed-demo, demo-logins and seed-scale commands (the only importer of app.seeding).
BLUEPRINTS = (
    "main", "auth", "areas", "residents", "requests", "volunteers", "matching", "sessions",
    "outcomes", "coverage", "notify", "admin", "seeding",
)

# Every global ORM listener, each installed by its module's idempotent install(): what
# every session of the process then keeps true, whichever area writes.
LISTENERS = (
    "app.models.sessions",    # a class's room key follows its group and place name
    "app.coverage.progress",  # resident_progress says what the outcomes say, same transaction
    "app.notify.queue",       # a commit that queued messages wakes the delivery worker
)


def create_app(config: type[Config] | Mapping | None = None) -> Flask:
    from app.web import Request

    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=False)
    app.request_class = Request
    if config is None:
        app.config.from_object(config_for_environment())
    elif isinstance(config, Mapping):
        app.config.from_object(Config)
        app.config.update(config)
    else:
        app.config.from_object(config)

    if not app.config.get("SECRET_KEY"):
        if app.config["APP_ENV"] == "production":
            raise RuntimeError("SECRET_KEY must be set in production.")
        app.config["SECRET_KEY"] = development_secret_key()

    from app import models  # noqa: F401  (register every model with the metadata)
    from app.database import configure_engine
    from app.extensions import babel, csrf, db, htmx, limiter, login, migrate

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The visitor's address is the one the nearest trusted proxy saw (docs/deploy.md).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)

    from app.i18n import select_locale, select_timezone
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    login.init_app(app)
    from app.auth.loader import configure_login
    configure_login(app)

    with app.app_context():
        configure_engine(db.engine)
    for name in LISTENERS:
        importlib.import_module(name).install()

    from app import web
    web.init_app(app)

    for name in BLUEPRINTS:
        module = importlib.import_module(f"app.{name}")
        module.load_views()
        app.register_blueprint(module.bp)

    from app import templating
    templating.init_app(app)

    return app
