"""Leaders and officials see the open requests of their groups and open each one."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.models import AuditEvent, Gender, HelpRequest, RequestStatus
from tests.conftest import csrf_token_from
from tests.requests_helpers import HX, neighbourhood, text


@pytest.fixture
def n(make):
    return neighbourhood(make)


@pytest.fixture
def requests(make, n):
    """Two waiting requests in tổ 3 (one for 9 days), one taken, one in tổ 5, one elsewhere."""
    now = utcnow()
    binh = make.resident(n.group, name="Nguyễn Thị Bình", gender=Gender.FEMALE)
    mai = make.resident(n.group, name="Lê Thị Mai", gender=Gender.FEMALE)
    duc = make.resident(n.other_group, name="Phạm Văn Đức", gender=Gender.MALE)
    hanh = make.resident(n.far_group, name="Ngô Thị Hạnh", gender=Gender.FEMALE)
    minh = make.volunteer("Trần Văn Minh", groups=[n.group])
    made = {
        "binh": make.request(binh, topics=[n.banking], code="BBB222",
                             created_at=now - timedelta(hours=5)),
        "mai": make.request(mai, topics=[n.zalo], code="MMM333", created_at=now - timedelta(days=9),
                            created_by_id=n.leader.id),
        "taken": make.request(mai, topics=[n.banking], code="TTT444",
                              status=RequestStatus.ASSIGNED,
                              volunteer_id=minh.volunteer_profile.id),
        "duc": make.request(duc, topics=[n.zalo], code="DDD555"),
        "hanh": make.request(hanh, topics=[n.zalo], code="HHH666"),
        "done": make.request(binh, topics=[n.zalo], code="XXX777", status=RequestStatus.DONE),
    }
    made["minh"] = minh
    make.commit()
    return made


def test_a_leader_sees_the_waiting_requests_of_their_group_longest_waiting_first(
        client, auth, n, requests):
    auth.login(n.leader.phone)
    response = client.get("/yeu-cau-cua-to")
    html = text(response)
    assert response.status_code == 200
    assert html.index("MMM333") < html.index("BBB222")
    assert "9 ngày" in html and "5 giờ" in html
    assert 'class="tag tag-warn">9 ngày' in html  # a long wait stands out
    assert "Nguyễn Thị Bình" in html and "Lê Thị Mai" in html
    assert "nhập thay" in html
    for other in ("DDD555", "HHH666", "TTT444", "XXX777"):
        assert other not in html
    assert "Đang chờ: 2 · Đã có người nhận: 1" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_taken_requests_are_one_filter_away_and_htmx_swaps_only_the_list(
        client, auth, n, requests):
    auth.login(n.leader.phone)
    response = client.get("/yeu-cau-cua-to?trang-thai=in_progress", headers=HX)
    html = text(response)
    assert "<html" not in html and html.strip().startswith('<section id="queue-results"')
    assert "TTT444" in html and "BBB222" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_an_official_sees_every_group_of_the_ward_and_can_narrow_to_one(
        client, auth, make, n, requests):
    official = make.official(n.ward)
    make.commit()
    auth.login(official.phone)
    html = text(client.get("/yeu-cau-cua-to"))
    assert "MMM333" in html and "DDD555" in html and "HHH666" not in html
    narrowed = text(client.get(f"/yeu-cau-cua-to?to={n.other_group.id}"))
    assert "DDD555" in narrowed and "MMM333" not in narrowed


def test_a_group_outside_the_leaders_area_is_refused(client, auth, n, requests):
    auth.login(n.leader.phone)
    assert client.get(f"/yeu-cau-cua-to?to={n.far_group.id}").status_code == 403


def test_the_queue_is_for_leaders_and_officials_only(client, auth, n, requests):
    assert client.get("/yeu-cau-cua-to").status_code == 302
    auth.login(requests["minh"].phone)
    assert client.get("/yeu-cau-cua-to").status_code == 403


def test_a_long_queue_is_paged(client, auth, make, n):
    resident = make.resident(n.group)
    topics = [make.topic(f"Chủ đề {i}") for i in range(30)]
    for i, topic in enumerate(topics):
        make.request(resident, topics=[topic], code=f"Q{i:05d}",
                     created_at=utcnow() - timedelta(hours=100 - i))
    make.commit()
    auth.login(n.leader.phone)
    first = text(client.get("/yeu-cau-cua-to"))
    assert "Q00000" in first and "Q00024" in first and "Q00025" not in first
    assert "Trang 1 / 2" in first and "trang=2" in first
    second = text(client.get("/yeu-cau-cua-to?trang=2", headers=HX))
    assert "Q00025" in second and "Q00029" in second and "Q00000" not in second


# --- one request ---------------------------------------------------------------------------------
def test_a_leader_opens_a_request_with_the_residents_contact_and_it_is_audited(
        client, auth, db, n, requests):
    auth.login(n.leader.phone)
    req = requests["binh"]
    response = client.get(f"/yeu-cau/{req.id}")
    html = text(response)
    assert response.status_code == 200
    assert "Nguyễn Thị Bình" in html and req.resident.phone[-3:] in html
    assert f'href="/nguoi-dan/{req.resident_id}"' in html
    assert "Người dân (hoặc người nhà) tự gửi" in html
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "view" and event.subject == f"request:{req.id}"
    assert event.actor_id == n.leader.id and event.resident_id == req.resident_id


def test_the_assigned_volunteer_opens_their_request(client, auth, n, requests):
    auth.login(requests["minh"].phone)
    html = text(client.get(f"/yeu-cau/{requests['taken'].id}"))
    assert "Lê Thị Mai" in html  # verified and assigned: may see the contact
    assert "/nguoi-dan/" not in html  # the record is for leaders


def test_a_waiting_request_shows_the_leader_the_next_step(client, auth, make, n, requests):
    """Give it to a volunteer (the ranked suggestions), invite it into a coming class of the
    group, or open a class for it: each one tap from the request."""
    soon = make.session(n.group, title="Zalo cho người cao tuổi", capacity=2,
                        starts_at=(utcnow() + timedelta(days=3)).replace(microsecond=0))
    make.session(n.group, title="Lớp đã qua",
                 starts_at=(utcnow() - timedelta(days=3)).replace(microsecond=0))
    make.session(n.other_group, title="Lớp tổ khác")
    make.commit()
    auth.login(n.leader.phone)
    req = requests["mai"]
    html = text(client.get(f"/yeu-cau/{req.id}"))
    assert f'href="/ghep-cap/yeu-cau/{req.id}"' in html and "Giao cho tình nguyện viên" in html
    assert f'href="/lop-hoc/{soon.id}/moi-nguoi"' in html and "còn 2 chỗ" in html
    assert "Lớp đã qua" not in html and "Lớp tổ khác" not in html
    assert f"/lop-hoc/moi?group={n.group.id}&amp;topic={n.zalo.id}" in html
    assert "Hẹn lịch" not in html
    for link in (f"/ghep-cap/yeu-cau/{req.id}", f"/lop-hoc/{soon.id}/moi-nguoi",
                 f"/lop-hoc/moi?group={n.group.id}&topic={n.zalo.id}"):
        assert client.get(link).status_code == 200


def test_a_taken_request_without_a_time_offers_to_set_one(client, auth, n, requests):
    taken = requests["taken"]
    for person in (n.leader, requests["minh"]):
        auth.login(person.phone)
        html = text(client.get(f"/yeu-cau/{taken.id}"))
        assert f'href="/buoi/de-xuat?request_id={taken.id}"' in html and "Hẹn lịch" in html
        assert "Giao cho tình nguyện viên" not in html
        assert client.get(f"/buoi/de-xuat?request_id={taken.id}").status_code == 200
        auth.logout()


@pytest.mark.parametrize("who", ["other_leader", "volunteer", "far_official"])
def test_others_cannot_open_the_request(client, auth, make, n, requests, who):
    person = {
        "other_leader": lambda: make.leader(n.other_group),
        "volunteer": lambda: requests["minh"],
        "far_official": lambda: make.official(n.far_group.ward),
    }[who]()
    make.commit()
    auth.login(person.phone)
    assert client.get(f"/yeu-cau/{requests['binh'].id}").status_code == 403


def test_an_unknown_request_is_not_found(client, auth, n, requests):
    auth.login(n.leader.phone)
    assert client.get("/yeu-cau/999999").status_code == 404


def test_a_leader_cancels_a_request_with_a_reason(client, auth, db, n, requests):
    auth.login(n.leader.phone)
    req = requests["binh"]
    token = csrf_token_from(client.get(f"/yeu-cau/{req.id}"))
    response = client.post(f"/yeu-cau/{req.id}/huy",
                           data={"csrf_token": token, "reason": "Bà đã chuyển nhà"})
    assert response.status_code == 303
    db.session.expire_all()
    req = db.session.get(HelpRequest, req.id)
    assert req.status == RequestStatus.CANCELLED and req.cancel_reason == "Bà đã chuyển nhà"
    assert "Đã hủy yêu cầu BBB222." in text(client.get(f"/yeu-cau/{req.id}"))


def test_a_volunteer_cannot_cancel_a_request(client, auth, db, n, requests):
    auth.login(requests["minh"].phone)
    req = requests["taken"]
    token = csrf_token_from(client.get(f"/yeu-cau/{req.id}"))
    assert client.post(f"/yeu-cau/{req.id}/huy", data={"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert db.session.get(HelpRequest, req.id).status == RequestStatus.ASSIGNED
