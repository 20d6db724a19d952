"""A resident's progress over time, "basic digital skills", and the household survey."""
from __future__ import annotations

from datetime import date, timedelta

from flask import render_template
from sqlalchemy import select

from app.clock import to_local, today_local, utcnow
from app.coverage import services as coverage
from app.coverage import areas
from app.models import AuditEvent, RequestStatus, Resident
from app.outcomes.progress import resident_progress
from tests.conftest import csrf_token_from
from tests.coverage_helpers import attended, past_session
from tests.outcomes_helpers import class_scene


def _progress_scene(make):
    scene = class_scene(make)
    extra = make.topic("Dịch vụ công trực tuyến", skills=("Nộp hồ sơ",))
    first = past_session(make, scene.group, utcnow() - timedelta(days=20),
                         topics=[scene.phone], title="Buổi một")
    second = past_session(make, scene.group, utcnow() - timedelta(days=10),
                          topics=[scene.phone, scene.bank, extra], title="Buổi hai")
    no_show = past_session(make, scene.group, utcnow() - timedelta(days=5),
                           topics=[scene.bank], title="Buổi vắng")
    attended(make, scene.binh, first, [scene.phone.skills[0]])
    attended(make, scene.binh, second, [scene.phone.skills[1]])
    # A skill ticked on an outcome where she did not come does not count.
    attended(make, scene.binh, no_show, [scene.bank.skills[0]], attended=False)
    make.commit()
    scene.extra, scene.first, scene.second, scene.no_show = extra, first, second, no_show
    return scene


def test_skills_are_shown_over_time_per_topic_until_every_core_topic_is_done(make, db):
    scene = _progress_scene(make)
    progress = resident_progress(scene.binh)
    phone, bank = progress.core
    assert (phone.topic.id, phone.done, phone.completed) == (scene.phone.id, 2, True)
    assert [sp.achieved_on for sp in phone.skills] == [
        to_local(scene.first.starts_at).date(), to_local(scene.second.starts_at).date()]
    assert phone.completed_on == to_local(scene.second.starts_at).date()
    assert (bank.done, bank.completed) == (0, False)
    assert not progress.basic_skills and progress.basic_skills_on is None
    assert [e.session.title for e in progress.timeline] == ["Buổi vắng", "Buổi hai",
                                                            "Buổi một"]

    later = past_session(make, scene.group, utcnow() - timedelta(days=1), topics=[scene.bank])
    attended(make, scene.binh, later, [scene.bank.skills[0]])
    make.commit()
    progress = resident_progress(scene.binh)
    assert progress.basic_skills
    assert progress.basic_skills_on == to_local(later.starts_at).date()
    assert scene.extra.id not in {t.topic.id for t in progress.topics}  # nothing learned there


def test_the_progress_fragment_shows_the_progress_its_page_passes(app, make):
    scene = _progress_scene(make)
    with app.test_request_context("/"):
        html = render_template("outcomes/_progress.html", resident=scene.binh,
                               progress=resident_progress(scene.binh))
    assert "Chưa đủ kỹ năng số cơ bản" in html
    assert "đã hoàn thành 1/2 chủ đề cơ bản" in html
    assert "Kết nối wifi" in html and "Buổi hai" in html
    assert " style=" not in html


def test_who_may_see_a_residents_progress(client, auth, make, db):
    scene = _progress_scene(make)
    url = f"/nguoi-dan/{scene.binh.id}/tien-bo"
    for person, status in ((scene.leader, 200), (scene.other_leader, 403),
                           (scene.stranger, 403)):
        auth.login(person.phone)
        assert client.get(url).status_code == status, person.full_name
        auth.logout()
    # A verified volunteer assigned to her request sees it.
    scene.request.volunteer_id = scene.stranger.volunteer_profile.id
    scene.request.status = RequestStatus.ASSIGNED
    make.commit()
    auth.login(scene.stranger.phone)
    html = client.get(url).get_data(as_text=True)
    assert "Nguyễn Thị Bình" in html and "Kỹ năng số đã học" in html
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view")).all()
    assert {(v.subject, v.resident_id) for v in views} == {(f"resident:{scene.binh.id}",
                                                            scene.binh.id)}
    assert len(views) == 2


def test_a_leader_records_a_household_survey_in_a_few_taps(client, auth, make, db):
    scene = class_scene(make)
    auth.login(scene.leader.phone)
    url = f"/nguoi-dan/{scene.binh.id}/ra-soat"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert html.count('type="radio"') == 12  # four questions × có / không / chưa rõ
    token = csrf_token_from(page)
    future = (today_local() + timedelta(days=2)).isoformat()
    bad = client.post(url, data={"csrf_token": token, "has_smartphone": "có lẽ",
                                 "surveyed_on": future})
    assert bad.status_code == 422
    assert "Lựa chọn không hợp lệ" in bad.get_data(as_text=True)
    assert "Ngày rà soát không thể ở tương lai." in bad.get_data(as_text=True)
    good = client.post(url, data={"csrf_token": token, "has_smartphone": "yes",
                                  "has_epayment": "no", "vneid_level2": "unknown",
                                  "uses_zalo": "yes", "surveyed_on": "2026-05-02"})
    assert good.status_code == 303
    assert good.headers["Location"].endswith(f"/nguoi-dan/{scene.binh.id}/tien-bo")
    db.session.expire_all()
    binh = db.session.get(Resident, scene.binh.id)
    assert (binh.has_smartphone, binh.has_epayment, binh.vneid_level2, binh.uses_zalo,
            binh.surveyed_on) == (True, False, None, True, date(2026, 5, 2))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "change"))
    assert (event.subject, event.detail) == (f"resident:{binh.id}", "survey")
    # The survey alone counts her among the adults with a smartphone.
    area = areas.Area(areas.Level.GROUP, scene.group.id, scene.group.name,
                         select(Resident.group_id).where(Resident.id == binh.id),
                         group=scene.group)
    row = coverage.build_table(area).total
    assert (row.indicators["smartphone"].count, row.indicators["epayment"].count) == (1, 0)


def test_only_those_who_may_see_the_resident_survey_them(client, auth, make):
    scene = class_scene(make)
    url = f"/nguoi-dan/{scene.binh.id}/ra-soat"
    for person in (scene.stranger, scene.other_leader):
        auth.login(person.phone)
        assert client.get(url).status_code == 403
        auth.logout()
    auth.login(scene.minh.phone)  # her class's volunteer, verified
    assert client.get(url).status_code == 200
    assert client.get("/nguoi-dan/99999/ra-soat").status_code == 404
