"""The foundation: pages in Vietnamese, errors people can read, headers, htmx pinned."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.phone import InvalidPhone, display_phone, mask_phone, normalize_phone
from tests.conftest import csrf_token_from

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("typed", ["0912 345 678", "+84 912 345 678", "84912345678",
                                   "0912.345.678", "(+84) 912-345-678"])
def test_the_same_mobile_number_typed_many_ways_is_one_person(typed):
    assert normalize_phone(typed) == "+84912345678"


@pytest.mark.parametrize("typed, reason", [
    ("", "empty"), ("   ", "empty"), ("12345", "malformed"), ("091234567890123", "malformed"),
    ("+1 202 555 0143", "malformed"), ("024 3825 1234", "not_mobile"), ("abc", "malformed"),
])
def test_landlines_and_malformed_numbers_are_refused_with_a_reason(typed, reason):
    with pytest.raises(InvalidPhone) as excinfo:
        normalize_phone(typed)
    assert str(excinfo.value) == reason


def test_phone_numbers_are_shown_nationally_and_masked_elsewhere():
    assert display_phone("+84912345678") == "0912 345 678"
    assert mask_phone("+84912345678").endswith("678")
    assert "912" not in mask_phone("+84912345678")


def test_home_page_is_vietnamese_by_default(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Tình nguyện viên không bao giờ hỏi mã OTP" in html


def test_language_switch_turns_the_interface_english_and_back(client):
    token = csrf_token_from(client.get("/"))
    response = client.post("/ngon-ngu", data={"csrf_token": token, "lang": "en", "next": "/"})
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Volunteers never ask for OTP codes" in html
    token = csrf_token_from(client.get("/"))
    client.post("/ngon-ngu", data={"csrf_token": token, "lang": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    token = csrf_token_from(client.get("/"))
    response = client.post("/ngon-ngu", data={"csrf_token": token, "lang": "en",
                                              "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_post_without_csrf_token_is_refused_in_vietnamese(client):
    response = client.post("/dang-nhap", data={"phone": "0912345678", "password": "x" * 8})
    assert response.status_code == 400
    assert "tải lại trang" in response.get_data(as_text=True)


def test_a_csrf_failure_on_an_htmx_request_is_shown_in_the_message_area(client):
    response = client.post("/dang-nhap", data={"phone": "0912345678"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert 'role="alert"' in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True])
def test_unknown_page_gives_a_vietnamese_404(client, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get("/khong-co-trang-nay", headers=headers)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_friendly_page_not_a_stack_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/_boom")
    def _boom():
        raise RuntimeError("secret internals")

    response = client.get("/_boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_security_headers_are_strict(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_have_no_inline_script(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html
    assert " hx-on" not in html


def test_htmx_is_served_locally_at_the_pinned_version_with_its_checksum():
    vendor = ROOT / "static" / "vendor"
    recorded = (vendor / "htmx-2.0.11.min.js.sha256").read_text().split()[0]
    actual = hashlib.sha256((vendor / "htmx-2.0.11.min.js").read_bytes()).hexdigest()
    assert actual == recorded
    base = (ROOT / "templates" / "base.html").read_text()
    assert "vendor/htmx-2.0.11.min.js" in base
    assert "unpkg" not in base and "cdn" not in base.lower()


def test_htmx_is_configured_for_a_strict_csp(client):
    html = client.get("/").get_data(as_text=True)
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert '"historyRestoreAsHxRequest": false' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_static_files_are_cached_long(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()


def test_health_check_answers_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_health_check_answers_503_when_the_database_is_unreachable(database_uri):
    from app import create_app
    from tests.conftest import _config_dict

    bad = ("postgresql+psycopg://postgres@127.0.0.1:1/none" if "postgresql" in database_uri
           else "sqlite:////nonexistent-dir/nowhere.sqlite3")
    broken = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": bad})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    page = broken.test_client().get("/")
    assert page.status_code == 503
    assert "tạm gián đoạn" in page.get_data(as_text=True)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from app import create_app
    from config import ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_database_url_selects_postgresql_through_psycopg():
    from config import database_url

    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url(None).startswith("sqlite:///")
    assert database_url(None).endswith("instance/cunghocso.sqlite3")


def test_static_urls_carry_a_content_version_so_changes_reach_cached_browsers(app, client):
    html = client.get("/").get_data(as_text=True)
    import re
    match = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{10}))"', html)
    assert match, "the stylesheet link has no version"
    css = (ROOT / "static" / "css" / "app.css").read_bytes()
    assert match.group(2) == hashlib.sha256(css).hexdigest()[:10]
    response = client.get(match.group(1))
    assert response.status_code == 200
    response.close()
