"""Test harness for security: a clock to move, a production app, a world with one
person per role, the route x role access walk, and hostile-input checks.

How to use it when you add routes
---------------------------------
1. Access matrix (tests/test_security_access_matrix.py): add one line to `ACCESS`
   per new endpoint, e.g. ``"requests.detail": Access(MANAGERS | {VERIFIED})``.
   Until you do, `test_every_route_declares_who_may_use_it` fails and names it.
   URL parameters are filled from the world by name (see `PARAMETERS` below:
   `resident_id`, `request_id`, `session_id`, `group_id`, `ward_id`, ...); add a
   name there, or give the entry `params=lambda w: {...}`. Non-GET methods are
   sent with a valid CSRF token and `data=lambda w: {...}` (empty by default).
2. Hostile input (tests/test_security_hostile_input.py): add a `FormTarget` to
   `FORM_TARGETS` naming the endpoint, its method, its free-text fields and the
   role that may use it. Hypothesis then posts random and hostile values.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Callable, Iterator
from urllib.parse import urlsplit

from flask import Flask

from tests.conftest import csrf_token_from


# --- time ---------------------------------------------------------------------------
class Clock:
    """Replaces the clock of the sign-in rules (app.auth.clock.now) with one tests move."""

    def __init__(self, monkeypatch, start: datetime | None = None):
        self.moment = start or datetime.now(timezone.utc)
        monkeypatch.setattr("app.auth.clock.now", lambda: self.moment)

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


# --- other app instances ---------------------------------------------------------------
@contextmanager
def disposing(app: Flask) -> Iterator[Flask]:
    """Use another app instance (a second worker, production settings) and close its pool."""
    from app.extensions import db

    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def second_worker(database_uri: str, **overrides):
    """Another instance of the test app on the same database, like a second gunicorn worker."""
    from app import create_app
    from tests.conftest import _config_dict

    return disposing(create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_uri,
                                 **overrides}))


def production_app(database_uri: str, **overrides):
    """`create_app(ProductionConfig)` with a secret key, on the test database (a context
    manager that closes its connections)."""
    from app import create_app
    from config import ProductionConfig

    settings = {
        "SECRET_KEY": "a-production-secret-key-used-only-in-tests-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Hashes made by the factories use cheap parameters; keep them so none is rehashed.
        "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 1024, "PASSWORD_PARALLELISM": 1,
        **overrides,
    }
    config = type("ProductionTestConfig", (ProductionConfig,), settings)
    return disposing(create_app(config))
