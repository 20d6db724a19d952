"""The journeys of the campaign, end to end on a 360×740 phone against the real server.

A relative files a request from a group's QR link; a volunteer accepts it and proposes a
time while a second volunteer is told it is taken; the leader gathers waiting requests
into a class; the volunteer logs outcomes; coverage and exports follow; the resident
sees who comes and when. Every page reached is scanned with axe-core and photographed.
"""
from __future__ import annotations

import csv
import io
import re
import weakref
from datetime import datetime, time, timedelta

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.clock import LOCAL_TZ, today_local, utcnow
from app.extensions import db
from app.models import HelpRequest, RequestStatus, Session
from app.seeding.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_accessible, login, shot

pytestmark = pytest.mark.browser

LEADER = "0901000003"      # Nguyễn Văn Thắng, leader of tổ 3 (HG03) and tổ 5
VOLUNTEER = "0901000004"   # Trần Văn Minh, verified, covers phường Hàng Gai
SECOND = "0901000005"      # Lê Thu Hà, verified, covers tổ 3 and tổ 2
GRANDMOTHER = "Nguyễn Thị Xuân"
GRANDMOTHER_PHONE = "0983 111 222"


# Phones with JavaScript off: axe-core cannot run there (page.evaluate waits for a script
# engine that is off); the same pages are scanned in the journeys with JavaScript.
WITHOUT_JAVASCRIPT: "weakref.WeakSet" = weakref.WeakSet()


def _without_javascript(page):
    WITHOUT_JAVASCRIPT.add(page)
    return page


def _accessible(page):
    if page not in WITHOUT_JAVASCRIPT:
        assert_accessible(page)


