"""Accounts: log in with a mobile number however it is typed, log out, register."""
from __future__ import annotations

import pytest

from app.auth.passwords import hash_password, verify_password
from app.clock import today_local
from app.models import Role, User
from tests.conftest import csrf_token_from


@pytest.fixture
def binh(make):
    user = make.user(name="Nguyễn Văn Thắng", phone="+84912345678")
    make.commit()
    return user


@pytest.mark.parametrize("typed", ["0912 345 678", "+84 912 345 678", "84912345678"])
def test_login_accepts_the_number_however_it_is_typed(client, auth, binh, typed):
    response = auth.login(typed)
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn Thắng" in html
    assert "Đăng xuất" in html


def test_wrong_password_is_refused_with_a_message_beside_the_field(client, auth, binh):
    response = auth.login("0912345678", "sai-mat-khau")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Số điện thoại hoặc mật khẩu chưa đúng." in html
    assert 'value="0912345678"' in html  # what was typed is kept


def test_a_landline_gets_a_clear_vietnamese_message(client, auth):
    response = auth.login("024 3825 1234")
    assert response.status_code == 422
    assert "số máy bàn" in response.get_data(as_text=True)


def test_login_form_errors_come_back_as_a_fragment_for_htmx(client, binh):
    token = csrf_token_from(client.get("/dang-nhap"))
    response = client.post("/dang-nhap", data={"csrf_token": token, "phone": "12",
                                               "password": "x"},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html and 'id="login-form"' in html
    assert 'aria-describedby="phone-error' in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_successful_htmx_login_redirects_the_whole_page(client, binh):
    token = csrf_token_from(client.get("/dang-nhap"))
    response = client.post("/dang-nhap", data={"csrf_token": token, "phone": "0912345678",
                                               "password": "mat-khau-an-toan"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/"


def test_login_only_follows_local_next_links(client, binh):
    token = csrf_token_from(client.get("/dang-nhap"))
    response = client.post("/dang-nhap?next=https://evil.example/", data={
        "csrf_token": token, "phone": "0912345678", "password": "mat-khau-an-toan"})
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session_and_old_cookies_stop_working(app, client, auth, binh):
    auth.login("0912345678")
    stolen = client.get_cookie("chs_session").value
    auth.logout()
    assert "Đăng xuất" not in client.get("/").get_data(as_text=True)
    other = app.test_client()
    other.set_cookie("chs_session", stolen)
    assert "Đăng xuất" not in other.get("/").get_data(as_text=True)


def test_a_new_session_on_login(client, auth, binh):
    client.get("/")
    before = client.get_cookie("chs_session").value
    auth.login("0912345678")
    assert client.get_cookie("chs_session").value != before


def test_changing_the_password_ends_other_sessions(app, client, auth, binh, db):
    from app.auth.services import set_password

    auth.login("0912345678")
    set_password(db.session.get(User, binh.id), "mat-khau-moi-123")
    db.session.commit()
    assert "Đăng xuất" not in client.get("/").get_data(as_text=True)


@pytest.mark.clock
def test_volunteer_registers_and_is_unverified(client, db):
    token = csrf_token_from(client.get("/dang-ky-tinh-nguyen-vien"))
    response = client.post("/dang-ky-tinh-nguyen-vien", data={
        "csrf_token": token, "full_name": "  Lê   Thu Hà ", "phone": "0987 654 321",
        "birth_year": str(today_local().year - 16), "kind": "student", "organisation": "THPT Trần Phú",
        "password": "mat-khau-123", "password_confirm": "mat-khau-123"})
    assert response.status_code == 303
    user = db.session.scalar(db.select(User).where(User.phone == "+84987654321"))
    assert user.full_name == "Lê Thu Hà"
    assert user.has_role(Role.VOLUNTEER)
    assert user.volunteer_profile.is_verified is False
    assert user.volunteer_profile.is_minor()


@pytest.mark.parametrize("field, value, message", [
    ("password", "ngan", "Mật khẩu cần từ 8 đến 128 ký tự."),
    ("password_confirm", "khac-han-nhau", "Hai mật khẩu chưa khớp nhau."),
    ("birth_year", "1800", "Năm sinh chưa hợp lệ."),
    ("full_name", "", "Vui lòng nhập họ và tên."),
    ("full_name", "x" * 121, "Tối đa 120 ký tự."),
])
def test_registration_errors_are_in_vietnamese_and_keep_what_was_typed(client, field, value,
                                                                         message):
    data = {"full_name": "Lê Thu Hà", "phone": "0987654321", "birth_year": "2000",
            "kind": "student", "organisation": "Trường THPT Trần Phú",
            "password": "mat-khau-123", "password_confirm": "mat-khau-123"}
    data[field] = value
    data["csrf_token"] = csrf_token_from(client.get("/dang-ky-tinh-nguyen-vien"))
    response = client.post("/dang-ky-tinh-nguyen-vien", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "Trường THPT Trần Phú" in html


def test_registering_a_known_phone_says_so(client, binh):
    token = csrf_token_from(client.get("/dang-ky-tinh-nguyen-vien"))
    response = client.post("/dang-ky-tinh-nguyen-vien", data={
        "csrf_token": token, "full_name": "Ai Đó", "phone": "+84 912 345 678",
        "birth_year": "1990", "kind": "other", "password": "mat-khau-123",
        "password_confirm": "mat-khau-123"})
    assert response.status_code == 422
    assert "đã có tài khoản" in response.get_data(as_text=True)


def test_passwords_are_hashed_with_argon2id_at_asvs_strength():
    from config import Config

    assert Config.PASSWORD_MEMORY_COST >= 19 * 1024
    assert Config.PASSWORD_TIME_COST >= 2
    from argon2 import PasswordHasher
    hasher = PasswordHasher(time_cost=Config.PASSWORD_TIME_COST,
                            memory_cost=Config.PASSWORD_MEMORY_COST,
                            parallelism=Config.PASSWORD_PARALLELISM)
    stored = hasher.hash("mat-khau-an-toan")
    assert stored.startswith("$argon2id$")


def test_stored_passwords_are_not_readable(app):
    stored = hash_password("mat-khau-an-toan")
    assert "mat-khau" not in stored
    assert verify_password(stored, "mat-khau-an-toan")
    assert not verify_password(stored, "mat-khau-khac")


def test_create_admin_command(runner, db):
    result = runner.invoke(args=["create-admin", "--phone", "0903 111 222", "--name",
                                 "Quản Trị", "--password", "mat-khau-123"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.phone == "+84903111222"))
    assert user.is_admin


def test_create_admin_refuses_a_bad_phone(runner):
    result = runner.invoke(args=["create-admin", "--phone", "12", "--name", "X",
                                 "--password", "mat-khau-123"])
    assert result.exit_code != 0
    assert "số điện thoại" in result.output
