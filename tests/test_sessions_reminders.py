"""Reminders the day before, with a one-tap reply; "I can't come" reaches the leader at once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import today_local
from app.models import (Enrollment, EnrollmentStatus, Gender, Place, ReplyAnswer, RequestStatus,
                        Session, SessionKind, SessionReply, SessionStatus)
from tests.conftest import csrf_token_from
from tests.sessions_helpers import at, booked, messages

# Weeks, today and tomorrow: these run at every moment of tests/clock.py.
pytestmark = pytest.mark.clock


@pytest.fixture
def scene(make):
    group = make.group(name="Tổ dân phố số 3", community_house="Nhà văn hóa tổ 3")
    leader = make.leader(group, name="Lê Văn Tổ")
    minh = make.volunteer("Trần Văn Minh", groups=[group])
    binh = make.resident(group, name="Nguyễn Thị Bình", gender=Gender.FEMALE)
    lan = make.resident(group, name="Đỗ Thị Lan", gender=Gender.FEMALE)
    tomorrow = today_local() + timedelta(days=1)
    later = today_local() + timedelta(days=3)
    lesson = booked(make, group, at(tomorrow, 18), at(tomorrow, 19, 30), volunteers=[minh],
                    capacity=1, title="Cùng bà học Zalo")
    make.db.session.add_all([
        Enrollment(session_id=lesson.id, resident_id=binh.id),
        Enrollment(session_id=lesson.id, resident_id=lan.id, status=EnrollmentStatus.WAITING)])
    next_week = booked(make, group, at(later, 9), at(later, 10), volunteers=[minh],
                       title="Lớp sau")
    make.db.session.add(Enrollment(session_id=next_week.id, resident_id=binh.id))
    make.commit()
    return type("Scene", (), dict(group=group, leader=leader, minh=minh, binh=binh, lan=lan,
                                  lesson=lesson, next_week=next_week))


def test_reminders_go_out_once_even_when_the_command_runs_twice(runner, db, scene):
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    assert "Đã xếp 2 lời nhắc" in first.output
    second = runner.invoke(args=["reminders", "send"])
    assert "Đã xếp 0 lời nhắc" in second.output

    sent = messages(db, "reminder")
    assert len(sent) == 2
    assert {m.recipient_resident_id for m in sent} == {scene.binh.id, None}
    assert {m.recipient_user_id for m in sent} == {scene.minh.id, None}
    assert {m.dedupe_key for m in sent} == {f"reminder:{scene.lesson.id}:resident-{scene.binh.id}",
                                            f"reminder:{scene.lesson.id}:user-{scene.minh.id}"}
    assert all(m.context["session_id"] == scene.lesson.id for m in sent)  # not next week's
    assert all("/tra-loi/" in m.context["reply_url"] for m in sent)
    assert scene.lan.id not in {m.recipient_resident_id for m in sent}  # still waiting


def test_cancelled_sessions_get_no_reminder(runner, db, scene):
    db.session.get(Session, scene.lesson.id).status = SessionStatus.CANCELLED
    db.session.commit()
    runner.invoke(args=["reminders", "send"])
    assert messages(db, "reminder") == []


def _reply_token(runner, db, resident_id=None, volunteer_id=None):
    runner.invoke(args=["reminders", "send"])
    query = select(SessionReply)
    if resident_id:
        query = query.where(SessionReply.resident_id == resident_id)
    else:
        query = query.where(SessionReply.volunteer_id == volunteer_id)
    return db.session.scalar(query).token


def test_the_reply_page_is_one_tap_and_says_it_is_safe(client, runner, db, scene):
    token = _reply_token(runner, db, resident_id=scene.binh.id)
    page = client.get(f"/tra-loi/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="resident"' in html
    assert "Tôi sẽ đến" in html and "Tôi không đến được" in html
    assert "không bao giờ hỏi mã OTP" in html
    assert "Minh" in html and "Trần Văn Minh" not in html  # the volunteer's first name

    response = client.post(f"/tra-loi/{token}", data={"csrf_token": csrf_token_from(page),
                                                      "answer": "coming"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(SessionReply.answer).where(
        SessionReply.token == token)) == ReplyAnswer.COMING
    assert "Bạn đã trả lời: Tôi sẽ đến." in client.get(f"/tra-loi/{token}").get_data(
        as_text=True)


def test_a_resident_who_cannot_come_frees_the_seat_and_the_leader_knows(client, runner, db,
                                                                        scene):
    token = _reply_token(runner, db, resident_id=scene.binh.id)
    page = client.get(f"/tra-loi/{token}")
    client.post(f"/tra-loi/{token}", data={"csrf_token": csrf_token_from(page),
                                           "answer": "cannot_come", "reason": "Bà bị ốm"})
    db.session.expire_all()
    seats = {s.resident_id: s.status for s in db.session.scalars(
        select(Enrollment).where(Enrollment.session_id == scene.lesson.id))}
    assert seats == {scene.binh.id: EnrollmentStatus.CANCELLED,
                     scene.lan.id: EnrollmentStatus.ENROLLED}  # the waiting list moved up
    [alert] = messages(db, "cannot_come")
    assert alert.recipient_user_id == scene.leader.id
    assert alert.context["who"] == "Bình" and alert.context["reason"] == "Bà bị ốm"
    # Tapping again changes nothing and tells nobody twice.
    client.post(f"/tra-loi/{token}", data={"csrf_token": csrf_token_from(page),
                                           "answer": "cannot_come"})
    assert len(messages(db, "cannot_come")) == 1


def test_a_volunteer_who_cannot_come_alerts_the_leader_to_find_a_replacement(
        client, runner, db, scene):
    token = _reply_token(runner, db, volunteer_id=scene.minh.volunteer_profile.id)
    page = client.get(f"/tra-loi/{token}")
    assert 'class="resident"' not in page.get_data(as_text=True)
    client.post(f"/tra-loi/{token}", data={"csrf_token": csrf_token_from(page),
                                           "answer": "cannot_come"})
    [alert] = messages(db, "cannot_come")
    assert alert.recipient_user_id == scene.leader.id
    assert alert.context["role"] == "volunteer" and alert.context["who"] == "Minh"
    assert db.session.get(Session, scene.lesson.id).status == SessionStatus.CONFIRMED


def test_a_resident_saying_yes_to_a_proposed_visit_confirms_it(client, runner, make, db, scene):
    tomorrow = today_local() + timedelta(days=1)
    request = make.request(scene.binh, status=RequestStatus.SCHEDULED,
                           volunteer_id=scene.minh.volunteer_profile.id)
    visit = booked(make, scene.group, at(tomorrow, 8), at(tomorrow, 9), volunteers=[scene.minh],
                   kind=SessionKind.ONE_TO_ONE, place=Place.HOME, capacity=1,
                   status=SessionStatus.PROPOSED, request_id=request.id, title="Hỗ trợ")
    db.session.add(Enrollment(session_id=visit.id, resident_id=scene.binh.id,
                              request_id=request.id))
    make.commit()
    runner.invoke(args=["reminders", "send"])
    token = db.session.scalar(select(SessionReply.token).where(
        SessionReply.session_id == visit.id, SessionReply.resident_id == scene.binh.id))
    page = client.get(f"/tra-loi/{token}")
    client.post(f"/tra-loi/{token}", data={"csrf_token": csrf_token_from(page),
                                           "answer": "coming"})
    db.session.expire_all()
    visit = db.session.get(Session, visit.id)
    assert visit.status == SessionStatus.CONFIRMED and visit.confirmed_via == "resident"
    assert [m.recipient_user_id for m in messages(db, "session_confirmed")] == [scene.minh.id]


def test_an_unknown_reply_link_is_a_404(client, scene):
    assert client.get("/tra-loi/khong-ton-tai").status_code == 404
    assert client.get("/tra-loi/" + "x" * 100).status_code == 404
