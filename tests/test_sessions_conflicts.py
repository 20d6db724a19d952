"""No volunteer, no room and no resident is ever booked twice at the same time."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.models import (Enrollment, EnrollmentStatus, Gender, HelpRequest, Place, Session,
                        SessionKind, SessionStatus, User)
from app.sessions import services
from app.refusal import Refusal
from app.sessions.checks import find_conflicts, place_key
from app.sessions.seats import enroll
from tests.sessions_helpers import assigned_request, at, booked, next_local_day

TUESDAY = 1


@pytest.fixture
def tuesday():
    return next_local_day(TUESDAY)


@pytest.fixture
def group(make):
    return make.group(make.ward(name="Phường Hàng Gai"), name="Tổ dân phố số 3",
                      community_house="Nhà văn hóa tổ 3")


OVERLAPS = [
    ((9, 0), (10, 30), True, "the same slot"),
    ((10, 0), (11, 0), True, "starts inside"),
    ((8, 0), (9, 30), True, "ends inside"),
    ((8, 0), (12, 0), True, "covers it"),
    ((9, 30), (10, 0), True, "inside it"),
    ((10, 30), (11, 30), False, "touches its end"),
    ((8, 0), (9, 0), False, "touches its start"),
    ((14, 0), (15, 0), False, "later the same day"),
]


def test_a_volunteer_is_never_in_two_overlapping_sessions(app, make, group, tuesday):
    minh = make.volunteer("Trần Văn Minh", groups=[group])
    booked(make, group, at(tuesday, 9), at(tuesday, 10, 30), volunteers=[minh])
    make.commit()
    with app.test_request_context():
        for start, end, clash, case in OVERLAPS:
            found = find_conflicts(at(tuesday, *start), at(tuesday, *end),
                                   volunteers=[minh.volunteer_profile])
            assert bool(found) is clash, case
            if clash:
                assert found[0].message == ("Anh/chị Minh đã có buổi 9:00–10:30 "
                                            "tại Nhà văn hóa tổ 3"), case


def test_edge_touching_classes_9_to_10_and_10_to_11_do_not_conflict(app, make, group, tuesday):
    minh = make.volunteer(groups=[group])
    booked(make, group, at(tuesday, 9), at(tuesday, 10), volunteers=[minh])
    make.commit()
    with app.test_request_context():
        assert find_conflicts(at(tuesday, 10), at(tuesday, 11), volunteers=[
            minh.volunteer_profile], place=place_key(group.ward_id, "Nhà văn hóa tổ 3")) == []


def test_a_place_never_hosts_two_overlapping_classes_whatever_the_spelling(app, make, group,
                                                                           tuesday):
    booked(make, group, at(tuesday, 9), at(tuesday, 10, 30), title="Cùng bà học Zalo")
    make.commit()
    with app.test_request_context():
        same_room = place_key(group.ward_id, "  nha van hoa TO 3 ")
        [conflict] = find_conflicts(at(tuesday, 10), at(tuesday, 11), place=same_room)
        assert conflict.message == "Nhà văn hóa tổ 3 đã có lớp “Cùng bà học Zalo” 9:00–10:30"
        assert find_conflicts(at(tuesday, 10), at(tuesday, 11),
                              place=place_key(group.ward_id, "Hội trường phường")) == []
        # Another ward's hall with the same name is another room.
        assert find_conflicts(at(tuesday, 10), at(tuesday, 11),
                              place=place_key(group.ward_id + 1000, "Nhà văn hóa tổ 3")) == []


def test_a_one_to_one_at_the_community_house_does_not_block_the_room(app, make, group, tuesday):
    booked(make, group, at(tuesday, 9), at(tuesday, 10), kind=SessionKind.ONE_TO_ONE,
           capacity=1)
    make.commit()
    with app.test_request_context():
        assert find_conflicts(at(tuesday, 9), at(tuesday, 10),
                              place=place_key(group.ward_id, "Nhà văn hóa tổ 3")) == []


def test_cancelled_sessions_free_their_people_and_rooms(app, make, group, tuesday):
    minh = make.volunteer(groups=[group])
    booked(make, group, at(tuesday, 9), at(tuesday, 10), volunteers=[minh],
           status=SessionStatus.CANCELLED)
    make.commit()
    with app.test_request_context():
        assert find_conflicts(at(tuesday, 9), at(tuesday, 10), volunteers=[minh.volunteer_profile],
                              place=place_key(group.ward_id, "Nhà văn hóa tổ 3")) == []


def test_a_resident_is_not_booked_twice_at_the_same_time(app, make, db, group, tuesday):
    binh = make.resident(group, name="Nguyễn Thị Bình", gender=Gender.FEMALE)
    zalo = booked(make, group, at(tuesday, 9), at(tuesday, 10, 30), place_name="Phòng A")
    bank = booked(make, group, at(tuesday, 10), at(tuesday, 11), place_name="Phòng B")
    later = booked(make, group, at(tuesday, 10, 30), at(tuesday, 11, 30), place_name="Phòng C")
    make.commit()
    with app.test_request_context():
        enroll(zalo, binh)
        with pytest.raises(Refusal) as refused:
            enroll(bank, binh)
        assert "Bà B. đã có lịch 9:00–10:30 tại Phòng A" in refused.value.message
        assert enroll(later, binh).status == EnrollmentStatus.ENROLLED  # touching is fine
        db.session.commit()


def test_a_resident_on_a_waiting_list_is_not_booked_elsewhere_at_that_time(app, make, db,
                                                                          group, tuesday):
    full = booked(make, group, at(tuesday, 9), at(tuesday, 10), capacity=0, place_name="A")
    other = booked(make, group, at(tuesday, 9), at(tuesday, 10), place_name="B")
    binh = make.resident(group)
    make.commit()
    with app.test_request_context():
        assert enroll(full, binh).status == EnrollmentStatus.WAITING
        with pytest.raises(Refusal):
            enroll(other, binh)


def test_a_new_class_is_refused_where_the_room_or_the_volunteer_is_taken(
        client, auth, make, db, group, tuesday):
    from tests.conftest import csrf_token_from

    leader = make.leader(group)
    topic = make.topic("Ngân hàng số")
    minh = make.volunteer("Trần Văn Minh", groups=[group])
    lan = make.volunteer("Đỗ Thị Lan", groups=[group])
    booked(make, group, at(tuesday, 9), at(tuesday, 10, 30), volunteers=[minh],
           title="Cùng bà học Zalo")
    make.commit()
    auth.login(leader.phone)
    token = csrf_token_from(client.get(f"/lop-hoc/moi?group={group.id}"))
    data = {"csrf_token": token, "group_id": group.id, "title": "Ngân hàng số cho ông bà",
            "topic_ids": [topic.id], "place": "community_house", "place_name": "Nhà văn hóa tổ 3",
            "day": tuesday.isoformat(), "starts": "10:00", "ends": "11:00", "capacity": 10,
            "lead_id": minh.volunteer_profile.id, "weeks": 1}

    response = client.post("/lop-hoc/moi", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Anh/chị Minh đã có buổi 9:00–10:30 tại Nhà văn hóa tổ 3" in html
    assert "Nhà văn hóa tổ 3 đã có lớp “Cùng bà học Zalo” 9:00–10:30" in html
    assert db.session.scalar(select(func.count()).select_from(Session)) == 1

    moved = client.post("/lop-hoc/moi", data={**data, "starts": "10:30", "ends": "11:30"})
    assert moved.status_code == 303  # touching the first class is fine
    other_volunteer = client.post("/lop-hoc/moi", data={
        **data, "starts": "10:30", "ends": "11:30", "place_name": "Hội trường phường",
        "lead_id": lan.volunteer_profile.id})
    assert other_volunteer.status_code == 303


def test_two_proposals_for_one_volunteer_at_the_same_moment_give_one_session(app, make, group,
                                                                             tuesday):
    """Two requests, one volunteer, the same hour, proposed concurrently: exactly one wins."""
    minh = make.volunteer("Trần Văn Minh", groups=[group])
    requests = [assigned_request(make, make.resident(group, name=f"Người Dân {i}"), minh)
                for i in range(2)]
    user_id, request_ids = minh.id, [r.id for r in requests]
    make.commit()
    barrier = threading.Barrier(len(request_ids))
    outcomes: list[str] = []

    def propose(request_id):
        with app.app_context(), app.test_request_context():
            barrier.wait()  # both start their transaction at the same moment
            user = _db.session.get(User, user_id)
            help_request = _db.session.get(HelpRequest, request_id)
            try:
                services.propose_session(user, help_request, at(tuesday, 9), at(tuesday, 10),
                                         Place.REMOTE)
                _db.session.commit()
                outcomes.append("ok")
            except Refusal:
                _db.session.rollback()
                outcomes.append("refused")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=propose, args=(rid,)) for rid in request_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused"]
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count()).select_from(Session)) == 1
    assert _db.session.scalar(select(func.count()).select_from(Enrollment)) == 1


def test_every_class_carries_its_room_identity_however_it_was_written(app, make, db, group,
                                                                      tuesday):
    """Classes written elsewhere (demo data, other areas) are still seen as using the room."""
    lesson = make.session(group, starts_at=at(tuesday, 9), place_name="Nhà Văn Hóa  Tổ 3")
    visit = make.session(group, starts_at=at(tuesday, 9), kind=SessionKind.ONE_TO_ONE,
                         place=Place.HOME, place_name=None)
    make.commit()
    assert lesson.place_key == place_key(group.ward_id, "nha van hoa to 3")
    assert visit.place_key is None
    lesson.place_name = "Hội trường phường"
    db.session.commit()
    assert lesson.place_key == place_key(group.ward_id, "Hoi truong phuong")
