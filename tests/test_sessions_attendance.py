"""After a class: the printed sheet, the sign-in entered in one screen, no-shows recorded fairly."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.clock import today_local
from app.models import (AuditEvent, Enrollment, EnrollmentStatus, Gender, NoShow, NoShowStatus,
                        Outcome, Resident, Session, SessionStatus, SessionVolunteer)
from tests.conftest import csrf_token_from
from tests.sessions_helpers import at, booked


@pytest.fixture
def scene(make):
    group = make.group(name="Tổ dân phố số 3", community_house="Nhà văn hóa tổ 3")
    leader = make.leader(group, name="Lê Văn Tổ")
    minh = make.volunteer("Trần Văn Minh", groups=[group])
    ha = make.volunteer("Phạm Thu Hà", groups=[group])
    zalo = make.topic("Zalo", skills=("Nhắn tin cho con", "Gọi video"))
    yesterday = today_local() - timedelta(days=1)
    lesson = booked(make, group, at(yesterday, 9), at(yesterday, 10, 30), volunteers=[minh, ha],
                    capacity=3, topics=[zalo], title="Cùng bà học Zalo")
    binh = make.resident(group, name="Nguyễn Thị Bình", gender=Gender.FEMALE,
                         phone="+84912345678")
    lan = make.resident(group, name="Đỗ Thị Lan", gender=Gender.FEMALE)
    seats = {r.id: Enrollment(session_id=lesson.id, resident_id=r.id) for r in (binh, lan)}
    make.db.session.add_all(seats.values())
    request = make.request(lan)
    make.commit()
    return type("Scene", (), dict(group=group, leader=leader, minh=minh, ha=ha, zalo=zalo,
                                  lesson=lesson, binh=binh, lan=lan, seats=seats,
                                  request=request))


def test_the_attendance_sheet_prints_names_last_digits_signatures_and_skills(client, auth, db,
                                                                            scene):
    auth.login(scene.leader.phone)
    response = client.get(f"/buoi/{scene.lesson.id}/danh-sach-diem-danh")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nguyễn Thị Bình" in html and "Đỗ Thị Lan" in html
    assert "<td>678</td>" in html and "0912" not in html
    assert "Ký tên" in html
    assert "Nhắn tin cho con" in html and "Gọi video" in html
    assert "data-print" in html
    event = db.session.scalar(select(AuditEvent))
    assert event.action == "export" and event.subject == f"attendance-sheet:session:{scene.lesson.id}"


def test_volunteers_do_not_print_the_sheet(client, auth, scene):
    auth.login(scene.minh.phone)
    assert client.get(f"/buoi/{scene.lesson.id}/danh-sach-diem-danh").status_code == 403


def sign_in(client, scene, **data):
    page = client.get(f"/buoi/{scene.lesson.id}/diem-danh")
    assert page.status_code == 200
    return client.post(f"/buoi/{scene.lesson.id}/diem-danh",
                       data={"csrf_token": csrf_token_from(page), **data})


@pytest.mark.clock
def test_the_leader_enters_the_paper_sheet_in_one_screen(client, auth, db, scene):
    auth.login(scene.leader.phone)
    binh_seat = scene.seats[scene.binh.id]
    response = sign_in(client, scene, present_seat=[binh_seat.id],
                       present_volunteer=[scene.minh.volunteer_profile.id],
                       **{"walk_ins-0-full_name": "Bùi Thị Hoa",
                          "walk_ins-0-phone": "0912 000 222", "consent": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    attended = {db.session.get(Enrollment, o.enrollment_id).resident_id: o.attended
                for o in db.session.scalars(select(Outcome))}
    hoa = db.session.scalar(select(Resident).where(Resident.phone == "+84912000222"))
    assert attended == {scene.binh.id: True, scene.lan.id: False, hoa.id: True}
    assert db.session.get(Session, scene.lesson.id).status == SessionStatus.DONE
    hours = {sv.volunteer_id: sv.hours for sv in db.session.scalars(select(SessionVolunteer))}
    assert hours == {scene.minh.volunteer_profile.id: Decimal("1.50"),
                     scene.ha.volunteer_profile.id: Decimal("0.00")}
    absent = {(n.resident_id, n.volunteer_id) for n in db.session.scalars(select(NoShow))}
    assert absent == {(scene.lan.id, None), (None, scene.ha.volunteer_profile.id)}


def test_walk_ins_beyond_capacity_are_refused_and_nothing_is_saved(client, auth, db, scene):
    auth.login(scene.leader.phone)
    response = sign_in(client, scene, consent="y", **{
        "walk_ins-0-full_name": "Người Một", "walk_ins-1-full_name": "Người Hai"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Lớp đã đủ 3 chỗ nên không thêm được Người Hai" in html
    assert 'value="Người Một"' in html
    db.session.expire_all()
    assert db.session.scalars(select(Outcome)).all() == []
    assert db.session.get(Session, scene.lesson.id).status == SessionStatus.CONFIRMED


def test_walk_ins_need_consent_and_a_valid_phone(client, auth, scene):
    auth.login(scene.leader.phone)
    no_consent = sign_in(client, scene, **{"walk_ins-0-full_name": "Người Một"})
    assert no_consent.status_code == 422
    assert "Cần có sự đồng ý" in no_consent.get_data(as_text=True)
    bad_phone = sign_in(client, scene, consent="y", **{"walk_ins-0-full_name": "Người Một",
                                                       "walk_ins-0-phone": "12345"})
    assert bad_phone.status_code == 422
    assert "Số điện thoại chưa đúng" in bad_phone.get_data(as_text=True)


@pytest.mark.clock
def test_a_class_that_has_not_started_cannot_be_signed_in(client, auth, make, scene):
    tomorrow = today_local() + timedelta(days=1)
    future = booked(make, scene.group, at(tomorrow, 9), at(tomorrow, 10), place_name="Phòng B")
    make.commit()
    auth.login(scene.leader.phone)
    page = client.get(f"/buoi/{future.id}/diem-danh")
    assert "chưa bắt đầu" in page.get_data(as_text=True)


def _absent_volunteer(client, auth, scene):
    auth.login(scene.leader.phone)
    sign_in(client, scene, present_seat=[scene.seats[scene.binh.id].id],
            present_volunteer=[scene.minh.volunteer_profile.id])
    auth.logout()


def test_a_volunteer_sees_and_contests_a_no_show_and_the_leader_corrects_it(
        client, auth, db, scene):
    _absent_volunteer(client, auth, scene)
    auth.login(scene.ha.phone)
    page = client.get("/lich-cua-toi")
    html = page.get_data(as_text=True)
    assert "Ghi nhận vắng mặt của bạn" in html and "Cùng bà học Zalo" in html
    no_show = db.session.scalar(select(NoShow).where(NoShow.volunteer_id.is_not(None)))
    response = client.post(f"/vang-mat/{no_show.id}/khieu-nai", data={
        "csrf_token": csrf_token_from(page), "text": "Em có đến, em ký ở dòng cuối"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(NoShow, no_show.id).status == NoShowStatus.CONTESTED
    auth.logout()

    auth.login(scene.leader.phone)
    review = client.get("/vang-mat")
    html = review.get_data(as_text=True)
    assert html.index("Em có đến, em ký ở dòng cuối") < html.index("Đỗ Thị Lan")  # contested first
    response = client.post(f"/vang-mat/{no_show.id}/xu-ly", data={
        "csrf_token": csrf_token_from(review), "decision": "withdraw", "attended": "y",
        "note": "Đã xem lại tờ giấy"})
    assert response.status_code == 303
    db.session.expire_all()
    corrected = db.session.get(NoShow, no_show.id)
    assert corrected.status == NoShowStatus.WITHDRAWN and not corrected.counts
    hours = db.session.scalar(select(SessionVolunteer.hours).where(
        SessionVolunteer.volunteer_id == scene.ha.volunteer_profile.id))
    assert hours == Decimal("1.50")
    auth.logout()
    auth.login(scene.ha.phone)
    assert "Đã hủy ghi nhận" in client.get("/lich-cua-toi").get_data(as_text=True)


def test_only_the_person_concerned_contests_and_only_a_leader_resolves(client, auth, db, scene):
    _absent_volunteer(client, auth, scene)
    no_show = db.session.scalar(select(NoShow).where(NoShow.volunteer_id.is_not(None)))
    auth.login(scene.minh.phone)
    page = client.get("/lich-cua-toi")
    token = csrf_token_from(page)
    assert client.post(f"/vang-mat/{no_show.id}/khieu-nai",
                       data={"csrf_token": token, "text": "x"}).status_code == 403
    assert client.post(f"/vang-mat/{no_show.id}/xu-ly",
                       data={"csrf_token": token, "decision": "withdraw"}).status_code == 403


def test_a_resident_sees_a_no_show_on_the_tracking_page_and_contests_it(client, auth, db,
                                                                        scene):
    db.session.get(Enrollment, scene.seats[scene.lan.id].id).request_id = scene.request.id
    db.session.commit()
    _absent_volunteer(client, auth, scene)
    with client.session_transaction() as browser:
        browser["tracked_requests"] = [scene.request.id]
    page = client.get(f"/lich-hen/yeu-cau/{scene.request.id}")
    html = page.get_data(as_text=True)
    assert "Buổi này ghi nhận bạn vắng mặt." in html
    no_show = db.session.scalar(select(NoShow).where(NoShow.resident_id == scene.lan.id))
    response = client.post(f"/lich-hen/vang-mat/{no_show.id}/khieu-nai", data={
        "csrf_token": csrf_token_from(page), "request_id": scene.request.id,
        "text": "Tôi có đến nhưng quên ký"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(NoShow, no_show.id).status == NoShowStatus.CONTESTED
    assert "tổ trưởng đang xem xét" in client.get(
        f"/lich-hen/yeu-cau/{scene.request.id}").get_data(as_text=True)


def test_signing_in_again_corrects_an_earlier_absence(client, auth, db, scene):
    _absent_volunteer(client, auth, scene)
    auth.login(scene.leader.phone)
    page = client.get(f"/buoi/{scene.lesson.id}/diem-danh")
    assert page.status_code == 200
    client.post(f"/buoi/{scene.lesson.id}/diem-danh", data={
        "csrf_token": csrf_token_from(page),
        "present_seat": [s.id for s in scene.seats.values()],
        "present_volunteer": [scene.minh.volunteer_profile.id, scene.ha.volunteer_profile.id]})
    db.session.expire_all()
    assert all(o.attended for o in db.session.scalars(select(Outcome)))
    assert all(n.status == NoShowStatus.WITHDRAWN for n in db.session.scalars(select(NoShow)))
    assert db.session.scalar(select(Enrollment.status).where(
        Enrollment.resident_id == scene.lan.id)) == EnrollmentStatus.ENROLLED