def _file_request_for_grandmother(page, live_server, group):
    """Journey 1: from the poster's short link to the tracking code. Returns the code."""
    page.goto(live_server.url("/g/HG03"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin hỗ trợ kỹ năng số")
    # The QR link fills in the ward and the group.
    expect(page.get_by_label("Tổ dân phố / thôn")).to_have_value(str(group.id))
    shot(page, "request-form-from-qr-link")
    _accessible(page)

    page.get_by_text("Zalo", exact=True).click()
    page.get_by_text("Ngân hàng số", exact=True).click()
    page.get_by_text("Sáng cuối tuần", exact=True).click()
    page.get_by_text("Tại nhà văn hóa", exact=True).click()
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
    _accessible(page)
    return code


def test_relative_files_a_request_from_the_qr_link(page, live_server, demo):
    code = _file_request_for_grandmother(page, live_server, demo["groups"]["HG03"])
    db.session.expire_all()
    filed = db.session.scalar(select(HelpRequest).where(
        HelpRequest.code == code.replace(" ", "").replace("-", "")))
    assert filed is not None and filed.status == RequestStatus.OPEN
    assert sorted(t.short_name for t in filed.topics) == ["Ngân hàng số", "Zalo"]


def _menu(page, name):
    """Open the menu (a disclosure on a phone) and follow one of its links."""
    page.locator("details.menu > summary").click()
    page.locator("details.menu nav").get_by_role("link", name=name, exact=True).click()


def _next_saturday():
    """A Saturday at least two days ahead (inside the "weekend morning" window): on a
    Friday or a Saturday, the Saturday of next week."""
    today = today_local()
    days = (5 - today.weekday()) % 7
    return today + timedelta(days=days if days >= 2 else days + 7)


def _open_week_of(page, day):
    """On the calendar (which opens at this week), go forward to the week of `day`, as the
    leader would with "Tuần sau"."""
    this_monday = today_local() - timedelta(days=today_local().weekday())
    monday = day - timedelta(days=day.weekday())
    for _ in range((monday - this_monday).days // 7):
        shown = page.locator("#week-title").inner_text()
        page.get_by_role("link", name="Tuần sau ›").click()
        expect(page.locator("#week-title")).not_to_have_text(shown)
    expect(page).to_have_url(re.compile(rf"week={monday.isoformat()}") if monday != this_monday
                             else re.compile(r"/lich"))


def _accept_and_propose(page, live_server, code, *, second=None):
    """Journey 2: the volunteer accepts the request near them and proposes a time.

    With `second` (another volunteer's phone, already on the same feed), that volunteer
    taps the same request after the first and is told it is taken.
    """
    login(page, live_server, VOLUNTEER, DEMO_PASSWORD)
    _menu(page, "Yêu cầu gần bạn")
    expect(page).to_have_url(live_server.url("/yeu-cau-gan-ban"))
    card = page.locator(".match-card").filter(has_text="Ngân hàng số").filter(has_text="Zalo")
    expect(card).to_have_count(1)
    shot(page, "requests-near-you")
    _accessible(page)
    card.get_by_role("button", name="Nhận hỗ trợ").click()
    expect(page.locator("body")).to_contain_text(f"Bạn đã nhận yêu cầu {code.replace(' ', '')}")
    shot(page, "accepted")
    _accessible(page)

    if second is not None:
        other_card = second.locator(".match-card").filter(has_text="Ngân hàng số").filter(
            has_text="Zalo")
        other_card.get_by_role("button", name="Nhận hỗ trợ").click()
        expect(second.locator("body")).to_contain_text(
            "một bạn tình nguyện viên khác vừa nhận yêu cầu này trước bạn")
        shot(second, "second-volunteer-told-it-is-taken")
        _accessible(second)

    page.get_by_role("link", name="Đề xuất thời gian hẹn").click()
    expect(page).to_have_url(re.compile(r"/buoi/de-xuat\?request_id=\d+"))
    _accessible(page)
    saturday = _next_saturday()
    page.get_by_label("Ngày").fill(saturday.isoformat())
    page.get_by_label("Bắt đầu lúc").fill("09:00")
    page.get_by_label("Kết thúc lúc").fill("10:30")
    expect(page.get_by_label("Nhà văn hóa", exact=True)).to_be_checked()  # as she asked
    page.get_by_label("Tên địa điểm").fill("Nhà văn hóa tổ 3")
    shot(page, "proposal-filled")
    page.get_by_role("button", name="Gửi đề xuất").click()
    # The session's page (its flash may read "already scheduled" when the browser sent the
    # form twice; the database keeps one session, which the callers check).
    expect(page).to_have_url(re.compile(r"/buoi/\d+$"))
    expect(page.locator("main")).to_contain_text(
        f"{saturday.day}/{saturday.month}/{saturday.year}")
    shot(page, "session-proposed")
    _accessible(page)
    return saturday


@pytest.mark.clock
def test_volunteer_accepts_and_proposes_a_time_while_a_second_is_told_it_is_taken(
        page, open_phone, live_server, demo):
    code = _file_request_for_grandmother(open_phone(), live_server, demo["groups"]["HG03"])
    second = open_phone()
    login(second, live_server, SECOND, DEMO_PASSWORD)
    second.goto(live_server.url("/yeu-cau-gan-ban"))
    expect(second.locator(".match-card").filter(has_text="Ngân hàng số")).to_have_count(1)
    shot(second, "second-volunteer-sees-the-same-request")

    saturday = _accept_and_propose(page, live_server, code, second=second)

    db.session.expire_all()
    taken = db.session.scalar(select(HelpRequest).where(
        HelpRequest.code == code.replace(" ", "").replace("-", "")))
    assert taken.status == RequestStatus.SCHEDULED
    assert taken.volunteer.user.phone.endswith("901000004")
    sessions = db.session.scalars(select(Session).where(Session.request_id == taken.id)).all()
    assert len(sessions) == 1
    session = sessions[0]
    assert session.starts_at.astimezone(LOCAL_TZ).replace(tzinfo=None) == datetime.combine(
        saturday, time(9, 0))


def test_resident_tracks_the_request_and_sees_the_volunteer_and_the_time(
        page, open_phone, live_server, demo):
    code = _file_request_for_grandmother(open_phone(), live_server, demo["groups"]["HG03"])
    saturday = _accept_and_propose(open_phone(), live_server, code)

    # Journey 6: on her own phone, the grandmother types the code from the text message.
    page.goto(live_server.url("/theo-doi"))
    _accessible(page)
    page.get_by_label("Mã theo dõi").fill(code)
    page.get_by_label("Số điện thoại đã dùng khi gửi yêu cầu").fill(GRANDMOTHER_PHONE)
    shot(page, "tracking-form")
    page.get_by_role("button", name="Xem tình trạng").click()
    expect(page).to_have_url(re.compile(r"/theo-doi/\d+$"))
    # The volunteer by given name (Trần Văn Minh -> Minh) and the proposed time.
    expect(page.locator(".volunteer-line")).to_have_text("Tình nguyện viên: Minh")
    expect(page.locator("main")).to_contain_text(f"{saturday.day}/{saturday.month}/{saturday.year}, 9:00")
    expect(page.locator("main")).to_contain_text("10:30")
    shot(page, "tracking-shows-volunteer-and-time")
    _accessible(page)


def _gather_a_class(page, live_server):
    """Journey 3: the leader makes a Saturday class for Zalo and digital banking and
    invites the three requests waiting for those topics; it is full. Returns its id."""
    login(page, live_server, LEADER, DEMO_PASSWORD)
    page.goto(live_server.url("/lop-hoc/moi"))
    _accessible(page)
    saturday = _next_saturday()
    page.get_by_label("Tên lớp").fill("Cùng bà học Zalo và ngân hàng số")
    page.get_by_label("Zalo: nhắn tin, gọi video, nhóm tổ dân phố").check()
    page.get_by_label("Ngân hàng số và thanh toán QR").check()
    page.get_by_label("Ngày").fill(saturday.isoformat())
    page.get_by_label("Bắt đầu lúc").fill("14:00")
    page.get_by_label("Kết thúc lúc").fill("15:30")
    page.get_by_label("Số chỗ").fill("3")
    page.get_by_label("Tình nguyện viên phụ trách").select_option(label="Trần Văn Minh")
    shot(page, "class-form-filled")
    page.get_by_role("button", name="Tạo lớp học").click()
    # The class's page. (Its "created" flash is not asserted: the inline check that the
    # last field's change sends can answer after the form and carry the session cookie
    # from before the flash.)
    expect(page).to_have_url(re.compile(r"/buoi/\d+$"))
    expect(page.locator("main")).to_contain_text("Cùng bà học Zalo và ngân hàng số")
    session_id = int(page.url.rsplit("/", 1)[1])
    shot(page, "class-created")
    _accessible(page)

    page.get_by_role("link", name="Mời người dân").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mời người dân vào lớp")
    candidates = page.locator(".candidates input[type=checkbox]")
    expect(candidates).to_have_count(3)
    for i in range(3):
        candidates.nth(i).check()
    shot(page, "three-waiting-requests")
    _accessible(page)
    page.get_by_role("button", name="Mời những người đã chọn").click()
    expect(page.locator("#messages")).to_contain_text(
        "Đã mời 3 người vào lớp, 0 người vào danh sách chờ")
    expect(page.locator("#roster-title")).to_have_text("Đã có chỗ: 3/3")
    shot(page, "class-full")
    _accessible(page)

    _menu(page, "Lịch tổ")
    _open_week_of(page, saturday)
    expect(page.locator("main")).to_contain_text("Cùng bà học Zalo và ngân hàng số")
    shot(page, "calendar-shows-the-class")
    _accessible(page)
    return session_id


@pytest.mark.clock
def test_leader_gathers_three_waiting_requests_into_a_full_class(
        page, open_phone, live_server, demo):
    # Waiting in tổ 3 for Zalo or digital banking: Bình and Mai (demo) and Xuân (filed now).
    _file_request_for_grandmother(open_phone(), live_server, demo["groups"]["HG03"])
    session_id = _gather_a_class(page, live_server)

    db.session.expire_all()
    cls = db.session.get(Session, session_id)
    assert sorted(e.resident.full_name for e in cls.enrollments) == [
        "Lê Thị Mai", "Nguyễn Thị Bình", GRANDMOTHER]


def _after_the_class(session_id):
    """The class has taken place. Outcomes are logged only once a session has started and
    the form allows no time in the past, so the test moves the class to earlier today in
    the database, as if the journey had continued on Saturday afternoon."""
    cls = db.session.get(Session, session_id)
    now = utcnow()
    cls.starts_at = now - timedelta(hours=2)
    cls.ends_at = now - timedelta(minutes=30)
    db.session.commit()


def _log_outcomes(page, live_server, session_id):
    """Journey 4: the volunteer logs the class: two came (one needs a follow-up), one did not."""
    login(page, live_server, VOLUNTEER, DEMO_PASSWORD)
    page.goto(live_server.url("/ket-qua/can-ghi"))
    _accessible(page)
    page.get_by_role("link", name="Cùng bà học Zalo và ngân hàng số").click()
    expect(page).to_have_url(live_server.url(f"/buoi/{session_id}/ket-qua"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ghi kết quả buổi học")
    attendees = page.locator("section.attendee")
    expect(attendees).to_have_count(3)
    _accessible(page)

    first, second, third = attendees.nth(0), attendees.nth(1), attendees.nth(2)
    first.get_by_text("Có đến", exact=True).click()
    first.locator("input[type=checkbox][name$=_skills]").nth(0).check()
    first.locator("input[type=checkbox][name$=_skills]").nth(1).check()
    first.get_by_text("4", exact=True).click()
    second.get_by_text("Có đến", exact=True).click()
    second.locator("input[type=checkbox][name$=_skills]").nth(0).check()
    second.get_by_text("2", exact=True).click()
    second.get_by_label("Cần học tiếp (mở lại yêu cầu cho các kỹ năng còn lại)").check()
    second.get_by_label("Ghi chú ngắn").fill("Cần ôn lại cách chuyển khoản.")
    third.get_by_text("Không đến", exact=True).click()
    shot(page, "outcomes-filled")
    page.get_by_role("button", name="Lưu kết quả").click()
    expect(page.locator("#messages")).to_contain_text("Đã lưu kết quả buổi học.")
    expect(page.locator("#messages")).to_contain_text("Đã mở 1 yêu cầu học tiếp")
    shot(page, "outcomes-logged")
    _accessible(page)


def _assert_outcomes(session_id):
    db.session.expire_all()
    cls = db.session.get(Session, session_id)
    outcomes = [e.outcome for e in sorted(cls.enrollments, key=lambda e: e.id)]
    assert [o.attended for o in outcomes if o is not None].count(True) == 2
    assert sum(1 for o in outcomes if o is not None and o.follow_up) == 1


def test_volunteer_logs_outcomes_and_one_attendee_needs_a_follow_up(
        page, open_phone, live_server, demo):
    _file_request_for_grandmother(open_phone(), live_server, demo["groups"]["HG03"])
    session_id = _gather_a_class(open_phone(), live_server)
    _after_the_class(session_id)
    _log_outcomes(page, live_server, session_id)
    _assert_outcomes(session_id)


def _reached(page, group):
    return int(page.locator(f"#row-group-{group.id} [data-figure=reached]").inner_text())


def test_coverage_and_the_ward_roll_up_follow_the_outcomes_and_the_export_opens(
        page, open_phone, live_server, demo):
    group = demo["groups"]["HG03"]
    _file_request_for_grandmother(open_phone(), live_server, group)
    session_id = _gather_a_class(page, live_server)  # the leader stays signed in on `page`
    _menu(page, "Độ bao phủ")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Độ bao phủ của các tổ tôi phụ trách")
    reached_before = _reached(page, group)
    shot(page, "coverage-before")
    _accessible(page)
    official = open_phone()
    login(official, live_server, "0901000002", DEMO_PASSWORD)  # Đỗ Thị Hương, phường Hàng Gai
    official.goto(live_server.url("/do-bao-phu/phuong"))
    ward_before = _reached(official, group)

    _after_the_class(session_id)
    _log_outcomes(open_phone(), live_server, session_id)

    # Journey 5: two more residents of tổ 3 have been helped.
    page.reload()
    expect(page.locator(f"#row-group-{group.id} [data-figure=reached]")).to_have_text(
        str(reached_before + 2))
    shot(page, "coverage-after")
    _accessible(page)
    official.reload()
    expect(official.locator(f"#row-group-{group.id} [data-figure=reached]")).to_have_text(
        str(ward_before + 2))
    shot(official, "ward-roll-up-after")
    _accessible(official)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as downloaded:  # saved without its name: open the bytes
        workbook = openpyxl.load_workbook(io.BytesIO(downloaded.read()), read_only=True)
    cells = [[c for c in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    tổ_3 = next(row for row in cells if group.name in [str(c) for c in row])
    assert reached_before + 2 in tổ_3

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải CSV").click()
    with open(download_info.value.path(), encoding="utf-8-sig") as downloaded:
        text = downloaded.read()
    rows = list(csv.reader(io.StringIO(text)))
    assert any(group.name in row and str(reached_before + 2) in row for row in rows), rows


# --- without JavaScript: plain form posts and redirects -----------------------------------
def test_without_javascript_a_relative_files_a_request_from_the_qr_link(
        nojs_page, live_server, demo):
    code = _file_request_for_grandmother(_without_javascript(nojs_page), live_server, demo["groups"]["HG03"])
    db.session.expire_all()
    filed = db.session.scalar(select(HelpRequest).where(
        HelpRequest.code == code.replace(" ", "").replace("-", "")))
    assert sorted(t.short_name for t in filed.topics) == ["Ngân hàng số", "Zalo"]


def test_without_javascript_the_volunteer_logs_outcomes(
        nojs_page, open_phone, live_server, demo):
    _file_request_for_grandmother(_without_javascript(open_phone(javascript=False)),
                                  live_server, demo["groups"]["HG03"])
    session_id = _gather_a_class(_without_javascript(open_phone(javascript=False)), live_server)
    _after_the_class(session_id)
    _log_outcomes(_without_javascript(nojs_page), live_server, session_id)
    _assert_outcomes(session_id)
