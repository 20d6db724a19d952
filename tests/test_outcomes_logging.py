"""After a class its volunteer logs, per attendee, who came and what they can now do."""
from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from app.refusal import Refusal
from app.models import (HelpRequest, OutboxMessage, Outcome, RequestStatus, Session,
                        SessionStatus, SessionVolunteer)
from app.outcomes import services
from tests.conftest import csrf_token_from
from tests.outcomes_helpers import class_scene, outcome_form


def _log_in(auth, user):
    assert auth.login(user.phone).status_code == 303


def _outcomes(db, scene):
    db.session.expire_all()
    return {o.enrollment.resident.full_name: o for o in db.session.scalars(select(Outcome))}


def test_the_volunteer_logs_each_attendee_and_the_class_and_request_are_done(client, auth,
                                                                             make, db):
    scene = class_scene(make)
    _log_in(auth, scene.minh)
    url = f"/buoi/{scene.session.id}/ket-qua"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nguyễn Thị Bình" in html and "Trần Văn Hùng" in html
    assert "Chỉnh cỡ chữ" in html and "Chuyển khoản bằng mã QR" in html
    assert f'name="h{scene.session.volunteers[0].id}"' not in html  # hours are the leader's
    response = client.post(url, data=outcome_form(
        csrf_token_from(page), scene,
        binh=dict(skills=scene.phone.skills, confidence=4, note="Bà tự chỉnh được cỡ chữ."),
        hung=dict(attended="0")))
    assert response.status_code == 303 and response.headers["Location"].endswith(url)

    outcomes = _outcomes(db, scene)
    binh, hung = outcomes["Nguyễn Thị Bình"], outcomes["Trần Văn Hùng"]
    assert (binh.attended, binh.confidence, binh.follow_up) == (True, 4, False)
    assert {s.name for s in binh.skills} == {"Chỉnh cỡ chữ", "Kết nối wifi"}
    assert binh.note == "Bà tự chỉnh được cỡ chữ." and binh.recorded_by_id == scene.minh.id
    assert (hung.attended, hung.confidence, hung.skills) == (False, None, [])
    assert [r.number for r in binh.revisions] == [1]
    session = db.session.get(Session, scene.session.id)
    assert session.status == SessionStatus.DONE
    request = db.session.get(HelpRequest, scene.request.id)
    assert request.status == RequestStatus.DONE and request.closed_at is not None
    # Hours from the session's time: 90 minutes for each volunteer.
    assert [sv.hours for sv in session.volunteers] == [Decimal("1.50"), Decimal("1.50")]

    done = client.get(url).get_data(as_text=True)
    assert "Đã lưu kết quả buổi học." in done
    assert "Có đến" in done and "Không đến" in done and 'id="log-form"' not in done


def test_follow_up_reopens_a_request_for_the_skills_still_to_learn(client, auth, make, db):
    scene = class_scene(make)
    _log_in(auth, scene.minh)
    url = f"/buoi/{scene.session.id}/ket-qua"
    token = csrf_token_from(client.get(url))
    response = client.post(url, data=outcome_form(
        token, scene, binh=dict(skills=scene.phone.skills, confidence=3, follow_up=True),
        hung=dict(skills=scene.phone.skills[:1])))
    assert response.status_code == 303
    db.session.expire_all()
    follow_up = db.session.scalar(select(HelpRequest).where(
        HelpRequest.follow_up_of_id == scene.request.id))
    assert follow_up.status == RequestStatus.OPEN
    assert (follow_up.resident_id, follow_up.group_id) == (scene.binh.id, scene.group.id)
    assert [t.id for t in follow_up.topics] == [scene.bank.id]  # smartphone basics are done
    assert (follow_up.place, follow_up.preferred_times) == (scene.request.place,
                                                            scene.request.preferred_times)
    assert follow_up.created_by_id == scene.minh.id
    outcome = _outcomes(db, scene)["Nguyễn Thị Bình"]
    assert outcome.follow_up_request_id == follow_up.id
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "follow_up_opened")).all()
    assert {(m.recipient_resident_id, m.recipient_user_id) for m in messages} == {
        (scene.binh.id, None), (None, scene.leader.id)}
    assert all(m.context["request_code"] == follow_up.code for m in messages)
    # Hùng asked for nothing more: no request for him.
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 2
    assert follow_up.code in client.get(url).get_data(as_text=True)


def test_a_follow_up_when_every_skill_is_learned_repeats_the_classs_topics(make, db):
    scene = class_scene(make)
    skills = {s.id for s in scene.phone.skills + scene.bank.skills}
    [follow_up] = services.log_outcomes(scene.minh, scene.session, [
        services.AttendeeEntry(scene.seat_hung.id, True, skills, 5, follow_up=True)])
    db.session.commit()
    assert follow_up.follow_up_of_id is None  # Hùng walked in without a request
    assert {t.id for t in follow_up.topics} == {scene.phone.id, scene.bank.id}
    assert follow_up.group_id == scene.hung.group_id and follow_up.status == RequestStatus.OPEN


