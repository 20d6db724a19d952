"""Sign-in sessions: safe cookies, timeouts, remember-me, and ending other sessions."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import User
from tests.conftest import csrf_token_from
from tests.factories import Factory
from tests.security_helpers import Clock, production_app

PHONE = "0912345678"


@pytest.fixture
def thang(make):
    user = make.user(name="Nguyễn Văn Thắng", phone="+84912345678")
    make.commit()
    return user


@pytest.fixture
def clock():
    stopped = Clock()
    yield stopped
    stopped.stop()


def login(client, phone=PHONE, password=Factory.PASSWORD, remember=False, base_url=None):
    kwargs = {}
    if base_url:
        # Over https Flask-WTF also checks that the form came from this site.
        kwargs = {"base_url": base_url, "headers": {"Referer": base_url + "/dang-nhap"}}
    token = csrf_token_from(client.get("/dang-nhap", **kwargs))
    data = {"csrf_token": token, "phone": phone, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/dang-nhap", data=data, **kwargs)


def signed_in(client) -> bool:
    return "Đăng xuất" in client.get("/").get_data(as_text=True)


def set_cookies(response) -> dict[str, str]:
    return {value.split("=", 1)[0]: value for value in response.headers.getlist("Set-Cookie")}


# --- cookies -------------------------------------------------------------------
def test_session_and_remember_me_cookies_are_httponly_and_samesite_lax(client, thang):
    cookies = set_cookies(login(client, remember=True))
    for name in ("chs_session", "remember_token"):
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
        assert "Secure" not in cookies[name]  # development runs on plain http


def test_in_production_cookies_are_secure_and_browsers_are_told_to_use_https(database_uri,
                                                                              thang):
    with production_app(database_uri) as app:
        response = login(app.test_client(), remember=True, base_url="https://localhost")
    assert response.status_code == 303
    cookies = set_cookies(response)
    for name in ("chs_session", "remember_token"):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_development_does_not_send_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_signing_in_starts_a_new_session_and_keeps_only_the_language(client, thang):
    token = csrf_token_from(client.get("/"))
    client.post("/ngon-ngu", data={"csrf_token": token, "lang": "en", "next": "/"})
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
        old_csrf = before.get("csrf_token")
    login(client)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != old_csrf
        assert after["lang"] == "en"


# --- timeouts --------------------------------------------------------------------
def test_a_session_ends_after_two_hours_without_activity(client, thang, clock):
    login(client)
    clock.advance(hours=1, minutes=50)
    assert signed_in(client)  # activity: the idle timer starts again
    clock.advance(hours=1, minutes=50)
    assert signed_in(client)
    clock.advance(hours=2, seconds=1)
    html = client.get("/").get_data(as_text=True)
    assert "Đăng xuất" not in html
    assert "lâu không thao tác" in html


def test_a_session_ends_twelve_hours_after_sign_in_even_when_in_use(client, thang, clock):
    login(client)
    for _hour in range(11):
        clock.advance(hours=1)
        assert signed_in(client)
    clock.advance(hours=1, seconds=1)
    assert not signed_in(client)


def test_an_expired_session_sends_the_next_page_to_the_login_form(client, make, auth, clock):
    admin = make.admin()
    make.commit()
    auth.login(admin.phone)
    assert client.get("/quan-tri").status_code == 200
    clock.advance(hours=3)
    response = client.get("/quan-tri")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dang-nhap")


# --- remember me -------------------------------------------------------------------
def test_remember_me_keeps_the_person_signed_in_after_the_session_times_out(client, thang,
                                                                             clock):
    login(client, remember=True)
    first = client.get_cookie("chs_session").value
    clock.advance(hours=13)
    assert signed_in(client)
    assert client.get_cookie("chs_session").value != first  # a new session was started
    clock.advance(days=5)
    assert signed_in(client)


def test_without_remember_me_there_is_no_remember_cookie(client, thang):
    login(client)
    assert client.get_cookie("remember_token") is None


def test_a_copied_remember_me_cookie_stops_working_after_fourteen_days(app, client, thang,
                                                                       clock):
    login(client, remember=True)
    copied = client.get_cookie("remember_token").value
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert signed_in(thief)  # the cookie is a credential, which is why it is bounded
    clock.advance(days=14, seconds=1)
    late = app.test_client()
    late.set_cookie("remember_token", copied)  # its holder ignored the expiry date
    assert not signed_in(late)
    assert late.get_cookie("remember_token") is None  # and it was deleted


def test_logging_out_ends_the_remember_me_cookie_everywhere(app, client, thang):
    login(client, remember=True)
    copied = client.get_cookie("remember_token").value
    token = csrf_token_from(client.get("/"))
    client.post("/dang-xuat", data={"csrf_token": token})
    assert client.get_cookie("remember_token") is None
    other = app.test_client()
    other.set_cookie("remember_token", copied)
    assert not signed_in(other)


def test_a_tampered_login_id_is_refused(app, client, thang):
    login(client)
    with client.session_transaction() as sess:
        user_id, token, _at = sess["_user_id"].split(":")
        sess["_user_id"] = f"{user_id}:{token}"  # no sign-in time
    assert not signed_in(client)


# --- change password ------------------------------------------------------------------
def change_password(client, current, new, confirm=None, headers=None):
    token = csrf_token_from(client.get("/doi-mat-khau"))
    return client.post("/doi-mat-khau", headers=headers or {}, data={
        "csrf_token": token, "current_password": current, "new_password": new,
        "new_password_confirm": new if confirm is None else confirm})


def test_the_change_password_page_needs_a_signed_in_person(client):
    response = client.get("/doi-mat-khau")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dang-nhap")


def test_the_menu_offers_to_change_the_password_once_signed_in(client, thang):
    assert "/doi-mat-khau" not in client.get("/").get_data(as_text=True)
    login(client)
    assert "/doi-mat-khau" in client.get("/").get_data(as_text=True)


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, thang, db):
    login(client)
    phone_in_the_drawer = app.test_client()
    login(phone_in_the_drawer, remember=True)
    remembered = phone_in_the_drawer.get_cookie("remember_token").value

    response = change_password(client, Factory.PASSWORD, "mat-khau-moi-2026")
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert "Đăng xuất" in html and "Đã đổi mật khẩu" in html
    assert not signed_in(phone_in_the_drawer)
    with phone_in_the_drawer.session_transaction() as sess:
        assert "_user_id" not in sess  # the stale sign-in is forgotten, not re-checked
    assert phone_in_the_drawer.get_cookie("remember_token") is None
    stale = app.test_client()
    stale.set_cookie("remember_token", remembered)
    assert not signed_in(stale)

    fresh = app.test_client()
    assert login(fresh, password=Factory.PASSWORD).status_code == 422
    assert login(fresh, password="mat-khau-moi-2026").status_code == 303


def test_changing_the_password_needs_the_current_one(client, thang, db):
    login(client)
    response = change_password(client, "khong-phai-mat-khau", "mat-khau-moi-2026")
    assert response.status_code == 422
    assert "Mật khẩu hiện tại chưa đúng." in response.get_data(as_text=True)
    db.session.expire_all()
    assert login(client.application.test_client()).status_code == 303  # unchanged


@pytest.mark.parametrize("new, confirm, message", [
    ("ngan", None, "Mật khẩu cần từ 8 đến 128 ký tự."),
    ("mat-khau-moi-2026", "mat-khau-khac-2026", "Hai mật khẩu chưa khớp nhau."),
])
def test_a_weak_or_mistyped_new_password_is_explained(client, thang, new, confirm, message):
    login(client)
    response = change_password(client, Factory.PASSWORD, new, confirm,
                               headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "<html" not in html and 'id="change-password-form"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_guessing_the_current_password_is_slowed_down_too(client, thang, db):
    from app.extensions import limiter

    login(client)
    for _attempt in range(4):
        assert change_password(client, "doan-sai-mat-khau", "mat-khau-moi-2026"
                               ).status_code == 422
    response = change_password(client, "doan-sai-mat-khau", "mat-khau-moi-2026")
    assert response.status_code == 429
    assert "vui lòng đợi 1 phút" in response.get_data(as_text=True)
    limiter.reset()
    # Even the right password is not checked while the number is locked.
    assert change_password(client, Factory.PASSWORD, "mat-khau-moi-2026").status_code == 429
    db.session.expire_all()
    assert db.session.get(User, thang.id).session_token == thang.session_token


def test_a_successful_htmx_password_change_redirects_the_whole_page(client, thang):
    login(client)
    response = change_password(client, Factory.PASSWORD, "mat-khau-moi-2026",
                               headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/"


def test_session_lifetimes_are_within_asvs_level_2():
    from config import Config

    assert Config.SESSION_IDLE_TIMEOUT <= timedelta(hours=2)
    assert Config.PERMANENT_SESSION_LIFETIME <= timedelta(hours=12)
    assert Config.REMEMBER_COOKIE_DURATION <= timedelta(days=30)
