"""Shared fixtures: the app on SQLite (a temporary file) or on PostgreSQL when
TEST_DATABASE_URL is set; a client; a CLI runner; factories; a login helper; the clock
(`clock` mark and TEST_CLOCK, see tests/clock.py)."""
from __future__ import annotations

import os
import re

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from config import TestConfig, database_url
from tests import clock
from tests.factories import Factory


# --- the clock --------------------------------------------------------------------------
_SESSION_TRAVEL = pytest.StashKey[time_machine.travel]()


def pytest_configure(config):
    at = clock.session_moment()
    if at is not None:  # the whole run, the served app included, starts at that moment
        config.stash[_SESSION_TRAVEL] = time_machine.travel(at, tick=True)
        config.stash[_SESSION_TRAVEL].start()


def pytest_unconfigure(config):
    if _SESSION_TRAVEL in config.stash:
        config.stash[_SESSION_TRAVEL].stop()


def pytest_report_header(config):
    at = clock.session_moment()
    return f"clock: {'TEST_CLOCK=' + os.environ['TEST_CLOCK'] + ' (' + at.isoformat() + ')' if at else 'real'}; " \
        f"`clock` tests run at {', '.join(map(str, clock.MOMENTS))}"


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("clock"):
        metafunc.parametrize("moment", clock.MOMENTS, ids=str, indirect=True)


@pytest.fixture(autouse=True)
def moment(request):
    """The moment a `clock` test runs at (the clock ticks on from there), else None."""
    chosen = getattr(request, "param", None)
    if chosen is None:
        yield None
        return
    with time_machine.travel(chosen.at, tick=True):
        yield chosen


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """One schema for the whole run; each test starts from empty tables."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        uri = database_url(url)
    else:
        uri = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        _db.drop_all()
        with _db.engine.begin() as conn:
            if _db.engine.dialect.name == "postgresql":
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        _db.create_all()
        _db.engine.dispose()
    yield uri


def _config_dict() -> dict:
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}


def _empty_all_tables() -> None:
    # DELETE, children first: on the handful of rows a test leaves it is far quicker
    # than TRUNCATE, which rewrites every table's files on PostgreSQL.
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def app(database_uri):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_uri})
    limiter.reset()
    with app.app_context():
        yield app
        _db.session.remove()
        _empty_all_tables()
        _db.session.remove()
        _db.engine.dispose()


class Client(FlaskClient):
    """Each request runs in its own application context (its own `g` and database
    session), as in production. Whatever the test set up is committed first."""

    def open(self, *args, **kwargs):
        _db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def make(app):
    """Factories for the domain: make.ward(), make.group(), make.user(...), …"""
    return Factory(_db)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_from(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


class AuthActions:
    """Log in through the real login form (CSRF and all)."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path: str = "/dang-nhap") -> str:
        return csrf_token_from(self.client.get(path))

    def login(self, phone: str, password: str = Factory.PASSWORD):
        token = self.csrf()
        return self.client.post("/dang-nhap", data={"csrf_token": token, "phone": phone,
                                                    "password": password})

    def logout(self):
        token = self.csrf("/")
        return self.client.post("/dang-xuat", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)