def test_a_no_show_cannot_be_marked_with_skills_and_nothing_is_saved(client, auth, make, db):
    scene = class_scene(make)
    _log_in(auth, scene.minh)
    url = f"/buoi/{scene.session.id}/ket-qua"
    token = csrf_token_from(client.get(url))
    response = client.post(url, data=outcome_form(
        token, scene, binh=dict(skills=scene.phone.skills, follow_up=True, note="Ghi chú"),
        hung=dict(attended="0", skills=scene.bank.skills)))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Người không đến thì không đánh dấu kỹ năng." in html
    assert 'value="Ghi chú"' in html  # what was typed is kept
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.get(Session, scene.session.id).status == SessionStatus.CONFIRMED


def test_nobody_is_marked_as_come_until_the_volunteer_says_so(client, auth, make, db):
    """A hurried tap on "Lưu" must not count attendees who did not come: "Có đến" is not
    chosen in advance, and an attendee left unmarked is asked about beside their name."""
    scene = class_scene(make)
    _log_in(auth, scene.minh)
    url = f"/buoi/{scene.session.id}/ket-qua"
    page = client.get(url)
    html = page.get_data(as_text=True)
    for seat in (scene.seat_binh, scene.seat_hung):
        assert f'name="a{seat.id}_attended"' in html
        assert not [tag for tag in html.split("<input")
                    if f'name="a{seat.id}_attended"' in tag and "checked" in tag]
    data = outcome_form(csrf_token_from(page), scene, binh=dict(skills=scene.phone.skills),
                        hung=dict(note="Chưa rõ"))
    del data[f"a{scene.seat_hung.id}_attended"]
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Vui lòng chọn có đến hay không." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0


def test_a_tampered_skill_is_refused_in_vietnamese(client, auth, make, db):
    scene = class_scene(make)
    other = make.topic("Chủ đề khác", skills=("Kỹ năng lạ",))
    make.commit()
    _log_in(auth, scene.minh)
    url = f"/buoi/{scene.session.id}/ket-qua"
    token = csrf_token_from(client.get(url))
    data = outcome_form(token, scene, binh=dict(skills=other.skills), hung=dict())
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Lựa chọn không hợp lệ" in response.get_data(as_text=True)
    data[f"a{scene.seat_binh.id}_skills"] = ["không-phải-số"]
    data[f"a{scene.seat_binh.id}_confidence"] = "9"
    assert client.post(url, data=data).status_code == 422


def test_the_second_volunteer_to_log_is_told_it_is_already_logged(client, auth, make, db):
    scene = class_scene(make)
    url = f"/buoi/{scene.session.id}/ket-qua"
    _log_in(auth, scene.ha)
    token = csrf_token_from(client.get(url))  # Hà opens the form first…
    services.log_outcomes(scene.minh, scene.session, [  # …Minh saves meanwhile
        services.AttendeeEntry(scene.seat_binh.id, True, {scene.bank.skills[0].id}, 4)])
    db.session.commit()
    response = client.post(url, data=outcome_form(token, scene, binh=dict(), hung=dict()))
    assert response.status_code == 409
    assert "đã được ghi kết quả rồi" in response.get_data(as_text=True)
    outcomes = _outcomes(db, scene)
    assert list(outcomes) == ["Nguyễn Thị Bình"]
    assert outcomes["Nguyễn Thị Bình"].recorded_by_id == scene.minh.id


def test_two_volunteers_logging_at_the_same_moment_record_it_once(app, make, db):
    scene = class_scene(make)
    session_id, seats = scene.session.id, (scene.seat_binh.id, scene.seat_hung.id)
    volunteer_ids = (scene.minh.id, scene.ha.id)
    db.session.rollback()  # the test's own transaction must not hold SQLite's write lock
    barrier = threading.Barrier(2)
    results = []

    def log_as(user_id):
        with app.app_context():
            from app.extensions import db as thread_db
            from app.models import User
            barrier.wait(timeout=30)  # before touching the database: SQLite locks at BEGIN
            try:
                user = thread_db.session.get(User, user_id)
                session = thread_db.session.get(Session, session_id)
                services.log_outcomes(user, session, [
                    services.AttendeeEntry(seat, True, set(), 3, follow_up=True)
                    for seat in seats])
                thread_db.session.commit()
                results.append("saved")
            except Refusal:
                thread_db.session.rollback()
                results.append("refused")
            except Exception as exc:  # reported by the assertion below, never a hang
                results.append(repr(exc))
            finally:
                thread_db.session.remove()

    threads = [threading.Thread(target=log_as, args=(uid,)) for uid in volunteer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["refused", "saved"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 2
    assert db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        HelpRequest.status == RequestStatus.OPEN)) == 2  # one follow-up each, not two
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4


