"""Tracking: code and phone in, status in plain words out; the resident can cancel."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.clock import local_to_utc, utcnow
from app.models import (Enrollment, EnrollmentStatus, HelpRequest, OutboxMessage, Place,
                        RequestStatus, SessionKind, SessionStatus)
from tests.conftest import csrf_token_from
from tests.requests_helpers import HX, neighbourhood, submit, text, track

CSRF = re.compile(r'(name="csrf_token" value="|"X-CSRFToken": ")[^"]+"')


@pytest.fixture
def n(make):
    return neighbourhood(make)


@pytest.fixture
def binh_request(make, n):
    """Mrs Bình's open request, code K7M4QX, phone 0912 345 678."""
    binh = make.resident(n.group, name="Nguyễn Thị Bình", phone="+84912345678")
    req = make.request(binh, topics=[n.banking], code="K7M4QX",
                       created_at=utcnow() - timedelta(days=3))
    make.commit()
    return req


def tracked(client):
    with client.session_transaction() as session:
        return session.get("tracked_requests", [])


def status_page(client, req):
    return client.get(f"/theo-doi/{req.id}")


# --- finding the request -----------------------------------------------------------------------
def test_tracking_form_asks_for_code_and_phone_without_putting_them_in_the_url(client, n):
    html = text(client.get("/theo-doi"))
    assert 'method="post" action="/theo-doi"' in html
    assert 'name="code"' in html and 'name="phone"' in html
    assert "không có số 0, số 1, chữ O, I, L" in html


def test_the_resident_sees_the_status_with_code_and_phone(app, client, binh_request):
    response = track(client, "K7M4QX", "0912 345 678")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == f"/theo-doi/{binh_request.id}"
    assert "912" not in location and "K7M" not in location  # nothing personal in the URL
    assert tracked(client) == [binh_request.id]

    page = client.get(location)
    html = text(page)
    assert page.status_code == 200
    assert "Đang chờ tình nguyện viên nhận." in html
    assert "Đã chờ 3 ngày" in html
    assert "K7M 4QX" in html and "Ngân hàng số" in html
    assert "không bao giờ hỏi mã OTP" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert '<body class="resident"' in html


def test_the_code_is_found_however_it_is_typed(client, binh_request):
    for typed in ("k7m 4qx", "K7M-4QX", " k7m4qx "):
        assert track(client, typed, "+84 912 345 678").status_code == 303, typed


