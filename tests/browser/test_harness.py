"""The browser harness itself: what a test seeds reaches the server, and its checks can fail."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (accessibility_violations, horizontal_overflow, login,
                                   scale_text)
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_what_the_test_made_is_there_for_the_browser_without_an_explicit_commit(
        page, live_server, make):
    leader = make.leader(make.group(), name="Trần Thị Hoa")
    phone = leader.phone  # the test keeps reading while the browser writes (login time)

    login(page, live_server, phone, Factory.PASSWORD)

    expect(page.locator("#messages")).to_contain_text("Xin chào Trần Thị Hoa!")


def test_the_accessibility_scan_reports_an_unlabelled_field(page, live_server):
    page.goto(live_server.url("/dang-nhap"))
    assert accessibility_violations(page) == []
    page.evaluate("document.querySelector('label[for=phone]').remove()")

    rules = {v["id"] for v in accessibility_violations(page)}

    assert "label" in rules


def test_the_accessibility_scan_reports_crowded_tiny_buttons(page, live_server):
    page.goto(live_server.url("/dang-nhap"))
    page.evaluate("""() => {
        for (const text of ['a', 'b']) {
            const button = document.createElement('button');
            button.className = 'link-button';
            button.textContent = text;
            document.querySelector('main').append(button);
        }
    }""")

    assert "target-size" in {v["id"] for v in accessibility_violations(page)}


def test_the_overflow_check_reports_a_page_wider_than_the_phone(page, live_server):
    page.goto(live_server.url("/dang-nhap"))
    scale_text(page, 200)
    assert horizontal_overflow(page) == []
    page.evaluate("document.querySelector('h1').textContent = 'Đăngnhập'.repeat(12)")

    assert horizontal_overflow(page) != []
