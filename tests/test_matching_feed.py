""""Yêu cầu gần bạn": what a volunteer sees, accepting in one tap, handing back."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import today_local, utcnow
from app.models import (AuditEvent, Gender, HandBack, HelpRequest, OutboxMessage, Place,
                        RequestStatus)
from tests.conftest import csrf_token_from
from tests.matching_helpers import MONDAY_EVENING, SATURDAY_MORNING, neighbourhood, resident_at

HTMX = {"HX-Request": "true"}


@pytest.fixture
def n(make):
    return neighbourhood(make)


def page(client, url="/yeu-cau-gan-ban", **kw):
    response = client.get(url, **kw)
    return response, response.get_data(as_text=True)


def test_an_unverified_volunteer_sees_no_request_and_nothing_personal(client, auth, make, n):
    long = make.volunteer("Vũ Đức Long", verified=False, topics=[n.zalo], groups=[n.group3])
    make.request(n.binh, topics=[n.zalo])
    make.commit()
    auth.login(long.phone)

    response, body = page(client)

    assert response.status_code == 200
    assert "cần được tổ trưởng hoặc cán bộ phường xác minh" in body
    assert "Nhận hỗ trợ" not in body
    assert "Bà B." not in body and "Nguyễn Thị Bình" not in body
    assert "0912" not in body and n.binh.phone[-6:] not in body


@pytest.mark.clock
def test_residents_are_masked_and_nearest_then_longest_waiting_come_first(client, auth, make, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], wards=[n.ward])
    hung = make.resident(n.group5, name="Trần Văn Hùng", gender=Gender.MALE, birth_year=1950)
    mai = make.resident(n.group3, name="Lê Thị Mai", gender=Gender.FEMALE, birth_year=1960)
    now = utcnow()
    make.request(hung, topics=[n.zalo], created_at=now - timedelta(days=9), code="HUNG01")
    make.request(mai, topics=[n.zalo], created_at=now - timedelta(days=1), code="MAI001")
    make.request(n.binh, topics=[n.zalo], created_at=now - timedelta(days=4), code="BINH01")
    make.commit()
    auth.login(minh.phone)

    _response, body = page(client)

    age = today_local().year - 1954  # her age by Vietnam's calendar
    assert f"Bà B. · Tổ dân phố số 3 · {age} tuổi" in body
    positions = [body.index(label) for label in ("Bà B.", "Bà M.", "Ông H.")]
    assert positions == sorted(positions)  # tổ 3 first (longest waiting first), then the ward
    assert "Nguyễn Thị Bình" not in body and "Lê Thị Mai" not in body
    assert "12 ngõ Hàng Gai" not in body
    assert "cùng tổ" in body and "cùng phường" in body and "Đã chờ 4 ngày" in body


def test_requests_that_do_not_fit_are_left_out(client, auth, make, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], availability=SATURDAY_MORNING)
    far = make.resident(n.far_group, name="Ngô Thị Hạnh", gender=Gender.FEMALE)
    make.request(far, topics=[n.zalo], code="FAR001")                        # another ward
    make.request(n.binh, topics=[n.bank], code="BANK01")                      # another topic
    make.request(n.binh, topics=[n.zalo], preferred_times=MONDAY_EVENING,
                 code="EVE001")                                               # another time
    make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                 code="TAKEN1")                                               # taken
    fits = make.request(n.binh, topics=[n.zalo], preferred_times=SATURDAY_MORNING, code="FIT001")
    make.commit()
    auth.login(minh.phone)

    _response, body = page(client)

    assert body.count('class="card match-card"') == 1
    assert f"/yeu-cau-gan-ban/{fits.id}/nhan" in body


def test_a_volunteer_under_18_without_an_adult_partner_is_offered_no_home_visit(
        client, auth, make, n):
    from app.clock import today_local
    lan = make.volunteer("Lê Thu Hà", topics=[n.zalo], groups=[n.group3],
                         birth_year=today_local().year - 16)
    lan.volunteer_profile.guardian_consent_by = "Lê Văn Tuấn (bố)"
    lan.volunteer_profile.guardian_consent_on = today_local()
    home = make.request(n.binh, topics=[n.zalo], place=Place.HOME)
    remote = make.request(n.binh, topics=[n.zalo], place=Place.REMOTE)
    make.commit()
    auth.login(lan.phone)

    _response, body = page(client)

    assert f"/yeu-cau-gan-ban/{remote.id}/nhan" in body
    assert f"/yeu-cau-gan-ban/{home.id}/nhan" not in body


def test_a_request_of_a_group_served_twice_is_offered_once(client, auth, make, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], wards=[n.ward])
    request = make.request(n.binh, topics=[n.zalo])
    make.request(n.binh, topics=[])  # no topic named: anyone may help
    make.commit()
    auth.login(minh.phone)

    _response, body = page(client)

    assert body.count('class="card match-card"') == 2
    assert body.count(f"/yeu-cau-gan-ban/{request.id}/nhan") == 2  # action and hx-post
    assert "cùng tổ" in body and "cùng phường" not in body


def test_accepting_in_one_tap_shows_the_contact_the_scam_note_and_the_next_step(
        client, auth, make, db, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo], note="Bà muốn gọi video cho cháu.")
    make.commit()
    auth.login(minh.phone)
    response, body = page(client)

    response = client.post(f"/yeu-cau-gan-ban/{request.id}/nhan",
                           data={"csrf_token": csrf_token_from(response)}, headers=HTMX)

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert body.lstrip().startswith('<div id="feed"')  # the feed fragment, not a page
    assert "Bạn đã nhận yêu cầu" in body
    assert "Nguyễn Thị Bình" in body
    assert "tel:" + n.binh.phone in body and "12 ngõ Hàng Gai" in body
    assert "Bà muốn gọi video cho cháu." in body
    assert "không bao giờ hỏi mã OTP" in body  # the note to read to the resident
    assert f"/buoi/de-xuat?request_id={request.id}" in body  # next step: propose a time
    assert "Đề xuất thời gian hẹn" in body
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).status == RequestStatus.ASSIGNED
    read = db.session.scalar(select(AuditEvent).where(AuditEvent.resident_id == n.binh.id))
    assert read.action == "view" and read.actor_id == minh.id


def test_the_next_step_links_to_proposing_a_time(client, auth, make, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                           volunteer_id=minh.volunteer_profile.id)
    make.commit()
    auth.login(minh.phone)
    _response, body = page(client, f"/yeu-cau-gan-ban/{request.id}")
    assert f'href="/buoi/de-xuat?request_id={request.id}"' in body
    assert "Đề xuất thời gian hẹn" in body


def test_without_javascript_accepting_redirects_to_the_request(client, auth, make, db, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo])
    make.commit()
    auth.login(minh.phone)
    response, _body = page(client)
    response = client.post(f"/yeu-cau-gan-ban/{request.id}/nhan",
                           data={"csrf_token": csrf_token_from(response)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/yeu-cau-gan-ban/{request.id}")
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nguyễn Thị Bình" in body and "không bao giờ hỏi mã OTP" in body


def test_second_volunteer_to_accept_is_told_it_is_taken(client, auth, make, db, n):
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    long = make.volunteer("Vũ Đức Long", topics=[n.zalo], groups=[n.group3])
    taken = make.request(n.binh, topics=[n.zalo], code="TAKEN1")
    other = make.request(n.binh, topics=[n.zalo], code="OTHER1")
    make.commit()
    auth.login(long.phone)
    response, body = page(client)
    assert f"/yeu-cau-gan-ban/{taken.id}/nhan" in body  # Long sees it…
    from app.matching.services import accept_request
    accept_request(minh.volunteer_profile, taken.id)  # …but Minh is a moment faster
    db.session.commit()

    response = client.post(f"/yeu-cau-gan-ban/{taken.id}/nhan",
                           data={"csrf_token": csrf_token_from(response)}, headers=HTMX)

    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "một bạn tình nguyện viên khác vừa nhận yêu cầu này trước bạn" in body
    assert f"/yeu-cau-gan-ban/{taken.id}/nhan" not in body  # the refreshed list
    assert f"/yeu-cau-gan-ban/{other.id}/nhan" in body
    db.session.expire_all()
    assert db.session.get(HelpRequest, taken.id).volunteer_id == minh.volunteer_profile.id


def test_without_javascript_the_second_volunteer_gets_the_message_on_the_list(
        client, auth, make, db, n):
    long = make.volunteer("Vũ Đức Long", topics=[n.zalo], groups=[n.group3])
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    taken = make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                         volunteer_id=minh.volunteer_profile.id)
    make.commit()
    auth.login(long.phone)
    response, _body = page(client)
    response = client.post(f"/yeu-cau-gan-ban/{taken.id}/nhan",
                           data={"csrf_token": csrf_token_from(response)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/yeu-cau-gan-ban")
    body = client.get("/yeu-cau-gan-ban").get_data(as_text=True)
    assert "vừa nhận yêu cầu này trước bạn" in body


def test_a_volunteer_at_capacity_sees_requests_but_cannot_accept(client, auth, make, db, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], capacity=1)
    make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                 volunteer_id=minh.volunteer_profile.id)
    request = make.request(n.binh, topics=[n.zalo])
    make.commit()
    auth.login(minh.phone)
    response, body = page(client)
    assert "Tuần này: 1/1 buổi." in body and "đã đủ số buổi" in body
    assert "disabled" in body

    response = client.post(f"/yeu-cau-gan-ban/{request.id}/nhan",
                           data={"csrf_token": csrf_token_from(response)}, headers=HTMX)
    assert response.status_code == 409
    assert "Tuần này bạn đã đủ số buổi đã đăng ký" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).status == RequestStatus.OPEN


def test_a_paused_volunteer_is_told_why_the_list_is_empty(client, auth, make, n):
    from app.clock import today_local
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3])
    minh.volunteer_profile.paused_until = today_local() + timedelta(days=5)
    make.request(n.binh, topics=[n.zalo])
    make.commit()
    auth.login(minh.phone)
    _response, body = page(client)
    assert "Bạn đang tạm nghỉ" in body and "Nhận hỗ trợ" not in body


def test_handing_back_returns_the_request_to_the_queue_and_tells_the_leader(
        client, auth, make, db, n):
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                           volunteer_id=minh.volunteer_profile.id, code="BINH7K")
    make.commit()
    auth.login(minh.phone)
    response, body = page(client, f"/yeu-cau-gan-ban/{request.id}")
    assert "Trả lại yêu cầu" in body

    response = client.post(f"/yeu-cau-gan-ban/{request.id}/tra-lai", headers=HTMX, data={
        "csrf_token": csrf_token_from(response), "reason": "Em bị ốm tuần này."})

    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/yeu-cau-gan-ban"
    db.session.expire_all()
    request = db.session.get(HelpRequest, request.id)
    assert request.status == RequestStatus.OPEN and request.volunteer_id is None
    assert db.session.scalar(select(HandBack.reason)) == "Em bị ốm tuần này."
    told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "request_returned"))
    assert told.recipient_user_id == n.leader.id
    assert told.context["reason"] == "Em bị ốm tuần này."
    assert told.context["request_code"] == "BINH7K"
    # It is no longer offered to the one who gave it back.
    assert f"/yeu-cau-gan-ban/{request.id}/nhan" not in client.get("/yeu-cau-gan-ban").get_data(
        as_text=True)


def test_handing_back_needs_a_reason(client, auth, make, db, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                           volunteer_id=minh.volunteer_profile.id)
    make.commit()
    auth.login(minh.phone)
    response, _body = page(client, f"/yeu-cau-gan-ban/{request.id}")
    response = client.post(f"/yeu-cau-gan-ban/{request.id}/tra-lai", headers=HTMX, data={
        "csrf_token": csrf_token_from(response), "reason": "  "})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.lstrip().startswith('<section id="hand-back"')
    assert "Vui lòng cho tổ trưởng biết lý do." in body
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).status == RequestStatus.ASSIGNED


def test_someone_elses_request_stays_closed(client, auth, make, n):
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    long = make.volunteer("Vũ Đức Long", topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                           volunteer_id=minh.volunteer_profile.id)
    make.commit()
    auth.login(long.phone)
    assert client.get(f"/yeu-cau-gan-ban/{request.id}").status_code == 403
    token = csrf_token_from(client.get("/yeu-cau-gan-ban"))
    response = client.post(f"/yeu-cau-gan-ban/{request.id}/tra-lai",
                           data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 403
    assert client.get("/yeu-cau-gan-ban/999999").status_code == 404


def test_the_adult_companion_sees_who_they_go_with(client, auth, make, n):
    from app.clock import today_local
    minh = make.volunteer("Trần Văn Minh", groups=[n.group5])
    lan = make.volunteer("Lê Thu Hà", topics=[n.zalo], groups=[n.group3],
                         birth_year=today_local().year - 16)
    request = make.request(n.binh, topics=[n.zalo], place=Place.HOME,
                           status=RequestStatus.ASSIGNED, volunteer_id=lan.volunteer_profile.id,
                           companion_volunteer_id=minh.volunteer_profile.id)
    make.commit()
    auth.login(minh.phone)
    _response, body = page(client)
    assert "Yêu cầu bạn đang nhận" in body
    _response, body = page(client, f"/yeu-cau-gan-ban/{request.id}")
    assert "Bạn đi cùng" in body and "Lê Thu Hà" in body
    assert "Trả lại yêu cầu" not in body  # only the volunteer who took it gives it back


def test_pages_of_the_feed_are_for_volunteers_only(client, auth, make, n):
    make.commit()
    assert client.get("/yeu-cau-gan-ban").status_code == 302
    auth.login(n.leader.phone)
    assert client.get("/yeu-cau-gan-ban").status_code == 403


def test_remote_help_is_described_in_words_with_the_contact(client, auth, make, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3])
    lan = resident_at(make, n.group3, "Phạm Thị Lan", "5 phố Hàng Gai", gender=Gender.FEMALE)
    request = make.request(lan, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                           volunteer_id=minh.volunteer_profile.id, place=Place.REMOTE)
    make.commit()
    auth.login(minh.phone)
    _response, body = page(client, f"/yeu-cau-gan-ban/{request.id}")
    assert "Phạm Thị Lan" in body and "Qua điện thoại / gọi video" in body


def test_an_unverified_volunteer_holding_a_request_still_sees_no_contact(client, auth, make, db):
    n = neighbourhood(make)
    long = make.volunteer("Vũ Đức Long", verified=False, topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                           volunteer_id=long.volunteer_profile.id)
    make.commit()
    auth.login(long.phone)
    _response, body = page(client, f"/yeu-cau-gan-ban/{request.id}")
    assert "Bà B. · Tổ dân phố số 3" in body
    assert "Nguyễn Thị Bình" not in body and "tel:" + n.binh.phone not in body
    assert "12 ngõ Hàng Gai" not in body
    assert db.session.scalar(select(AuditEvent.id)) is None  # nothing personal was read


def test_accepting_a_request_of_another_ward_by_its_id_is_refused_and_logged(
        client, auth, make, db, n, caplog):
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    cuong = resident_at(make, n.far_group, "Trịnh Văn Cường", "3 phố Tràng Tiền")
    far = make.request(cuong, topics=[n.zalo], code="FAR001")
    make.commit()
    auth.login(minh.phone)
    response, _ = page(client)

    with caplog.at_level("WARNING", logger="app"):
        response = client.post(f"/yeu-cau-gan-ban/{far.id}/nhan",
                               data={"csrf_token": csrf_token_from(response)})

    assert response.status_code == 403
    assert any("outside the volunteer's areas" in r.getMessage() for r in caplog.records)
    db.session.expire_all()
    request = db.session.get(HelpRequest, far.id)
    assert request.status == RequestStatus.OPEN and request.volunteer_id is None
