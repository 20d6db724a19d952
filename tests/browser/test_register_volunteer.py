"""A volunteer registers on a phone: errors beside their fields, announced, focus on the first."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, shot

pytestmark = pytest.mark.browser


def _fill_with_two_mistakes(page):
    page.get_by_label("Họ và tên").fill("")
    page.get_by_label("Số điện thoại di động").fill("0912 34")
    page.get_by_label("Năm sinh").fill("2003")
    page.get_by_label("Trường / cơ quan / chi đoàn").fill("Chi đoàn phường Hàng Gai")
    page.get_by_label("Mật khẩu", exact=True).fill("mat-khau-an-toan")
    page.get_by_label("Nhập lại mật khẩu").fill("mat-khau-an-toan")


def test_registration_errors_sit_beside_their_fields_and_focus_goes_to_the_first(
        page, live_server):
    page.goto(live_server.url("/dang-ky-tinh-nguyen-vien"))
    assert_accessible(page)
    _fill_with_two_mistakes(page)
    page.get_by_role("button", name="Đăng ký", exact=True).click()

    name = page.get_by_label("Họ và tên")
    name_error = page.locator("#full_name-error")
    expect(name_error).to_have_text("Vui lòng nhập họ và tên.")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_attribute("aria-describedby", "full_name-error")
    expect(name).to_have_accessible_description("Vui lòng nhập họ và tên.")
    expect(name).to_be_focused()
    # The error is announced: its container is a polite live region beside the field.
    expect(name_error).to_have_attribute("aria-live", "polite")
    assert page.evaluate("document.getElementById('full_name-field')"
                         ".contains(document.getElementById('full_name-error'))")

    phone = page.get_by_label("Số điện thoại di động")
    expect(phone).to_have_attribute("aria-invalid", "true")
    assert "phone-error" in phone.get_attribute("aria-describedby").split()
    expect(page.locator("#phone-error")).not_to_be_empty()
    # What the person typed is kept.
    expect(phone).to_have_value("0912 34")
    expect(page.get_by_label("Năm sinh")).to_have_value("2003")
    expect(page.get_by_label("Năm sinh")).to_have_attribute("aria-invalid", "false")
    shot(page, "errors-beside-fields")
    assert_accessible(page)

    name.fill("Nguyễn Thị Thu Trang")
    phone.fill("0912 345 001")
    # Passwords are never sent back to the page: the person types them again.
    page.get_by_label("Mật khẩu", exact=True).fill("mat-khau-an-toan")
    page.get_by_label("Nhập lại mật khẩu").fill("mat-khau-an-toan")
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    expect(page).to_have_url(live_server.url("/"))
    expect(page.locator("#messages")).to_contain_text("Đăng ký thành công")
    shot(page, "registered")


def test_registration_errors_without_javascript_come_back_on_the_page(nojs_page, live_server):
    page = nojs_page
    page.goto(live_server.url("/dang-ky-tinh-nguyen-vien"))
    _fill_with_two_mistakes(page)
    page.get_by_role("button", name="Đăng ký", exact=True).click()

    expect(page.locator("#full_name-error")).to_have_text("Vui lòng nhập họ và tên.")
    expect(page.get_by_label("Họ và tên")).to_have_accessible_description(
        "Vui lòng nhập họ và tên.")
    expect(page.get_by_label("Năm sinh")).to_have_value("2003")
    shot(page, "errors-without-javascript")