def test_tracking_through_htmx_redirects_the_whole_page(client, binh_request):
    response = track(client, "K7M4QX", "0912345678", headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/theo-doi/{binh_request.id}"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_wrong_phone_gets_the_same_answer_as_an_unknown_code(client, make, binh_request, htmx):
    headers = HX if htmx else None
    wrong_phone = track(client, "K7M4QX", "0987 654 321", headers=headers)
    unknown_code = track(client, "ZZZ999", "0987 654 321", headers=headers)
    assert wrong_phone.status_code == unknown_code.status_code == 422
    assert "Không tìm thấy yêu cầu với mã và số điện thoại này." in text(wrong_phone)
    assert CSRF.sub("", text(wrong_phone)).replace("K7M4QX", "ZZZ999") == \
        CSRF.sub("", text(unknown_code))
    if htmx:
        assert "<html" not in text(wrong_phone) and 'id="track-form"' in text(wrong_phone)
    assert tracked(client) == []


def test_an_invalid_phone_on_the_tracking_form_is_explained(client, binh_request):
    response = track(client, "K7M4QX", "12")
    assert response.status_code == 422
    assert "Số điện thoại chưa đúng" in text(response)


def test_the_status_page_needs_the_code_and_phone_first(app, client, binh_request):
    response = status_page(client, binh_request)
    assert response.status_code == 302 and response.headers["Location"] == "/theo-doi"
    # Proof in one browser is not proof in another.
    track(client, "K7M4QX", "0912345678")
    assert app.test_client().get(f"/theo-doi/{binh_request.id}").status_code == 302


def test_tracking_is_rate_limited(client, binh_request):
    for _attempt in range(10):
        assert track(client, "ZZZ999", "0987654321", ip="203.0.113.5").status_code == 422
    response = track(client, "K7M4QX", "0912345678", ip="203.0.113.5")
    assert response.status_code == 429
    assert "Bạn thao tác quá nhanh" in text(response)


def test_guessing_phones_for_one_code_is_rate_limited_across_addresses(client, binh_request):
    for i in range(10):
        track(client, "K7M4QX", f"09876543{i:02d}", ip=f"203.0.113.{i + 1}")
    assert track(client, "K7M4QX", "0912345678", ip="198.51.100.7").status_code == 429


def test_a_browser_remembers_at_most_five_tracked_requests(client, make, n):
    binh = make.resident(n.group, phone="+84912345678")
    requests = [make.request(binh, code=f"AAA{d}{d}{d}") for d in "2345678"]
    make.commit()
    for req in requests:
        assert track(client, req.code, "0912345678").status_code == 303
    assert tracked(client) == [r.id for r in requests[-5:]]
    html = text(client.get("/theo-doi"))
    assert "Yêu cầu đã xem trên máy này" in html and requests[-1].code in html
    assert requests[0].code not in html


def test_a_shared_phone_can_forget_the_tracked_requests(client, binh_request):
    track(client, "K7M4QX", "0912345678")
    token = csrf_token_from(client.get("/theo-doi"))
    response = client.post("/theo-doi/quen", data={"csrf_token": token})
    assert response.status_code == 303
    assert tracked(client) == []
    assert status_page(client, binh_request).status_code == 302


def test_a_request_just_sent_can_be_followed_from_the_same_browser(client, db, n):
    submit(client, n)
    req = db.session.scalars(select(HelpRequest)).one()
    assert tracked(client) == [req.id]
    assert "Đang chờ tình nguyện viên nhận." in text(status_page(client, req))


# --- the status in plain words -------------------------------------------------------------------
def test_an_assigned_volunteer_is_shown_by_first_name_with_who_verified_them(
        client, db, make, n, binh_request):
    minh = make.volunteer("Trần Văn Minh", groups=[n.group], verified_by=n.leader)
    binh_request.status = RequestStatus.ASSIGNED
    binh_request.volunteer_id = minh.volunteer_profile.id
    make.commit()
    track(client, "K7M4QX", "0912345678")
    html = text(status_page(client, binh_request))
    assert "Đã có tình nguyện viên nhận giúp." in html
    assert "Tình nguyện viên: Minh" in html and "Trần Văn Minh" not in html
    assert "Đã được xác minh bởi Nguyễn Văn Thắng, tổ trưởng Tổ dân phố số 3." in html
    assert "sẽ liên hệ để hẹn giờ" in html


def test_a_volunteer_verified_by_a_ward_official_says_so(client, make, n, binh_request):
    official = make.official(n.ward, name="Đỗ Thị Hương")
    minh = make.volunteer("Trần Văn Minh", wards=[n.ward], verified_by=official)
    binh_request.status = RequestStatus.ASSIGNED
    binh_request.volunteer_id = minh.volunteer_profile.id
    make.commit()
    track(client, "K7M4QX", "0912345678")
    assert "Đỗ Thị Hương, cán bộ Phường Hàng Gai" in text(status_page(client, binh_request))


def test_a_scheduled_session_shows_its_date_time_and_place(client, make, n, binh_request):
    minh = make.volunteer("Trần Văn Minh", groups=[n.group], verified_by=n.leader)
    binh_request.status = RequestStatus.SCHEDULED
    binh_request.volunteer_id = minh.volunteer_profile.id
    starts = local_to_utc(datetime(2026, 5, 16, 9, 0))
    make.session(n.group, starts_at=starts, kind=SessionKind.ONE_TO_ONE, capacity=1,
                 volunteers=[minh], request_id=binh_request.id, place=Place.COMMUNITY_HOUSE,
                 place_name="Nhà văn hóa tổ 3")
    make.session(n.group, starts_at=starts + timedelta(days=1), kind=SessionKind.ONE_TO_ONE,
                 capacity=1, request_id=binh_request.id, status=SessionStatus.CANCELLED,
                 place_name="Chỗ cũ đã hủy")
    make.commit()
    track(client, "K7M4QX", "0912345678")
    html = text(status_page(client, binh_request))
    assert "Đã hẹn lịch hướng dẫn." in html
    assert "Thứ Bảy, 16/5/2026, 9:00" in html and "10:30" in html
    assert "Tại nhà văn hóa: Nhà văn hóa tổ 3" in html
    assert "Chỗ cũ đã hủy" not in html
    assert "Tình nguyện viên: Minh" in html


def test_a_proposed_time_is_said_once_as_waiting_for_the_resident(client, make, n, binh_request):
    """The headline and the session's card agree: a time a volunteer proposed waits for the
    resident's word; it is not yet "đã hẹn"."""
    minh = make.volunteer("Trần Văn Minh", groups=[n.group], verified_by=n.leader)
    binh_request.status = RequestStatus.SCHEDULED
    binh_request.volunteer_id = minh.volunteer_profile.id
    proposed = make.session(n.group, kind=SessionKind.ONE_TO_ONE, capacity=1, volunteers=[minh],
                            request_id=binh_request.id, status=SessionStatus.PROPOSED)
    make._add(Enrollment(session_id=proposed.id, resident_id=binh_request.resident_id,
                         request_id=binh_request.id, status=EnrollmentStatus.ENROLLED))
    make.commit()
    track(client, "K7M4QX", "0912345678")
    html = text(status_page(client, binh_request))
    assert "Có lịch hẹn mới, chờ bạn xác nhận." in html and "Chờ bạn xác nhận" in html
    assert "Đã hẹn lịch hướng dẫn." not in html


def test_a_finished_request_says_done_and_cannot_be_cancelled(client, make, binh_request):
    binh_request.status = RequestStatus.DONE
    make.commit()
    track(client, "K7M4QX", "0912345678")
    html = text(status_page(client, binh_request))
    assert "Đã hoàn thành." in html
    assert "Hủy yêu cầu này" not in html


# --- cancelling ----------------------------------------------------------------------------------
def _cancel(client, req, headers=None, reason="Cháu đã chỉ cho bà rồi"):
    token = csrf_token_from(status_page(client, req))
    return client.post(f"/theo-doi/{req.id}/huy", data={"csrf_token": token, "reason": reason},
                       headers=headers or {})


@pytest.mark.parametrize("htmx", [False, True])
def test_the_resident_cancels_their_request(client, db, binh_request, htmx):
    track(client, "K7M4QX", "0912345678")
    assert "Không cần nữa? Hủy yêu cầu này" in text(status_page(client, binh_request))
    response = _cancel(client, binh_request, headers=HX if htmx else None)
    if htmx:
        assert response.headers["HX-Redirect"] == f"/theo-doi/{binh_request.id}"
    else:
        assert response.status_code == 303
    db.session.expire_all()
    req = db.session.get(HelpRequest, binh_request.id)
    assert req.status == RequestStatus.CANCELLED and req.closed_at is not None
    assert req.cancel_reason == "Cháu đã chỉ cho bà rồi"
    html = text(status_page(client, req))
    assert "Yêu cầu đã hủy." in html and "Đã hủy yêu cầu." in html


def test_cancelling_gives_back_the_planned_session_and_tells_the_volunteer(
        client, db, make, n, binh_request):
    minh = make.volunteer("Trần Văn Minh", groups=[n.group])
    binh_request.status = RequestStatus.SCHEDULED
    binh_request.volunteer_id = minh.volunteer_profile.id
    one_to_one = make.session(n.group, kind=SessionKind.ONE_TO_ONE, capacity=1,
                              volunteers=[minh], request_id=binh_request.id)
    a_class = make.session(n.group, volunteers=[minh])
    seat = Enrollment(session_id=a_class.id, resident_id=binh_request.resident_id,
                      request_id=binh_request.id)
    db.session.add(seat)
    make.commit()
    track(client, "K7M4QX", "0912345678")
    _cancel(client, binh_request, reason="")
    db.session.expire_all()
    assert db.session.get(type(one_to_one), one_to_one.id).status == SessionStatus.CANCELLED
    assert db.session.get(type(a_class), a_class.id).status == SessionStatus.CONFIRMED
    assert db.session.get(Enrollment, seat.id).status == EnrollmentStatus.CANCELLED
    told = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "session_cancelled")).all()
    assert [m.recipient_user_id for m in told] == [minh.id]
    assert db.session.get(HelpRequest, binh_request.id).cancel_reason == "Người dân tự hủy"


