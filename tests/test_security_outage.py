"""When the database goes away people get a friendly 503 (and /healthz says 503); when it
comes back the same running app serves again, without a restart."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import Factory
from tests.security_helpers import second_worker

PHONE = "+84912345678"


def prepare(app) -> None:
    with app.app_context():
        db.create_all()  # (the suite's schema already exists on PostgreSQL)
        Factory(db).user(name="Nguyễn Văn Thắng", phone=PHONE)
        db.session.commit()


def sign_in(app):
    client = app.test_client()
    token = csrf_token_from(client.get("/dang-nhap"))
    response = client.post("/dang-nhap", data={"csrf_token": token, "phone": PHONE,
                                               "password": Factory.PASSWORD})
    assert response.status_code == 303
    return client


def assert_serving(person, guest) -> None:
    html = person.get("/").get_data(as_text=True)
    assert "Đăng xuất" in html  # and still signed in
    assert guest.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def assert_friendly_outage(person, guest) -> None:
    page = person.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 503
    assert "Hệ thống đang tạm gián đoạn" in html and "Thông tin bạn đã gửi" in html
    assert "Traceback" not in html
    health = guest.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    fragment = person.get("/doi-mat-khau", headers={"HX-Request": "true"})
    assert fragment.status_code == 503 and fragment.headers["HX-Retarget"] == "#messages"
    token = csrf_token_from(guest.get("/dang-nhap"))  # the login page needs no database
    attempt = guest.post("/dang-nhap", data={"csrf_token": token, "phone": PHONE,
                                             "password": Factory.PASSWORD})
    assert attempt.status_code == 503


def sqlite_file_goes_away_and_comes_back(tmp_path):
    """The SQLite file becomes unreachable (its folder unmounted), then returns. A pool
    that opens the file per checkout stands for connections that died with the disk."""
    folder = tmp_path / "data"
    folder.mkdir()
    uri = f"sqlite:///{folder / 'cunghocso.sqlite3'}"
    with second_worker(uri, SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}) as app:
        prepare(app)
        person, guest = sign_in(app), app.test_client()
        assert_serving(person, guest)
        os.rename(folder, tmp_path / "unmounted")
        assert_friendly_outage(person, guest)
        os.rename(tmp_path / "unmounted", folder)
        assert_serving(person, guest)


@contextmanager
def own_postgres_role(database_uri: str):
    """A login role of its own for the app under test, so that taking the database away
    from it (NOLOGIN, connections terminated) touches nobody else. Creating a role is
    instant, unlike creating and dropping a database."""
    url = make_url(database_uri)
    role = f"chs_outage_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def run(sql: str) -> None:
        with admin.connect() as conn:
            conn.execute(text(sql))

    run(f'CREATE ROLE "{role}" LOGIN')
    run(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
    run(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    try:
        yield url.set(username=role).render_as_string(hide_password=False), role, run
    finally:
        run(f'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \'{role}\'')
        run(f'DROP OWNED BY "{role}"')
        run(f'DROP ROLE "{role}"')
        admin.dispose()


def test_database_outage_gives_503_and_the_app_recovers(app, database_uri, tmp_path):
    """Run against the database of this suite: SQLite or PostgreSQL."""
    if make_url(database_uri).get_backend_name() == "postgresql":
        postgres_goes_away_and_comes_back(database_uri)
    else:
        sqlite_file_goes_away_and_comes_back(tmp_path)


def postgres_goes_away_and_comes_back(database_uri):
    with own_postgres_role(database_uri) as (uri, role, run):
        terminate = (f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     f"WHERE usename = '{role}'")
        with second_worker(uri) as app:
            prepare(app)
            person, guest = sign_in(app), app.test_client()
            assert_serving(person, guest)

            # Every pooled connection is killed (a failover, a restart): pool_pre_ping
            # notices and reconnects, so nobody sees an error at all.
            run(terminate)
            assert_serving(person, guest)

            # The database refuses the app's connections for a while.
            run(f'ALTER ROLE "{role}" NOLOGIN')
            run(terminate)
            assert_friendly_outage(person, guest)

            run(f'ALTER ROLE "{role}" LOGIN')
            assert_serving(person, guest)
