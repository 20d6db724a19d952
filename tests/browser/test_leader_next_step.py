"""The leader's next step is on the request's page: a request that waits is given to a
volunteer from its own page, and the time is set from there, on a 360×740 phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import HelpRequest, RequestStatus
from app.seeding.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_accessible, login, shot
from tests.browser.test_journeys import LEADER, _file_request_for_grandmother

pytestmark = pytest.mark.browser


def test_the_leader_gives_a_waiting_request_to_a_volunteer_from_its_page(
        page, open_phone, live_server, demo):
    code = _file_request_for_grandmother(open_phone(), live_server, demo["groups"]["HG03"])
    plain = code.replace(" ", "").replace("-", "")
    login(page, live_server, LEADER, DEMO_PASSWORD)
    page.goto(live_server.url("/yeu-cau-cua-to"))
    page.get_by_role("link", name=plain).click()
    expect(page.get_by_role("heading", name="Việc tiếp theo")).to_be_visible()
    shot(page, "request-with-its-next-step")
    assert_accessible(page)

    page.get_by_role("link", name="Giao cho tình nguyện viên").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gợi ý tình nguyện viên")
    first = page.locator(".match-suggestions > li").first
    button = first.get_by_role("button", name=re.compile("^Giao cho "))
    name = button.inner_text().strip().removeprefix("Giao cho ")
    button.click()
    expect(page.locator("#suggestions")).to_contain_text(f"Yêu cầu đã được giao cho {name}")
    shot(page, "request-given-to-a-volunteer")

    page.get_by_role("link", name="Hẹn lịch").click()
    expect(page).to_have_url(re.compile(r"/buoi/de-xuat\?request_id=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, "leader-sets-the-time")
    db.session.expire_all()
    given = db.session.scalar(select(HelpRequest).where(HelpRequest.code == plain))
    assert given.status == RequestStatus.ASSIGNED and given.volunteer.user.full_name == name