def test_a_cancel_without_proof_changes_nothing(app, client, db, binh_request):
    track(client, "K7M4QX", "0912345678")
    stranger = app.test_client()
    token = csrf_token_from(stranger.get("/theo-doi"))
    response = stranger.post(f"/theo-doi/{binh_request.id}/huy", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/theo-doi"
    db.session.expire_all()
    assert db.session.get(HelpRequest, binh_request.id).status == RequestStatus.OPEN


def test_cancelling_twice_says_it_was_already_cancelled(client, db, binh_request):
    track(client, "K7M4QX", "0912345678")
    token = csrf_token_from(status_page(client, binh_request))
    _cancel(client, binh_request)
    response = client.post(f"/theo-doi/{binh_request.id}/huy", data={"csrf_token": token})
    assert response.status_code == 303
    assert "đã xong hoặc đã hủy trước đó" in text(status_page(client, binh_request))


@pytest.mark.parametrize("htmx", [False, True])
def test_an_oversized_cancel_reason_is_refused_beside_the_field(client, db, binh_request, htmx):
    track(client, "K7M4QX", "0912345678")
    response = _cancel(client, binh_request, headers=HX if htmx else None, reason="x" * 301)
    assert response.status_code == 422
    assert "Tối đa 300 ký tự." in text(response)
    if htmx:
        assert text(response).strip().startswith('<details class="cancel-box" id="cancel-box" open>')
    db.session.expire_all()
    assert db.session.get(HelpRequest, binh_request.id).status == RequestStatus.OPEN
