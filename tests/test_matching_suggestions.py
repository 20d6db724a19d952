"""Leaders see ranked suggestions with reasons for an open request and assign in one tap."""
from __future__ import annotations

from sqlalchemy import select

from app.models import HelpRequest, OutboxMessage, RequestStatus
from tests.conftest import csrf_token_from
from tests.matching_helpers import SATURDAY_MORNING, done_sessions, neighbourhood

HTMX = {"HX-Request": "true"}


def test_a_leader_sees_eligible_volunteers_ranked_with_their_reasons(client, auth, make):
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3],
                          availability=SATURDAY_MORNING)
    done_sessions(make, n.group3, minh, n.zalo, 12)
    make.volunteer("Vũ Đức Long", topics=[n.zalo], wards=[n.ward])
    make.volunteer("Lê Văn Nam", topics=[n.zalo], groups=[n.group3], verified=False)
    make.volunteer("Ngô Văn Xa", topics=[n.zalo], wards=[n.other_ward])
    request = make.request(n.binh, topics=[n.zalo], preferred_times=SATURDAY_MORNING)
    make.commit()
    auth.login(n.leader.phone)

    body = client.get(f"/ghep-cap/yeu-cau/{request.id}").get_data(as_text=True)

    assert "Nguyễn Thị Bình" in body  # the leader of tổ 3 may see her name
    assert body.index("Trần Văn Minh") < body.index("Vũ Đức Long")
    assert "cùng tổ · rảnh sáng thứ Bảy · đã dạy Zalo 12 lần · 0/3 buổi tuần này" in body
    assert "Gần: 30 · Thời gian: 5 · Kinh nghiệm: 20 · Còn trống: 20" in body
    assert "Lê Văn Nam — Tình nguyện viên này chưa được xác minh." in body
    assert "Ngô Văn Xa" not in body  # serves another ward


def test_one_tap_assign_gives_the_request_and_tells_the_volunteer_and_resident(
        client, auth, make, db):
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo], code="BINH7K")
    make.commit()
    auth.login(n.leader.phone)
    url = f"/ghep-cap/yeu-cau/{request.id}"
    token = csrf_token_from(client.get(url))

    response = client.post(url + "/giao", headers=HTMX, data={
        "csrf_token": token, "volunteer_id": str(minh.volunteer_profile.id)})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="suggestions"')
    assert "Đã giao yêu cầu BINH7K cho Trần Văn Minh" in body
    assert "Yêu cầu đã được giao cho Trần Văn Minh." in body
    db.session.expire_all()
    request = db.session.get(HelpRequest, request.id)
    assert request.status == RequestStatus.ASSIGNED
    assert request.volunteer_id == minh.volunteer_profile.id
    told = db.session.execute(select(OutboxMessage.recipient_user_id,
                                     OutboxMessage.recipient_resident_id)
                              .where(OutboxMessage.kind == "volunteer_assigned")).all()
    assert set(told) == {(minh.id, None), (None, n.binh.id)}


def test_assigning_someone_who_does_not_fit_is_refused_with_the_reason(client, auth, make, db):
    n = neighbourhood(make)
    nam = make.volunteer("Lê Văn Nam", topics=[n.bank], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo])
    make.commit()
    auth.login(n.leader.phone)
    url = f"/ghep-cap/yeu-cau/{request.id}"
    token = csrf_token_from(client.get(url))
    response = client.post(url + "/giao", headers=HTMX, data={
        "csrf_token": token, "volunteer_id": str(nam.volunteer_profile.id)})
    assert response.status_code == 409
    assert "không hướng dẫn chủ đề của yêu cầu" in response.get_data(as_text=True)
    response = client.post(url + "/giao", data={"csrf_token": token, "volunteer_id": "abc"})
    assert response.status_code == 422
    response = client.post(url + "/giao", data={"csrf_token": token, "volunteer_id": "999999"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).status == RequestStatus.OPEN


def test_suggestions_stay_within_the_leaders_groups(client, auth, make):
    n = neighbourhood(make)
    hung = make.resident(n.group5, name="Trần Văn Hùng")
    request = make.request(hung, topics=[n.zalo])
    minh = make.volunteer(topics=[n.zalo], groups=[n.group5])
    make.commit()
    auth.login(n.leader.phone)  # leads tổ 3 only
    assert client.get(f"/ghep-cap/yeu-cau/{request.id}").status_code == 403
    auth.logout()
    auth.login(minh.phone)
    assert client.get(f"/ghep-cap/yeu-cau/{request.id}").status_code == 403
