"""The home page on a phone: Vietnamese with its diacritics, English on request, large text."""
from __future__ import annotations

import unicodedata

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, horizontal_overflow, scale_text, shot

pytestmark = pytest.mark.browser

MOJIBAKE = ("Ã", "Â»", "á»", "Æ°", "\ufffd")  # UTF-8 read as Latin-1, or lost characters


def test_home_page_reads_in_vietnamese_with_its_diacritics(page, live_server, demo):
    page.goto(live_server.url("/"))
    shot(page, "home-vi")

    assert page.evaluate("document.characterSet") == "UTF-8"
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_title("Trang chủ · Cùng Học Số")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cùng Học Số")
    expect(page.locator(".lead")).to_contain_text("Tổ bình dân học vụ số của khu phố")
    expect(page.locator(".topic-list")).to_contain_text("Nhận diện và phòng tránh lừa đảo")
    expect(page.locator(".scam-note")).to_contain_text(
        "Tình nguyện viên không bao giờ hỏi mã OTP, mật khẩu hay yêu cầu chuyển tiền.")
    text = page.locator("body").inner_text()
    assert not [m for m in MOJIBAKE if m in text], "garbled characters on the page"
    assert text == unicodedata.normalize("NFC", text), "diacritics are not in composed form"
    assert_accessible(page)


def test_visitor_switches_to_english_and_back(page, live_server):
    page.goto(live_server.url("/dang-nhap"))
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url("/dang-nhap"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("Password")).to_be_visible()
    shot(page, "login-en")
    assert_accessible(page)

    page.goto(live_server.url("/"))
    expect(page.locator(".scam-note")).to_contain_text("never ask for OTP codes")
    page.get_by_role("button", name="Tiếng Việt").click()

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cùng Học Số")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    shot(page, "home-vi-again")


@pytest.mark.parametrize("path, role, action", [
    ("/", "link", "Đăng ký tình nguyện viên"),
    ("/dang-nhap", "button", "Đăng nhập"),
    ("/dang-ky-tinh-nguyen-vien", "button", "Đăng ký"),
], ids=["home", "login", "register"])
def test_text_at_twice_the_size_keeps_the_page_usable_on_a_phone(page, live_server, make, path,
                                                                 role, action):
    make.topic("Ngân hàng số và thanh toán QR", core=True)  # the home page lists the topics
    page.goto(live_server.url(path))
    scale_text(page, 200)
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "32px"
    shot(page, "text-200")

    assert horizontal_overflow(page) == []
    main_action = page.locator("main").get_by_role(role, name=action, exact=True)
    main_action.scroll_into_view_if_needed()
    expect(main_action).to_be_in_viewport()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page.locator("summary")).to_be_visible()
