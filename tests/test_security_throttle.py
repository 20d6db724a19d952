"""Rate limits answer 429 in Vietnamese; repeated wrong passwords lock the number for longer
and longer, in the database so that every worker sees it."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.auth import throttle
from app.extensions import limiter
from app.models import LoginThrottle
from tests.conftest import csrf_token_from
from tests.factories import Factory
from tests.security_helpers import Clock, second_worker

PHONE = "0912345678"
E164 = "+84912345678"


@pytest.fixture
def thang(make):
    user = make.user(name="Nguyễn Văn Thắng", phone=E164)
    make.commit()
    return user


@pytest.fixture
def clock():
    stopped = Clock()
    yield stopped
    stopped.stop()


def attempt(client, password, phone=PHONE, headers=None):
    """One sign-in attempt; the per-address rate limit is reset so only the lock counts."""
    limiter.reset()
    token = csrf_token_from(client.get("/dang-nhap"))
    return client.post("/dang-nhap", headers=headers or {},
                       data={"csrf_token": token, "phone": phone, "password": password})


# --- rate limits -------------------------------------------------------------------
def test_too_many_sign_in_attempts_from_one_address_get_a_vietnamese_429_page(client, make):
    token = csrf_token_from(client.get("/dang-nhap"))
    statuses = [client.post("/dang-nhap", data={
        "csrf_token": token, "phone": f"09123450{n:02d}", "password": "sai-mat-khau"}
    ).status_code for n in range(10)]
    assert set(statuses) == {422}
    response = client.post("/dang-nhap", data={"csrf_token": token, "phone": "0912345099",
                                               "password": "sai-mat-khau"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Bạn thao tác quá nhanh" in html and "Vui lòng đợi một lát rồi thử lại." in html
    assert response.headers["Retry-After"]
    assert response.headers["Cache-Control"] == "no-store"


def _sign_ins_from(client, address: str, count: int, first: int = 0) -> list[int]:
    """`count` failed sign-ins, each through a proxy that says it came from `address`."""
    token = csrf_token_from(client.get("/dang-nhap"))
    return [client.post("/dang-nhap", headers={"X-Forwarded-For": address}, data={
        "csrf_token": token, "phone": f"09123451{n:02d}", "password": "sai-mat-khau"}
    ).status_code for n in range(first, first + count)]


def test_behind_a_trusted_proxy_each_visitor_has_a_limit_of_their_own(database_uri):
    """TRUSTED_PROXIES=1 (nginx in front): the limit keys on the address nginx saw."""
    with second_worker(database_uri, TRUSTED_PROXIES=1) as proxied:
        limiter.reset()
        visitor = proxied.test_client()
        assert set(_sign_ins_from(visitor, "203.0.113.7", 10)) == {422}
        assert _sign_ins_from(visitor, "203.0.113.7", 1, first=10) == [429]
        neighbour = proxied.test_client()
        assert _sign_ins_from(neighbour, "198.51.100.23", 1, first=11) == [422]
    limiter.reset()


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(client):
    assert set(_sign_ins_from(client, "203.0.113.7", 10)) == {422}
    assert _sign_ins_from(client, "198.51.100.23", 1, first=10) == [429]


def test_an_htmx_request_over_the_limit_shows_the_message_in_the_message_area(client):
    token = csrf_token_from(client.get("/dang-nhap"))
    for _n in range(6):
        response = client.post("/dang-nhap", headers={"HX-Request": "true"},
                               data={"csrf_token": token, "phone": "024 3825 1234",
                                     "password": "x"})
    assert response.status_code == 429
    assert response.headers["HX-Retarget"] == "#messages"
    assert "Bạn thao tác quá nhanh" in response.get_data(as_text=True)


def test_typing_landlines_does_not_block_other_people(app, client):
    """Numbers that are not mobiles are limited per address, not all under one shared key."""
    token = csrf_token_from(client.get("/dang-nhap"))
    for _n in range(5):
        client.post("/dang-nhap", data={"csrf_token": token, "phone": "024 3825 1234",
                                        "password": "x"})
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    token = csrf_token_from(elsewhere.get("/dang-nhap"))
    response = elsewhere.post("/dang-nhap", data={"csrf_token": token, "phone": "024 3825 1234",
                                                  "password": "x"})
    assert response.status_code == 422


def test_volunteer_registration_is_rate_limited(client):
    token = csrf_token_from(client.get("/dang-ky-tinh-nguyen-vien"))
    for _n in range(10):
        client.post("/dang-ky-tinh-nguyen-vien", data={"csrf_token": token, "full_name": ""})
    response = client.post("/dang-ky-tinh-nguyen-vien", data={"csrf_token": token})
    assert response.status_code == 429
    assert "Bạn thao tác quá nhanh" in response.get_data(as_text=True)


# --- slowing down repeated failures ---------------------------------------------------
def test_five_wrong_passwords_lock_the_number_for_a_minute(client, thang, clock):
    for _n in range(4):
        assert attempt(client, "sai-mat-khau").status_code == 422
    response = attempt(client, "sai-mat-khau")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "vui lòng đợi 1 phút rồi thử lại" in html
    assert 59 <= int(response.headers["Retry-After"]) <= 60
    assert 'value="0912345678"' in html  # what was typed is kept

    # While locked even the right password is refused, so guessing gains nothing.
    assert attempt(client, Factory.PASSWORD).status_code == 429
    clock.advance(seconds=61)
    assert attempt(client, Factory.PASSWORD).status_code == 303


def test_each_further_failure_doubles_the_wait(client, thang, clock):
    for _n in range(5):
        attempt(client, "sai-mat-khau")
    waits = []
    for _n in range(3):
        clock.advance(minutes=31)
        waits.append(int(attempt(client, "sai-mat-khau").headers["Retry-After"]))
    # (Flask-Limiter rewrites Retry-After from the wall clock, so allow a second.)
    assert [pytest.approx(w, abs=1) for w in waits] == [120, 240, 480]


def test_the_wait_never_exceeds_half_an_hour(app):
    assert throttle.lock_for(4).total_seconds() == 0
    assert throttle.lock_for(5).total_seconds() == 60
    assert throttle.lock_for(50).total_seconds() == 30 * 60


def test_a_success_clears_the_count(client, thang, db):
    for _n in range(4):
        attempt(client, "sai-mat-khau")
    assert attempt(client, Factory.PASSWORD).status_code == 303
    assert db.session.scalar(select(LoginThrottle)) is None
    client.post("/dang-xuat", data={"csrf_token": csrf_token_from(client.get("/"))})
    assert attempt(client, "sai-mat-khau").status_code == 422  # counting starts again


def test_old_failures_are_forgotten_after_a_day(client, thang, clock):
    for _n in range(4):
        attempt(client, "sai-mat-khau")
    clock.advance(hours=24, seconds=1)
    for _n in range(4):
        assert attempt(client, "sai-mat-khau").status_code == 422


def test_numbers_untouched_for_a_day_are_removed_from_the_table(client, thang, clock, db):
    attempt(client, "sai-mat-khau", phone="0987000111")
    clock.advance(hours=25)
    attempt(client, "sai-mat-khau")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 1


def test_unknown_numbers_are_locked_the_same_way_so_nothing_is_revealed(client):
    for _n in range(4):
        assert attempt(client, "sai-mat-khau", phone="0987000111").status_code == 422
    response = attempt(client, "sai-mat-khau", phone="0987000111")
    assert response.status_code == 429
    assert "vui lòng đợi 1 phút" in response.get_data(as_text=True)


def test_a_locked_htmx_sign_in_shows_the_wait_beside_the_field(client, thang):
    for _n in range(4):
        attempt(client, "sai-mat-khau")
    response = attempt(client, "sai-mat-khau", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "<html" not in html and 'id="login-form"' in html
    assert "vui lòng đợi 1 phút" in html


def test_the_lock_holds_across_workers(database_uri, client, thang):
    """Two app instances (two gunicorn workers) share the lock through the database."""
    for _n in range(5):
        attempt(client, "sai-mat-khau")
    with second_worker(database_uri) as other_worker:
        assert attempt(other_worker.test_client(), Factory.PASSWORD).status_code == 429


def test_the_number_is_not_stored_in_clear(client, thang, db):
    attempt(client, "sai-mat-khau")
    key = db.session.scalar(select(LoginThrottle.key))
    assert key and "912345678" not in key and len(key) == 64


def test_failures_at_the_same_moment_are_all_counted(app, db):
    """Concurrent wrong passwords on several workers: none is lost."""
    errors = []

    def fail_once():
        try:
            with app.app_context():
                throttle.record_failure(E164)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fail_once) for _n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(select(LoginThrottle.failures)) == 8
