"""Signing in on a phone: with htmx, without JavaScript, and with the keyboard alone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.seeding.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_accessible, shot

pytestmark = pytest.mark.browser

LEADER_PHONE = "0901000003"  # Nguyễn Văn Thắng, tổ trưởng tổ 3 (demo data)


def test_leader_signs_in_through_the_form_with_htmx(page, live_server, demo):
    page.goto(live_server.url("/dang-nhap"))
    assert_accessible(page)
    login_button = page.locator("#login-form").get_by_role("button", name="Đăng nhập")
    expect(login_button).to_have_css("background-color", "rgb(11, 93, 59)")  # the main action
    shot(page, "login-form")
    page.get_by_label("Số điện thoại").fill("0901 000 003")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        login_button.click()

    assert posted.value.headers.get("hx-request") == "true"
    expect(page).to_have_url(live_server.url("/"))
    expect(page.locator("#messages")).to_contain_text("Xin chào Nguyễn Văn Thắng!")
    page.get_by_text("Danh mục").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    shot(page, "signed-in")
    assert_accessible(page)


def test_wrong_password_is_said_beside_the_password_field(page, live_server, demo):
    page.goto(live_server.url("/dang-nhap"))
    page.get_by_label("Số điện thoại").fill(LEADER_PHONE)
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    password = page.get_by_label("Mật khẩu")
    expect(page.locator("#password-error")).to_have_text("Số điện thoại hoặc mật khẩu chưa đúng.")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_be_focused()
    expect(page.get_by_label("Số điện thoại")).to_have_value(LEADER_PHONE)
    shot(page, "wrong-password")
    assert_accessible(page)


def test_leader_signs_in_with_javascript_off_through_a_plain_form_post(nojs_page, live_server,
                                                                       demo):
    page = nojs_page
    page.goto(live_server.url("/dang-nhap"))
    page.get_by_label("Số điện thoại").fill(LEADER_PHONE)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.get_by_role("button", name="Đăng nhập", exact=True).click()

    assert "hx-request" not in posted.value.headers
    expect(page).to_have_url(live_server.url("/"))
    expect(page.locator("#messages")).to_contain_text("Xin chào Nguyễn Văn Thắng!")
    shot(page, "signed-in-without-javascript")


def test_wrong_password_without_javascript_comes_back_with_the_error(nojs_page, live_server,
                                                                     demo):
    page = nojs_page
    page.goto(live_server.url("/dang-nhap"))
    page.get_by_label("Số điện thoại").fill(LEADER_PHONE)
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    expect(page.locator("#password-error")).to_have_text("Số điện thoại hoặc mật khẩu chưa đúng.")
    expect(page.get_by_label("Số điện thoại")).to_have_value(LEADER_PHONE)
    shot(page, "wrong-password-without-javascript")


def test_leader_signs_in_with_the_keyboard_alone(page, live_server, demo):
    page.goto(live_server.url("/dang-nhap"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    shot(page, "skip-link")

    typed = {"phone": LEADER_PHONE, "password": DEMO_PASSWORD}
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.textContent")
        if focused in typed:
            page.keyboard.type(typed.pop(focused))
        if focused.strip() == "Đăng nhập" and page.evaluate(
                "document.activeElement.type") == "submit":
            break
    else:
        pytest.fail("Tab never reached the login button")
    assert not typed, f"Tab never reached {sorted(typed)}"
    expect(page.locator("#login-form button[type=submit]")).to_be_focused()
    shot(page, "login-button-focused")

    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Xin chào Nguyễn Văn Thắng!")
