"""Group classes: a leader creates a weekly series, edits it, and fills it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import to_local
from app.models import (Consent, Enrollment, EnrollmentStatus, Gender, HelpRequest,
                        Place, RequestStatus, Resident, Session, SessionStatus)
from app.timeslots import COARSE_CHOICES
from tests.conftest import csrf_token_from
from tests.sessions_helpers import at, booked, messages, next_local_day

TUESDAY = 1


@pytest.fixture
def scene(make):
    ward = make.ward(name="Phường Hàng Gai")
    group = make.group(ward, name="Tổ dân phố số 3", community_house="Nhà văn hóa tổ 3")
    neighbour = make.group(ward, name="Tổ dân phố số 5")
    leader = make.leader(group, name="Lê Văn Tổ")
    zalo, bank, vneid = (make.topic("Zalo"), make.topic("Ngân hàng số"), make.topic("VNeID"))
    minh = make.volunteer("Trần Văn Minh", groups=[group])
    ha = make.volunteer("Phạm Thu Hà", wards=[ward], birth_year=2009)  # a student helper
    make.commit()
    return type("Scene", (), dict(ward=ward, group=group, neighbour=neighbour, leader=leader,
                                  zalo=zalo, bank=bank, vneid=vneid, minh=minh, ha=ha))


def class_data(scene, day, **overrides):
    data = {"group_id": scene.group.id, "title": "Cùng bà học dùng Zalo và ngân hàng số",
            "topic_ids": [scene.zalo.id, scene.bank.id], "place": "community_house",
            "place_name": "Nhà văn hóa tổ 3", "day": day.isoformat(), "starts": "9:00",
            "ends": "10:30", "capacity": 15, "lead_id": scene.minh.volunteer_profile.id,
            "helper_ids": [scene.ha.volunteer_profile.id], "weeks": 4}
    data.update(overrides)
    return data


def create(client, scene, day, **overrides):
    token = csrf_token_from(client.get(f"/lop-hoc/moi?group={scene.group.id}"))
    return client.post("/lop-hoc/moi", data={"csrf_token": token,
                                             **class_data(scene, day, **overrides)})


def sessions(db):
    db.session.expire_all()
    return db.session.scalars(select(Session).order_by(Session.starts_at)).all()


def test_a_leader_creates_a_weekly_class_for_four_weeks(client, auth, db, scene):
    auth.login(scene.leader.phone)
    page = client.get(f"/lop-hoc/moi?group={scene.group.id}").get_data(as_text=True)
    assert "Trần Văn Minh" in page and "Phạm Thu Hà" in page
    tuesday = next_local_day(TUESDAY)

    response = create(client, scene, tuesday)

    assert response.status_code == 303
    series = sessions(db)
    assert len(series) == 4 and len({s.series_id for s in series}) == 1
    assert series[0].series_id is not None
    for week, session in enumerate(series):
        local = to_local(session.starts_at)
        assert local.date() == tuesday + timedelta(days=7 * week)
        assert (local.hour, local.minute) == (9, 0)
        assert session.ends_at - session.starts_at == timedelta(hours=1, minutes=30)
        assert session.capacity == 15 and session.status == SessionStatus.CONFIRMED
        assert {t.id for t in session.topics} == {scene.zalo.id, scene.bank.id}
        assert len(session.volunteers) == 2
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Buổi 1/4 của chuỗi hằng tuần" in detail
    assert f"Thứ Ba, {tuesday.day}/{tuesday.month}/{tuesday.year}, 9:00–10:30" in detail
    assert {m.recipient_user_id for m in messages(db, "session_confirmed")} == {
        scene.minh.id, scene.ha.id}


def test_a_series_is_refused_as_a_whole_when_one_week_clashes(client, auth, make, db, scene):
    tuesday = next_local_day(TUESDAY)
    third = tuesday + timedelta(days=14)
    booked(make, scene.group, at(third, 10), at(third, 11), volunteers=[scene.minh],
           place_name="Hội trường phường")
    make.commit()
    auth.login(scene.leader.phone)
    response = create(client, scene, tuesday)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Thứ Ba, {third.day}/{third.month}/{third.year}: Anh/chị Minh đã có buổi 10:00–11:00" in html
    assert len(sessions(db)) == 1
    assert 'value="Cùng bà học dùng Zalo và ngân hàng số"' in html  # what was typed is kept


FORM_MISTAKES = [
    ({"title": ""}, "Vui lòng đặt tên cho lớp."),
    ({"topic_ids": []}, "Vui lòng chọn ít nhất một chủ đề."),
    ({"capacity": "0"}, "Số chỗ từ 1 đến 200."),
    ({"capacity": "mười"}, "Vui lòng nhập một số."),
    ({"weeks": "20"}, "Từ 1 đến 12 tuần."),
    ({"lead_id": "999999"}, "Vui lòng chọn trong danh sách."),
    ({"lead_id": "abc"}, "Vui lòng chọn trong danh sách."),
    ({"place": "other", "place_name": ""}, "Vui lòng nhập tên địa điểm."),
    ({"place": "home"}, "Vui lòng chọn địa điểm."),  # a class is never in someone's home
    ({"starts": "9 giờ"}, "Giờ chưa đúng"),
    ({"title": "x" * 201}, "Tối đa 200 ký tự."),
]


def test_class_form_mistakes_are_explained_in_vietnamese(client, auth, db, scene):
    auth.login(scene.leader.phone)
    for overrides, message in FORM_MISTAKES:
        response = create(client, scene, next_local_day(TUESDAY), **overrides)
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides
    assert sessions(db) == []


def test_a_leader_cannot_create_a_class_for_another_group(client, auth, make, db, scene):
    other = make.group(make.ward())
    make.commit()
    auth.login(scene.leader.phone)
    response = create(client, scene, next_local_day(TUESDAY), group_id=other.id)
    assert response.status_code == 422
    assert sessions(db) == []
    volunteer = make.volunteer("Ai Đó", groups=[scene.group])
    make.commit()
    auth.logout()
    auth.login(volunteer.phone)
    assert client.get("/lop-hoc/moi").status_code == 403


def _series(client, auth, scene, db):
    auth.login(scene.leader.phone)
    create(client, scene, next_local_day(TUESDAY))
    return sessions(db)


def edit(client, session, scene, scope, **overrides):
    page = client.get(f"/lop-hoc/{session.id}/sua")
    local = to_local(session.starts_at)
    data = class_data(scene, local.date(), **overrides)
    data.pop("weeks")
    return client.post(f"/lop-hoc/{session.id}/sua",
                       data={"csrf_token": csrf_token_from(page), "scope": scope, **data})


def test_editing_one_occurrence_leaves_the_rest_of_the_series(client, auth, db, scene):
    series = _series(client, auth, scene, db)
    second = series[1]
    response = edit(client, second, scene, "one", starts="14:00", ends="15:30",
                    title="Buổi bù: ngân hàng số")
    assert response.status_code == 303
    after = {s.id: s for s in sessions(db)}
    assert to_local(after[second.id].starts_at).hour == 14
    assert after[second.id].title == "Buổi bù: ngân hàng số"
    for other in (series[0], series[2], series[3]):
        assert to_local(after[other.id].starts_at).hour == 9
        assert after[other.id].title == "Cùng bà học dùng Zalo và ngân hàng số"


def test_editing_the_series_moves_this_and_later_occurrences(client, auth, db, scene):
    series = _series(client, auth, scene, db)
    second = series[1]
    old_days = [to_local(s.starts_at).date() for s in series]
    response = edit(client, second, scene, "series", starts="8:00", ends="10:00",
                    capacity=20, helper_ids=[])
    assert response.status_code == 303
    after = sessions(db)
    assert to_local(after[0].starts_at).hour == 9 and after[0].capacity == 15  # earlier: kept
    for session, day in zip(after[1:], old_days[1:]):
        local = to_local(session.starts_at)
        assert (local.date(), local.hour) == (day, 8)
        assert session.ends_at - session.starts_at == timedelta(hours=2)
        assert session.capacity == 20 and len(session.volunteers) == 1


def test_a_series_edit_that_clashes_in_a_later_week_changes_nothing(client, auth, make, db,
                                                                    scene):
    series = _series(client, auth, scene, db)
    last = to_local(series[3].starts_at).date()
    booked(make, scene.group, at(last, 14), at(last, 15), place_name="Nhà văn hóa tổ 3",
           title="Lớp VNeID")
    make.commit()
    response = edit(client, series[1], scene, "series", starts="14:00", ends="15:30")
    assert response.status_code == 422
    assert "Nhà văn hóa tổ 3 đã có lớp “Lớp VNeID” 14:00–15:00" in response.get_data(as_text=True)
    assert all(to_local(s.starts_at).hour == 9 for s in sessions(db) if s.series_id)


def test_capacity_cannot_drop_below_the_seats_taken(client, auth, make, db, scene):
    series = _series(client, auth, scene, db)
    for i in range(3):
        db.session.add(Enrollment(session_id=series[0].id,
                                  resident_id=make.resident(scene.group, name=f"Dân {i}").id))
    make.commit()
    response = edit(client, series[0], scene, "one", capacity=2)
    assert response.status_code == 422
    assert "Đã có 3 người có chỗ" in response.get_data(as_text=True)


def test_cancelling_the_rest_of_a_series_tells_everyone(client, auth, make, db, scene):
    series = _series(client, auth, scene, db)
    binh = make.resident(scene.group, name="Nguyễn Thị Bình")
    db.session.add(Enrollment(session_id=series[2].id, resident_id=binh.id))
    make.commit()
    page = client.get(f"/buoi/{series[1].id}/huy")
    assert "Buổi này và các buổi sau trong chuỗi" in page.get_data(as_text=True)
    response = client.post(f"/buoi/{series[1].id}/huy", data={
        "csrf_token": csrf_token_from(page), "reason": "Nhà văn hóa sửa chữa",
        "scope": "series"})
    assert response.status_code == 303
    statuses = [s.status for s in sessions(db)]
    assert statuses == [SessionStatus.CONFIRMED] + [SessionStatus.CANCELLED] * 3
    cancelled = messages(db, "session_cancelled")
    assert binh.id in {m.recipient_resident_id for m in cancelled}


# --- filling a class ------------------------------------------------------------------
@pytest.fixture
def waiting(make, scene):
    """Open requests: two in tổ 3 for Zalo, one in tổ 5 for banking, one for VNeID only."""
    lan = make.resident(scene.group, name="Đỗ Thị Lan", gender=Gender.FEMALE)
    hung = make.resident(scene.group, name="Trần Văn Hùng", gender=Gender.MALE)
    mai = make.resident(scene.neighbour, name="Lê Thị Mai", gender=Gender.FEMALE)
    duc = make.resident(scene.group, name="Phạm Văn Đức", gender=Gender.MALE)
    requests = {
        "lan": make.request(lan, topics=[scene.zalo]),
        "hung": make.request(hung, topics=[scene.zalo, scene.vneid]),
        "mai": make.request(mai, topics=[scene.bank]),
        "duc": make.request(duc, topics=[scene.vneid]),
    }
    make.commit()
    return requests


def test_filling_shows_the_groups_waiting_requests_then_the_wards(client, auth, make, db,
                                                                  scene, waiting):
    day = next_local_day(TUESDAY)
    session = booked(make, scene.group, at(day, 9), at(day, 10, 30), capacity=2,
                     topics=[scene.zalo, scene.bank], volunteers=[scene.minh])
    make.commit()
    auth.login(scene.leader.phone)
    html = client.get(f"/lop-hoc/{session.id}/moi-nguoi").get_data(as_text=True)
    assert html.index("Đỗ Thị Lan") < html.index("Trần Văn Hùng") < html.index("Bà M.")
    assert "Phạm Văn Đức" not in html  # VNeID only: not a topic of this class
    assert "Lê Thị Mai" not in html    # another group: masked for this leader


def test_only_those_whose_chosen_times_fit_the_class_are_ticked_in_advance(
        client, auth, make, db, scene, waiting):
    """Each waiting person's chosen times and place are shown; a Tuesday-morning class does
    not pre-tick someone who asked for weekday evenings (they may still be ticked by hand)."""
    waiting["hung"].preferred_times = COARSE_CHOICES["weekday_evening"][1]
    waiting["hung"].place = Place.COMMUNITY_HOUSE
    day = next_local_day(TUESDAY)
    session = booked(make, scene.group, at(day, 9), at(day, 10, 30), capacity=5,
                     topics=[scene.zalo], volunteers=[scene.minh])
    make.commit()
    auth.login(scene.leader.phone)
    html = client.get(f"/lop-hoc/{session.id}/moi-nguoi").get_data(as_text=True)

    def box(request_id):
        return next(tag for tag in html.split("<input")
                    if f'name="request_ids" value="{request_id}"' in tag)

    assert "checked" in box(waiting["lan"].id)
    assert "checked" not in box(waiting["hung"].id) and "disabled" not in box(waiting["hung"].id)
    hung = html[html.index("Trần Văn Hùng"):]
    assert hung.index("Tối ngày thường") < hung.index("Tại nhà văn hóa") < hung.index(
        "ngoài giờ người dân chọn")
    assert "Lúc nào cũng được · Tại nhà" in html  # Lan: any time, at home


def test_inviting_in_one_action_seats_up_to_capacity_and_queues_the_rest(
        client, auth, make, db, scene, waiting):
    day = next_local_day(TUESDAY)
    session = booked(make, scene.group, at(day, 9), at(day, 10, 30), capacity=2,
                     topics=[scene.zalo, scene.bank], volunteers=[scene.minh])
    make.commit()
    auth.login(scene.leader.phone)
    page = client.get(f"/lop-hoc/{session.id}/moi-nguoi")
    ids = [waiting[k].id for k in ("lan", "hung", "mai")]

    response = client.post(f"/lop-hoc/{session.id}/moi-nguoi", data={
        "csrf_token": csrf_token_from(page), "action": "invite", "request_ids": ids})

    assert response.status_code == 303
    db.session.expire_all()
    seats = {s.resident_id: s.status for s in db.session.scalars(select(Enrollment))}
    assert list(seats.values()).count(EnrollmentStatus.ENROLLED) == 2
    assert list(seats.values()).count(EnrollmentStatus.WAITING) == 1
    statuses = {r.id: r.status for r in db.session.scalars(select(HelpRequest))}
    assert sorted(statuses[i] for i in ids) == sorted(
        [RequestStatus.SCHEDULED, RequestStatus.SCHEDULED, RequestStatus.OPEN])
    assert len(messages(db, "session_proposed")) == 3
    html = client.get(f"/lop-hoc/{session.id}/moi-nguoi").get_data(as_text=True)
    assert "Đã có chỗ: 2/2" in html and "Danh sách chờ: 1" in html


def test_a_walk_in_takes_a_seat_with_consent_recorded(client, auth, make, db, scene):
    day = next_local_day(TUESDAY)
    session = booked(make, scene.group, at(day, 9), at(day, 10), capacity=1,
                     topics=[scene.zalo])
    make.commit()
    auth.login(scene.leader.phone)
    page = client.get(f"/lop-hoc/{session.id}/moi-nguoi")
    token = csrf_token_from(page)
    no_consent = client.post(f"/lop-hoc/{session.id}/moi-nguoi", data={
        "csrf_token": token, "action": "walk_in", "full_name": "Bùi Thị Hoa",
        "phone": "0912 000 111"}, headers={"HX-Request": "true"})
    assert no_consent.status_code == 422
    assert "Cần có sự đồng ý" in no_consent.get_data(as_text=True)
    assert 'value="Bùi Thị Hoa"' in no_consent.get_data(as_text=True)

    response = client.post(f"/lop-hoc/{session.id}/moi-nguoi", data={
        "csrf_token": token, "action": "walk_in", "full_name": "Bùi Thị Hoa",
        "phone": "0912 000 111", "consent": "y"})
    assert response.status_code == 303
    hoa = db.session.scalar(select(Resident).where(Resident.phone == "+84912000111"))
    assert hoa.group_id == scene.group.id and hoa.name_search == "bui thi hoa"
    assert db.session.scalar(select(Consent).where(Consent.resident_id == hoa.id)).method.value == "in_person"

    second = client.post(f"/lop-hoc/{session.id}/moi-nguoi", data={
        "csrf_token": token, "action": "walk_in", "full_name": "Ngô Văn Tư", "consent": "y"})
    assert second.status_code == 303
    db.session.expire_all()
    assert sorted(s.status.value for s in db.session.scalars(select(Enrollment))) == [
        "enrolled", "waiting"]


def test_removing_a_seat_moves_the_first_waiting_person_up(client, auth, make, db, scene):
    day = next_local_day(TUESDAY)
    session = booked(make, scene.group, at(day, 9), at(day, 10), capacity=1)
    first = make.resident(scene.group, name="Người Thứ Nhất")
    second = make.resident(scene.group, name="Người Thứ Hai")
    seat = Enrollment(session_id=session.id, resident_id=first.id)
    db.session.add_all([seat, Enrollment(session_id=session.id, resident_id=second.id,
                                         status=EnrollmentStatus.WAITING)])
    make.commit()
    auth.login(scene.leader.phone)
    page = client.get(f"/lop-hoc/{session.id}/moi-nguoi")

    response = client.post(f"/lop-hoc/{session.id}/cho/{seat.id}/huy",
                           data={"csrf_token": csrf_token_from(page)},
                           headers={"HX-Request": "true"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="roster"')
    assert "Đã có chỗ: 1/1" in html and "Danh sách chờ" not in html
    db.session.expire_all()
    assert db.session.scalar(select(Enrollment.status).where(
        Enrollment.resident_id == second.id)) == EnrollmentStatus.ENROLLED
    [message] = messages(db, "session_confirmed")
    assert message.recipient_resident_id == second.id
    assert message.context["from_waiting_list"] is True


def test_the_group_select_refreshes_the_volunteers_through_htmx(client, auth, make, scene):
    other_group = make.group(scene.ward, name="Tổ dân phố số 7")
    scene.leader.memberships.append(type(scene.leader.memberships[0])(
        role=scene.leader.memberships[0].role, group_id=other_group.id))
    only_there = make.volunteer("Ngô Văn Bảy", groups=[other_group])
    make.commit()
    auth.login(scene.leader.phone)
    page = client.get(f"/lop-hoc/moi?group={scene.group.id}")
    assert "Ngô Văn Bảy" not in page.get_data(as_text=True)
    response = client.post("/lop-hoc/moi?refresh=1", data={
        "csrf_token": csrf_token_from(page), "group_id": other_group.id, "title": "Lớp mới"},
        headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<form") and "Ngô Văn Bảy" in html
    assert 'value="Lớp mới"' in html and "Vui lòng" not in html
    assert only_there.volunteer_profile.id


def test_the_class_inline_check_names_the_busy_room(client, auth, make, scene):
    day = next_local_day(TUESDAY)
    booked(make, scene.group, at(day, 9), at(day, 10, 30), title="Lớp VNeID")
    make.commit()
    auth.login(scene.leader.phone)
    page = client.get(f"/lop-hoc/moi?group={scene.group.id}")
    response = client.post("/lop-hoc/moi?check=1", data={
        "csrf_token": csrf_token_from(page), **class_data(scene, day, starts="10:00",
                                                          ends="11:00", weeks=1)},
        headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'id="place-error"' in html
    assert "Nhà văn hóa tổ 3 đã có lớp “Lớp VNeID” 9:00–10:30" in html
