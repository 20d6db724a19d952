"""The journeys of the campaign, end to end on a 360×740 phone against the real server.

A relative files a request from a group's QR link; a volunteer accepts it and proposes a
time while a second volunteer is told it is taken; the leader gathers waiting requests
into a class; the volunteer logs outcomes; coverage and exports follow; the resident
sees who comes and when. Every page reached is scanned with axe-core and photographed.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.admin.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import HelpRequest, RequestStatus
from tests.browser.helpers import assert_accessible, login, shot

pytestmark = pytest.mark.browser

LEADER = "0901000003"      # Nguyễn Văn Thắng, leader of tổ 3 (HG03) and tổ 5
VOLUNTEER = "0901000004"   # Trần Văn Minh, verified, covers phường Hàng Gai
SECOND = "0901000005"      # Lê Thu Hà, verified, covers tổ 3 and tổ 2
GRANDMOTHER = "Nguyễn Thị Xuân"
GRANDMOTHER_PHONE = "0983 111 222"


def _file_request_for_grandmother(page, live_server, group):
    """Journey 1: from the poster's short link to the tracking code. Returns the code."""
    page.goto(live_server.url("/g/HG03"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin hỗ trợ kỹ năng số")
    # The QR link fills in the ward and the group.
    expect(page.get_by_label("Tổ dân phố / thôn")).to_have_value(str(group.id))
    shot(page, "request-form-from-qr-link")
    assert_accessible(page)

    page.get_by_text("Zalo", exact=True).click()
    page.get_by_text("Ngân hàng số", exact=True).click()
    page.get_by_text("Sáng cuối tuần", exact=True).click()
    page.get_by_label("Họ và tên người cần hỗ trợ").fill(GRANDMOTHER)
    page.get_by_label("Số điện thoại di động").fill(GRANDMOTHER_PHONE)
    page.get_by_label("Ghi chú thêm").fill("Bà nghe kém, xin gọi trước; cháu sẽ có mặt.")
    page.locator("#consent").check()
    shot(page, "request-form-filled")
    page.get_by_role("button", name="Gửi yêu cầu").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã gửi yêu cầu")
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9 -]{6,9}", code), code
    shot(page, "tracking-code")
    assert_accessible(page)
    return code


def test_relative_files_a_request_from_the_qr_link(page, live_server, demo):
    code = _file_request_for_grandmother(page, live_server, demo["groups"]["HG03"])
    db.session.expire_all()
    filed = db.session.scalar(select(HelpRequest).where(
        HelpRequest.code == code.replace(" ", "").replace("-", "")))
    assert filed is not None and filed.status == RequestStatus.OPEN
    assert sorted(t.short_name for t in filed.topics) == ["Ngân hàng số", "Zalo"]
