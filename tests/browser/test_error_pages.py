"""When something goes wrong the phone shows a clear Vietnamese message, never nothing."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, shot

pytestmark = pytest.mark.browser


def test_a_missing_page_says_so_and_leads_home(page, live_server):
    response = page.goto(live_server.url("/trang-khong-co"))

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    expect(page.locator("main")).to_contain_text("Hãy quay về trang chủ.")
    shot(page, "not-found")
    assert_accessible(page)
    page.get_by_role("link", name="Về trang chủ").click()
    expect(page).to_have_url(live_server.url("/"))


def test_a_missing_page_in_english(page, live_server):
    page.goto(live_server.url("/"))
    page.get_by_role("button", name="English").click()
    page.goto(live_server.url("/trang-khong-co"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    shot(page, "not-found-en")
    assert_accessible(page)


def test_an_expired_form_sent_with_htmx_shows_a_message_instead_of_nothing(page, live_server):
    page.goto(live_server.url("/dang-nhap"))
    page.context.clear_cookies()  # the session ended: the form's CSRF token is no longer valid
    page.get_by_label("Số điện thoại").fill("0901000003")
    page.get_by_label("Mật khẩu").fill("mat-khau-bat-ky")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    alert = page.locator("#messages").get_by_role("alert")
    expect(alert).to_contain_text("Phiên làm việc đã hết hạn hoặc biểu mẫu đã cũ.")
    expect(page.get_by_label("Số điện thoại")).to_have_value("0901000003")
    shot(page, "expired-form")
    assert_accessible(page)


def test_an_expired_form_without_javascript_shows_an_error_page(nojs_page, live_server):
    page = nojs_page
    page.goto(live_server.url("/dang-nhap"))
    page.context.clear_cookies()
    page.get_by_label("Số điện thoại").fill("0901000003")
    page.get_by_label("Mật khẩu").fill("mat-khau-bat-ky")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Yêu cầu không hợp lệ")
    expect(page.locator("main")).to_contain_text("Vui lòng tải lại trang rồi gửi lại.")
    shot(page, "expired-form-without-javascript")
