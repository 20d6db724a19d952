"""A leader corrects an outcome; every version stays in its history."""
from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent, HelpRequest, Outcome, OutcomeRevision, RequestStatus
from app.outcomes import services
from tests.conftest import csrf_token_from
from tests.outcomes_helpers import class_scene


def _logged(make, db, **binh):
    scene = class_scene(make)
    services.log_outcomes(scene.minh, scene.session, [
        services.AttendeeEntry(scene.seat_binh.id, True, {scene.phone.skills[0].id}, 3,
                               **binh),
        services.AttendeeEntry(scene.seat_hung.id, False)])
    db.session.commit()
    scene.outcome = db.session.scalar(select(Outcome).where(
        Outcome.enrollment_id == scene.seat_binh.id))
    return scene


def _correction(token, scene, *, attended="1", skills=(), confidence=None, follow_up=False,
                note="", reason="Bà làm được thêm chuyển khoản QR."):
    data = {"csrf_token": token, "x_attended": attended, "x_skills": [str(s.id) for s in skills],
            "x_note": note, "reason": reason}
    if confidence:
        data["x_confidence"] = str(confidence)
    if follow_up:
        data["x_follow_up"] = "y"
    return data


def test_a_leader_corrects_an_outcome_and_every_version_is_kept(client, auth, make, db):
    scene = _logged(make, db)
    auth.login(scene.leader.phone)
    url = f"/ket-qua/{scene.outcome.id}/sua"
    page = client.get(url)
    html = page.get_data(as_text=True)
    ticked, unticked = scene.phone.skills
    assert f'value="{ticked.id}" id="x_skills-{ticked.id}" checked' in html  # as logged
    assert f'value="{unticked.id}" id="x_skills-{unticked.id}" aria' in html
    assert "Bản ghi đầu tiên" in html
    skills = [scene.phone.skills[0], scene.bank.skills[0]]
    response = client.post(url, data=_correction(csrf_token_from(page), scene, skills=skills,
                                                 confidence=5))
    assert response.status_code == 303
    db.session.expire_all()
    outcome = db.session.get(Outcome, scene.outcome.id)
    assert {s.id for s in outcome.skills} == {s.id for s in skills}
    assert outcome.confidence == 5
    first, second = outcome.revisions
    assert (first.number, first.skill_ids, first.confidence, first.reason) == (
        1, [scene.phone.skills[0].id], 3, None)
    assert first.changed_by_id == scene.minh.id
    assert (second.number, sorted(second.skill_ids), second.confidence) == (
        2, sorted(s.id for s in skills), 5)
    assert (second.changed_by_id, second.reason) == (scene.leader.id,
                                                     "Bà làm được thêm chuyển khoản QR.")
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "change"))
    assert (audit.subject, audit.resident_id) == (f"outcome:{outcome.id}", scene.binh.id)
    history = client.get(url).get_data(as_text=True)
    assert "Bản sửa 1" in history and "Chuyển khoản bằng mã QR" in history
    assert "Lý do sửa: Bà làm được thêm chuyển khoản QR." in history


def test_a_correction_needs_a_reason_and_keeps_what_was_typed(client, auth, make, db):
    scene = _logged(make, db)
    auth.login(scene.leader.phone)
    url = f"/ket-qua/{scene.outcome.id}/sua"
    token = csrf_token_from(client.get(url))
    response = client.post(url, data=_correction(token, scene, note="Ghi chú mới", reason=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng ghi lý do sửa." in html and 'value="Ghi chú mới"' in html
    assert len(db.session.scalars(select(OutcomeRevision)).all()) == 2  # nothing added


def test_volunteers_and_other_leaders_cannot_correct(client, auth, make, db):
    scene = _logged(make, db)
    url = f"/ket-qua/{scene.outcome.id}/sua"
    for person in (scene.minh, scene.other_leader):
        auth.login(person.phone)
        assert client.get(url).status_code == 403
        auth.logout()
    assert client.get("/ket-qua/99999/sua").status_code == 302  # anonymous: log in first


def test_asking_for_a_follow_up_opens_one_and_withdrawing_it_cancels_it(client, auth, make,
                                                                         db):
    scene = _logged(make, db)
    auth.login(scene.leader.phone)
    url = f"/ket-qua/{scene.outcome.id}/sua"
    token = csrf_token_from(client.get(url))
    assert client.post(url, data=_correction(token, scene, skills=scene.phone.skills,
                                             follow_up=True)).status_code == 303
    db.session.expire_all()
    follow_up = db.session.scalar(select(HelpRequest).where(
        HelpRequest.follow_up_of_id == scene.request.id))
    assert follow_up.status == RequestStatus.OPEN
    assert [t.id for t in follow_up.topics] == [scene.bank.id]
    assert client.post(url, data=_correction(token, scene, skills=scene.phone.skills,
                                             reason="Bà tự học được rồi.")).status_code == 303
    db.session.expire_all()
    follow_up = db.session.get(HelpRequest, follow_up.id)
    assert follow_up.status == RequestStatus.CANCELLED
    assert "không cần học tiếp" in follow_up.cancel_reason
    assert [r.number for r in db.session.get(Outcome, scene.outcome.id).revisions] == [1, 2, 3]


def test_correcting_a_no_show_with_skills_is_refused(client, auth, make, db):
    scene = _logged(make, db)
    auth.login(scene.leader.phone)
    url = f"/ket-qua/{scene.outcome.id}/sua"
    token = csrf_token_from(client.get(url))
    response = client.post(url, data=_correction(token, scene, attended="0",
                                                 skills=scene.phone.skills))
    assert response.status_code == 422
    assert "Người không đến thì không đánh dấu kỹ năng." in response.get_data(as_text=True)


def test_an_outcome_recorded_before_history_keeps_its_first_version_when_corrected(make, db):
    scene = class_scene(make)
    outcome = make._add(Outcome(enrollment_id=scene.seat_hung.id, attended=True, confidence=2,
                                skills=[scene.phone.skills[0]], recorded_by_id=scene.minh.id))
    make.commit()
    assert outcome.revisions == []
    services.correct_outcome(scene.leader, outcome, services.AttendeeEntry(
        scene.seat_hung.id, True, {s.id for s in scene.phone.skills}, 4), "Ghi thiếu kỹ năng.")
    db.session.commit()
    first, second = db.session.get(Outcome, outcome.id).revisions
    assert (first.number, first.skill_ids, first.confidence, first.changed_by_id) == (
        1, [scene.phone.skills[0].id], 2, scene.minh.id)
    assert (second.number, second.confidence, second.reason) == (2, 4, "Ghi thiếu kỹ năng.")