def test_a_class_that_has_not_started_or_was_cancelled_cannot_be_logged(client, auth, make,
                                                                         db):
    scene = class_scene(make, started_hours_ago=-24)  # tomorrow
    _log_in(auth, scene.minh)
    url = f"/buoi/{scene.session.id}/ket-qua"
    page = client.get(url)
    assert "Buổi này chưa diễn ra" in page.get_data(as_text=True)
    response = client.post(url, data=outcome_form(csrf_token_from(page), scene, binh=dict(),
                                                  hung=dict()))
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0
    cancelled = make.session(scene.group, status=SessionStatus.CANCELLED,
                             volunteers=[scene.minh])
    make.commit()
    assert "đã bị hủy" in client.get(f"/buoi/{cancelled.id}/ket-qua").get_data(as_text=True)


def test_only_the_classs_volunteers_and_its_leaders_may_log_it(client, auth, make):
    scene = class_scene(make)
    url = f"/buoi/{scene.session.id}/ket-qua"
    assert client.get(url).status_code == 302  # to the login page
    for outsider in (scene.stranger, scene.other_leader):
        _log_in(auth, outsider)
        assert client.get(url).status_code == 403
        auth.logout()
    _log_in(auth, scene.leader)
    page = client.get(url).get_data(as_text=True)
    assert f'name="h{scene.session.volunteers[0].id}"' in page  # the leader sets hours
    assert client.get("/buoi/99999/ket-qua").status_code == 404


def test_the_leader_sets_hours_while_logging_and_corrects_them_later(client, auth, make, db):
    scene = class_scene(make)
    minh_sv, ha_sv = scene.session.volunteers
    _log_in(auth, scene.leader)
    url = f"/buoi/{scene.session.id}/ket-qua"
    page = client.get(url)
    assert 'value="1,5"' in page.get_data(as_text=True)  # proposed from the session's time
    data = outcome_form(csrf_token_from(page), scene, binh=dict(), hung=dict())
    data.update({f"h{minh_sv.id}": "2,5", f"h{ha_sv.id}": "nhiều"})
    bad = client.post(url, data=data)
    assert bad.status_code == 422 and "Vui lòng nhập số giờ" in bad.get_data(as_text=True)
    data[f"h{ha_sv.id}"] = ""
    assert client.post(url, data=data).status_code == 303
    db.session.expire_all()
    assert (db.session.get(SessionVolunteer, minh_sv.id).hours,
            db.session.get(SessionVolunteer, ha_sv.id).hours) == (Decimal("2.50"),
                                                                  Decimal("1.50"))
    hours_url = f"/buoi/{scene.session.id}/gio-tinh-nguyen"
    token = csrf_token_from(client.get(hours_url))
    assert client.post(hours_url, data={"csrf_token": token, f"h{ha_sv.id}": "30"}
                       ).status_code == 422
    assert client.post(hours_url, data={"csrf_token": token, f"h{ha_sv.id}": "3"}
                       ).status_code == 303
    db.session.expire_all()
    assert db.session.get(SessionVolunteer, ha_sv.id).hours == Decimal("3.00")
    auth.logout()
    _log_in(auth, scene.minh)
    assert client.get(hours_url).status_code == 403


def test_with_htmx_logging_redirects_the_page_and_errors_stay_in_place(client, auth, make):
    scene = class_scene(make)
    _log_in(auth, scene.minh)
    url = f"/buoi/{scene.session.id}/ket-qua"
    token = csrf_token_from(client.get(url))
    htmx = {"HX-Request": "true"}
    bad = client.post(url, headers=htmx, data=outcome_form(
        token, scene, binh=dict(attended="0", skills=scene.bank.skills), hung=dict()))
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "<html" not in body and 'id="log-outcomes"' in body
    assert "HX-Request" in bad.headers["Vary"]
    good = client.post(url, headers=htmx, data=outcome_form(token, scene, binh=dict(),
                                                            hung=dict()))
    assert good.status_code == 200 and good.headers["HX-Redirect"] == url


def test_the_volunteer_sees_which_classes_wait_for_their_outcome(client, auth, make):
    scene = class_scene(make)
    later = make.session(scene.group, title="Lớp tuần sau", volunteers=[scene.minh])
    make.commit()
    _log_in(auth, scene.minh)
    html = client.get("/ket-qua/can-ghi").get_data(as_text=True)
    assert scene.session.title in html and later.title not in html
    auth.logout()
    _log_in(auth, scene.stranger)
    assert scene.session.title not in client.get("/ket-qua/can-ghi").get_data(as_text=True)


def test_a_garbled_form_for_a_class_not_yet_held_is_told_why_not_which_field(client, auth,
                                                                               make, db):
    scene = class_scene(make, started_hours_ago=-24)  # tomorrow
    _log_in(auth, scene.minh)
    url = f"/buoi/{scene.session.id}/ket-qua"
    page = client.get(url)
    response = client.post(url, data={"csrf_token": csrf_token_from(page),
                                      f"a{scene.session.enrollments[0].id}_skills": "0"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'role="alert">Buổi này chưa diễn ra' in body
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0
