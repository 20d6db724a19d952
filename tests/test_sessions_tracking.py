"""Residents answer from the tracking page: confirm, ask for another time, cannot come."""
from __future__ import annotations

import pytest
from flask import render_template

from app.models import (Enrollment, Gender, Place, RequestStatus, Session, SessionKind,
                        SessionStatus)
from app.sessions.tracking import tracking_sessions
from tests.conftest import csrf_token_from
from tests.sessions_helpers import at, booked, messages, next_local_day


@pytest.fixture
def scene(make):
    group = make.group(name="Tổ dân phố số 3", community_house="Nhà văn hóa tổ 3")
    leader = make.leader(group, name="Lê Văn Tổ")
    minh = make.volunteer("Trần Văn Minh", groups=[group], verified_by=leader)
    binh = make.resident(group, name="Nguyễn Thị Bình", gender=Gender.FEMALE)
    request = make.request(binh, status=RequestStatus.SCHEDULED,
                           volunteer_id=minh.volunteer_profile.id)
    saturday = next_local_day(5)
    visit = booked(make, group, at(saturday, 9), at(saturday, 10, 30), volunteers=[minh],
                   kind=SessionKind.ONE_TO_ONE, place=Place.HOME, capacity=1,
                   status=SessionStatus.PROPOSED, request_id=request.id, title="Hỗ trợ Zalo")
    make.db.session.add(Enrollment(session_id=visit.id, resident_id=binh.id,
                                   request_id=request.id))
    make.commit()
    return type("Scene", (), dict(group=group, leader=leader, minh=minh, binh=binh,
                                  request=request, visit=visit, saturday=saturday))


def track(client, *request_ids):
    """What the requests area does once code and phone match."""
    with client.session_transaction() as browser:
        browser["tracked_requests"] = list(request_ids)


def test_the_tracking_partial_shows_the_session_and_who_verified_the_volunteer(app, scene):
    with app.test_request_context():
        html = render_template("sessions/_tracking_actions.html", help_request=scene.request,
                               tracked_sessions=tracking_sessions(scene.request))
    assert f"Thứ Bảy, {scene.saturday.day}/{scene.saturday.month}/{scene.saturday.year}, 9:00–10:30" in html
    assert "Minh" in html and "Trần Văn Minh" not in html
    assert "đã được Lê Văn Tổ xác minh" in html
    assert "Đồng ý lịch này" in html and "Xin đổi giờ khác" in html
    assert "không bao giờ hỏi mã OTP" in html


def test_without_proof_of_the_tracking_code_nothing_can_be_done(client, scene):
    assert client.get(f"/lich-hen/yeu-cau/{scene.request.id}").status_code == 403
    track(client, scene.request.id + 1)
    page = client.get("/")
    response = client.post(f"/lich-hen/{scene.visit.id}/xac-nhan", data={
        "csrf_token": csrf_token_from(page), "request_id": scene.request.id})
    assert response.status_code == 403


def test_the_resident_confirms_the_proposed_time(client, db, scene):
    track(client, scene.request.id)
    page = client.get(f"/lich-hen/yeu-cau/{scene.request.id}")
    assert page.status_code == 200 and 'class="resident"' in page.get_data(as_text=True)
    assert 'hx-history="false"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    response = client.post(f"/lich-hen/{scene.visit.id}/xac-nhan", data={
        "csrf_token": csrf_token_from(page), "request_id": scene.request.id},
        headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="session-tracking"')
    assert "Lịch đã được xác nhận" in html and "Đồng ý lịch này" not in html
    db.session.expire_all()
    visit = db.session.get(Session, scene.visit.id)
    assert visit.status == SessionStatus.CONFIRMED and visit.confirmed_via == "resident"
    assert [m.recipient_user_id for m in messages(db, "session_confirmed")] == [scene.minh.id]


def test_the_resident_asks_for_another_time_and_the_volunteer_hears(client, auth, db, scene):
    track(client, scene.request.id)
    page = client.get(f"/lich-hen/yeu-cau/{scene.request.id}")
    response = client.post(f"/lich-hen/{scene.visit.id}/doi-lich", data={
        "csrf_token": csrf_token_from(page), "request_id": scene.request.id,
        "reason": "Chiều thứ Bảy thì tiện hơn"})
    assert response.status_code == 303
    db.session.expire_all()
    visit = db.session.get(Session, scene.visit.id)
    assert visit.reschedule_note == "Chiều thứ Bảy thì tiện hơn"
    told = {m.recipient_user_id for m in messages(db, "cannot_come")}
    assert told == {scene.minh.id, scene.leader.id}
    auth.login(scene.minh.phone)
    assert "người dân xin đổi giờ" in client.get("/lich-cua-toi").get_data(as_text=True)
    assert "Chiều thứ Bảy thì tiện hơn" in client.get(f"/buoi/{scene.visit.id}").get_data(
        as_text=True)


def test_the_resident_cannot_come_and_the_volunteer_will_propose_again(client, db, scene):
    track(client, scene.request.id)
    page = client.get(f"/lich-hen/yeu-cau/{scene.request.id}")
    response = client.post(f"/lich-hen/{scene.visit.id}/khong-den-duoc", data={
        "csrf_token": csrf_token_from(page), "request_id": scene.request.id,
        "reason": "Bà phải đi khám"})
    assert response.status_code == 303
    db.session.expire_all()
    visit = db.session.get(Session, scene.visit.id)
    assert visit.status == SessionStatus.CANCELLED and visit.cancel_reason == "Bà phải đi khám"
    assert db.session.get(type(scene.request), scene.request.id).status == RequestStatus.ASSIGNED
    assert [m.recipient_user_id for m in messages(db, "session_cancelled")] == [scene.minh.id]
    assert [m.recipient_user_id for m in messages(db, "cannot_come")] == [scene.leader.id]


def test_a_session_of_another_request_cannot_be_touched(client, make, db, scene):
    other = make.resident(scene.group, name="Người Khác")
    other_request = make.request(other)
    make.commit()
    track(client, other_request.id)
    page = client.get("/")
    response = client.post(f"/lich-hen/{scene.visit.id}/khong-den-duoc", data={
        "csrf_token": csrf_token_from(page), "request_id": other_request.id})
    assert response.status_code == 404
    assert db.session.get(Session, scene.visit.id).status == SessionStatus.PROPOSED
