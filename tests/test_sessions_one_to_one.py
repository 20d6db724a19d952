"""One-to-one sessions: an assigned request becomes a session the resident can count on."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import (Gender, Place, RequestStatus, Session, SessionKind, SessionStatus)
from app.timeslots import coarse_mask
from tests.conftest import csrf_token_from
from tests.sessions_helpers import (assigned_request, at, booked, messages, next_local_day,
                                    time_form)

SATURDAY, TUESDAY = 5, 1


@pytest.fixture
def scene(make):
    """Tổ 3: leader, volunteer Minh, Mrs Bình who wants help on Saturday mornings, at home."""
    ward = make.ward(name="Phường Hàng Gai")
    group = make.group(ward, name="Tổ dân phố số 3", community_house="Nhà văn hóa tổ 3")
    leader = make.leader(group, name="Lê Văn Tổ")
    topic = make.topic("Zalo: nhắn tin, gọi video")
    minh = make.volunteer("Trần Văn Minh", groups=[group], topics=[topic], verified_by=leader)
    binh = make.resident(group, name="Nguyễn Thị Bình", gender=Gender.FEMALE)
    request = assigned_request(make, binh, minh, topics=[topic],
                               preferred_times=coarse_mask(["weekend_morning"]))
    make.commit()
    return type("Scene", (), dict(ward=ward, group=group, leader=leader, topic=topic, minh=minh,
                                  binh=binh, request=request))


def propose(client, request_id, data, headers=None, check=False):
    url = f"/buoi/de-xuat?request_id={request_id}" + ("&check=1" if check else "")
    token = csrf_token_from(client.get(f"/buoi/de-xuat?request_id={request_id}"))
    return client.post(url, data={"csrf_token": token, **data}, headers=headers or {})


def test_volunteer_proposes_a_saturday_morning_and_the_resident_is_told(client, auth, db, scene):
    auth.login(scene.minh.phone)
    page = client.get(f"/buoi/de-xuat?request_id={scene.request.id}")
    assert page.status_code == 200
    assert "Sáng cuối tuần" in page.get_data(as_text=True)
    saturday = next_local_day(SATURDAY)

    response = propose(client, scene.request.id,
                       time_form(saturday, "9:00", "10:30", place="home"))

    assert response.status_code == 303
    session = db.session.scalar(select(Session))
    assert response.headers["Location"].endswith(f"/buoi/{session.id}")
    assert session.kind == SessionKind.ONE_TO_ONE and session.status == SessionStatus.PROPOSED
    assert session.starts_at == at(saturday, 9) and session.ends_at == at(saturday, 10, 30)
    assert session.place == Place.HOME and session.place_name is None  # no address in the calendar
    assert db.session.get(type(scene.request), scene.request.id).status == RequestStatus.SCHEDULED
    [message] = messages(db, "session_proposed")
    assert message.recipient_resident_id == scene.binh.id
    assert message.context["volunteer"] == "Minh"
    page = client.get(f"/buoi/{session.id}").get_data(as_text=True)
    assert f"Thứ Bảy, {saturday.day}/{saturday.month}/{saturday.year}, 9:00–10:30" in page
    assert "không bao giờ hỏi mã OTP" in page


def test_a_time_outside_the_residents_windows_is_refused_with_the_windows_named(
        client, auth, db, scene):
    auth.login(scene.minh.phone)
    response = propose(client, scene.request.id,
                       time_form(next_local_day(TUESDAY), "9:00", "10:00", place="home"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ngoài thời gian người dân chọn (Sáng cuối tuần)" in html
    assert 'value="09:00"' in html or 'value="9:00"' in html  # what was typed is kept
    assert db.session.scalar(select(Session)) is None


IMPOSSIBLE_TIMES = [
    ("11:00", "12:30", "ngoài thời gian người dân chọn"),  # runs into the afternoon
    ("10:00", "9:00", "Giờ kết thúc phải sau giờ bắt đầu"),
    ("9:00", "14:00", "tối đa 4 giờ"),
    ("25:00", "26:00", "Giờ chưa đúng"),
]


def test_impossible_times_are_explained_beside_the_field(client, auth, db, scene):
    auth.login(scene.minh.phone)
    for starts, ends, message in IMPOSSIBLE_TIMES:
        response = propose(client, scene.request.id,
                           time_form(next_local_day(SATURDAY), starts, ends, place="home"))
        assert response.status_code == 422, starts
        assert message in response.get_data(as_text=True), starts
    no_such_day = propose(client, scene.request.id, {"day": "31/2/2027", "starts": "9:00",
                                                     "ends": "10:00", "place": "home"})
    assert "Ngày chưa đúng. Ví dụ đúng: 12/5/2026." in no_such_day.get_data(as_text=True)
    assert db.session.scalar(select(Session)) is None


def test_a_time_in_the_past_is_refused(client, auth, scene):
    auth.login(scene.minh.phone)
    response = propose(client, scene.request.id,
                       time_form(next_local_day(SATURDAY, weeks_ahead=-2), "9:00", "10:00",
                                 place="home"))
    assert response.status_code == 422
    assert "Thời gian này đã qua" in response.get_data(as_text=True)


def test_a_volunteer_under_18_is_not_sent_to_a_home_alone(client, auth, make, db, scene):
    student = make.volunteer("Phạm Thu Hà", birth_year=2010, groups=[scene.group])
    other = make.resident(scene.group, name="Đỗ Văn Nam")
    request = assigned_request(make, other, student)
    make.commit()
    auth.login(student.phone)
    day = next_local_day(SATURDAY)
    refused = propose(client, request.id, time_form(day, "9:00", "10:00", place="home"))
    assert refused.status_code == 422
    assert "dưới 18 tuổi không đến nhà người dân một mình" in refused.get_data(as_text=True)
    accepted = propose(client, request.id, time_form(day, "9:00", "10:00", place="remote"))
    assert accepted.status_code == 303


def test_a_minor_paired_with_an_adult_visits_a_home_together(client, auth, make, db, scene):
    student = make.volunteer("Phạm Thu Hà", birth_year=2010, groups=[scene.group])
    other = make.resident(scene.group, name="Đỗ Văn Nam")
    request = assigned_request(make, other, student)
    request.companion_volunteer_id = scene.minh.volunteer_profile.id
    make.commit()
    auth.login(student.phone)
    day = next_local_day(SATURDAY)
    response = propose(client, request.id, time_form(day, "9:00", "10:00", place="home"))
    assert response.status_code == 303
    session = db.session.scalar(select(Session).where(Session.request_id == request.id))
    team = {sv.volunteer_id: sv.role.value for sv in session.volunteers}
    assert team == {student.volunteer_profile.id: "lead", scene.minh.volunteer_profile.id: "helper"}


def test_only_the_assigned_volunteer_or_a_leader_can_propose(client, auth, make, scene):
    other = make.volunteer("Vũ Đức Long", groups=[scene.group])
    make.commit()
    auth.login(other.phone)
    assert client.get(f"/buoi/de-xuat?request_id={scene.request.id}").status_code == 403
    auth.logout()
    auth.login(scene.leader.phone)
    assert client.get(f"/buoi/de-xuat?request_id={scene.request.id}").status_code == 200


def test_proposing_for_an_unknown_request_is_a_404(client, auth, scene):
    auth.login(scene.minh.phone)
    assert client.get("/buoi/de-xuat?request_id=999999").status_code == 404
    assert client.get("/buoi/de-xuat?request_id=abc").status_code == 404


def test_inline_check_explains_a_conflict_as_the_volunteer_picks(client, auth, make, scene):
    saturday = next_local_day(SATURDAY)
    booked(make, scene.group, at(saturday, 9), at(saturday, 10, 30), volunteers=[scene.minh],
           place_name="Nhà văn hóa tổ 3")
    make.commit()
    auth.login(scene.minh.phone)

    response = propose(client, scene.request.id, time_form(saturday, "10:00", "11:00",
                                                           place="home"),
                       headers={"HX-Request": "true"}, check=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="starts-error"' in html and 'hx-swap-oob="true"' in html
    assert "Bạn đã có buổi 9:00–10:30 tại Nhà văn hóa tổ 3" in html
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in html

    free = propose(client, scene.request.id, time_form(saturday, "10:30", "11:30", place="home"),
                   headers={"HX-Request": "true"}, check=True)
    assert "không trùng lịch" in free.get_data(as_text=True)


def test_a_leader_sees_the_volunteer_named_in_the_conflict(client, auth, make, scene):
    saturday = next_local_day(SATURDAY)
    booked(make, scene.group, at(saturday, 9), at(saturday, 10, 30), volunteers=[scene.minh],
           place_name="Nhà văn hóa tổ 3")
    make.commit()
    auth.login(scene.leader.phone)
    response = propose(client, scene.request.id, time_form(saturday, "9:30", "10:30",
                                                           place="home"))
    assert response.status_code == 422
    assert "Anh/chị Minh đã có buổi 9:00–10:30 tại Nhà văn hóa tổ 3" in response.get_data(
        as_text=True)


def test_an_htmx_proposal_with_errors_comes_back_as_the_form_alone(client, auth, scene):
    auth.login(scene.minh.phone)
    response = propose(client, scene.request.id, {"day": "", "starts": "", "ends": ""},
                       headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.lstrip().startswith("<form") and "Vui lòng chọn ngày." in html


def _proposed(client, auth, scene):
    auth.login(scene.minh.phone)
    saturday = next_local_day(SATURDAY)
    propose(client, scene.request.id, time_form(saturday, "9:00", "10:30", place="home"))
    auth.logout()
    return saturday


def test_the_leader_confirms_after_a_phone_call_and_both_sides_hear(client, auth, db, scene):
    _proposed(client, auth, scene)
    session = db.session.scalar(select(Session))
    auth.login(scene.leader.phone)
    page = client.get(f"/buoi/{session.id}")
    assert "Xác nhận thay người dân" in page.get_data(as_text=True)
    response = client.post(f"/buoi/{session.id}/xac-nhan",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    db.session.expire_all()
    session = db.session.get(Session, session.id)
    assert session.status == SessionStatus.CONFIRMED
    assert session.confirmed_via == "leader" and session.confirmed_by_id == scene.leader.id
    confirmed = messages(db, "session_confirmed")
    assert {m.recipient_user_id for m in confirmed} == {scene.minh.id, None}
    assert {m.recipient_resident_id for m in confirmed} == {scene.binh.id, None}


def test_a_volunteer_cannot_confirm_for_the_resident(client, auth, db, scene):
    _proposed(client, auth, scene)
    session = db.session.scalar(select(Session))
    auth.login(scene.minh.phone)
    page = client.get(f"/buoi/{session.id}")
    response = client.post(f"/buoi/{session.id}/xac-nhan",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 403


def test_rescheduling_asks_the_resident_again_and_keeps_the_rules(client, auth, db, scene):
    saturday = _proposed(client, auth, scene)
    session = db.session.scalar(select(Session))
    auth.login(scene.minh.phone)
    page = client.get(f"/buoi/{session.id}/doi-lich")
    assert 'value="09:00"' in page.get_data(as_text=True)
    token = csrf_token_from(page)
    without_reason = client.post(f"/buoi/{session.id}/doi-lich", data={
        "csrf_token": token, **time_form(saturday, "10:00", "11:30", place="home")})
    assert without_reason.status_code == 422
    assert "lý do đổi lịch" in without_reason.get_data(as_text=True)

    response = client.post(f"/buoi/{session.id}/doi-lich", data={
        "csrf_token": token, "reason": "Cháu bận học sáng sớm",
        **time_form(saturday, "10:00", "11:30", place="home")})

    assert response.status_code == 303
    db.session.expire_all()
    session = db.session.get(Session, session.id)
    assert session.starts_at == at(saturday, 10) and session.status == SessionStatus.PROPOSED
    [message] = messages(db, "session_rescheduled")
    assert message.recipient_resident_id == scene.binh.id
    assert message.context["reason"] == "Cháu bận học sáng sớm"


def test_cancelling_needs_a_reason_and_gives_the_request_back_to_the_volunteer(
        client, auth, db, scene):
    _proposed(client, auth, scene)
    session = db.session.scalar(select(Session))
    auth.login(scene.minh.phone)
    page = client.get(f"/buoi/{session.id}/huy")
    token = csrf_token_from(page)
    assert client.post(f"/buoi/{session.id}/huy",
                       data={"csrf_token": token, "reason": ""}).status_code == 422
    response = client.post(f"/buoi/{session.id}/huy",
                           data={"csrf_token": token, "reason": "Em bị ốm"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Session, session.id).status == SessionStatus.CANCELLED
    assert db.session.get(Session, session.id).cancel_reason == "Em bị ốm"
    request = db.session.get(type(scene.request), scene.request.id)
    assert request.status == RequestStatus.ASSIGNED  # the volunteer proposes another time
    [message] = messages(db, "session_cancelled")
    assert message.recipient_resident_id == scene.binh.id
    assert message.context["reason"] == "Em bị ốm"
    # A new proposal is possible again.
    assert client.get(f"/buoi/de-xuat?request_id={scene.request.id}").status_code == 200


def test_a_second_proposal_for_a_scheduled_request_goes_to_the_existing_session(
        client, auth, db, scene):
    _proposed(client, auth, scene)
    session = db.session.scalar(select(Session))
    auth.login(scene.minh.phone)
    response = client.get(f"/buoi/de-xuat?request_id={scene.request.id}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/buoi/{session.id}")


def test_strangers_cannot_see_a_session(client, auth, make, db, scene):
    _proposed(client, auth, scene)
    session = db.session.scalar(select(Session))
    stranger = make.volunteer("Lê Văn Nam", groups=[scene.group])
    other_leader = make.leader(make.group(), name="Tổ Trưởng Khác")
    make.commit()
    for user in (stranger, other_leader):
        auth.login(user.phone)
        assert client.get(f"/buoi/{session.id}").status_code == 403
        auth.logout()
    assert client.get(f"/buoi/{session.id}").status_code == 302  # to the login page


def test_a_volunteer_who_cannot_come_tells_the_leader_from_the_session_page(client, auth, db,
                                                                            scene):
    _proposed(client, auth, scene)
    session = db.session.scalar(select(Session))
    auth.login(scene.minh.phone)
    page = client.get(f"/buoi/{session.id}")
    assert "Tôi không đến được" in page.get_data(as_text=True)
    response = client.post(f"/buoi/{session.id}/khong-den-duoc", data={
        "csrf_token": csrf_token_from(page), "reason": "Em thi học kỳ"})
    assert response.status_code == 303
    [alert] = messages(db, "cannot_come")
    assert alert.recipient_user_id == scene.leader.id
    assert alert.context["reason"] == "Em thi học kỳ"
    assert "báo không đến được" in client.get(f"/buoi/{session.id}").get_data(as_text=True)
