"""Leaders and officials: the directory of their volunteers, verification, revocation, pairing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.clock import today_local, utcnow
from app.models import (HelpRequest, OutboxMessage, Place, RequestStatus, SessionStatus,
                        SessionVolunteer, VolunteerProfile)
from app.privacy import can_see_personal_data
from tests.conftest import csrf_token_from
from tests.matching_helpers import neighbourhood

HTMX = {"HX-Request": "true"}


def messages(db, kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


# --- directory ----------------------------------------------------------------------------
def test_the_directory_lists_volunteers_of_my_areas_waiting_ones_first(client, auth, make):
    n = neighbourhood(make)
    make.volunteer("Trần Văn Minh", groups=[n.group3])
    make.volunteer("Vũ Đức Long", verified=False, wards=[n.ward])
    make.volunteer("Lê Văn Nam", groups=[n.group5])          # another group of the ward
    make.volunteer("Ngô Văn Xa", wards=[n.other_ward])       # another ward
    make.commit()

    auth.login(n.leader.phone)  # leader of tổ 3
    body = client.get("/tinh-nguyen-vien").get_data(as_text=True)
    assert body.index("Vũ Đức Long") < body.index("Trần Văn Minh")
    assert "Chờ xác minh (1)" in body
    assert "Lê Văn Nam" not in body and "Ngô Văn Xa" not in body
    auth.logout()

    auth.login(n.official.phone)  # official of the whole ward
    body = client.get("/tinh-nguyen-vien").get_data(as_text=True)
    assert "Lê Văn Nam" in body and "Ngô Văn Xa" not in body


def test_searching_the_directory_ignores_diacritics_and_answers_htmx_with_the_list(
        client, auth, make):
    n = neighbourhood(make)
    make.volunteer("Trần Văn Minh", groups=[n.group3])
    make.volunteer("Vũ Đức Long", groups=[n.group3])
    make.commit()
    auth.login(n.leader.phone)
    response = client.get("/tinh-nguyen-vien?q=tran+van+minh", headers=HTMX)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="results"')
    assert "Trần Văn Minh" in body and "Vũ Đức Long" not in body
    assert "HX-Request" in response.headers["Vary"]
    body = client.get("/tinh-nguyen-vien?trang-thai=cho-xac-minh").get_data(as_text=True)
    assert "Không có tình nguyện viên nào phù hợp." in body


def test_volunteers_cannot_open_the_directory(client, auth, make):
    n = neighbourhood(make)
    minh = make.volunteer(groups=[n.group3])
    make.commit()
    auth.login(minh.phone)
    assert client.get("/tinh-nguyen-vien").status_code == 403


# --- verification ---------------------------------------------------------------------------
def test_a_leader_who_met_the_volunteer_verifies_them(client, auth, make, db):
    n = neighbourhood(make)
    long = make.volunteer("Vũ Đức Long", verified=False, groups=[n.group3])
    make.commit()
    auth.login(n.leader.phone)
    response = client.get(f"/tinh-nguyen-vien/{long.volunteer_profile.id}")
    token = csrf_token_from(response)

    response = client.post(f"/tinh-nguyen-vien/{long.volunteer_profile.id}/xac-minh",
                           data={"csrf_token": token}, headers=HTMX)
    assert response.status_code == 422
    assert "Vui lòng xác nhận bạn đã gặp và xem giấy tờ." in response.get_data(as_text=True)

    response = client.post(f"/tinh-nguyen-vien/{long.volunteer_profile.id}/xac-minh",
                           data={"csrf_token": token, "seen_id": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    profile = db.session.get(VolunteerProfile, long.volunteer_profile.id)
    assert profile.is_verified and profile.verified_by_id == n.leader.id
    [done] = messages(db, "verification_done")
    assert done.recipient_user_id == long.id
    assert done.context["verified_by"] == "Nguyễn Văn Thắng"
    auth.logout()
    auth.login(long.phone)
    body = client.get("/tinh-nguyen-vien/ho-so").get_data(as_text=True)
    assert "Đã xác minh" in body and "bởi Nguyễn Văn Thắng" in body


def test_only_a_leader_or_official_of_the_volunteers_areas_may_verify(client, auth, make, db):
    n = neighbourhood(make)
    long = make.volunteer("Vũ Đức Long", verified=False, groups=[n.group5])
    make.commit()
    auth.login(n.leader.phone)  # leads tổ 3, not tổ 5
    assert client.get(f"/tinh-nguyen-vien/{long.volunteer_profile.id}").status_code == 403
    token = csrf_token_from(client.get("/tinh-nguyen-vien"))
    response = client.post(f"/tinh-nguyen-vien/{long.volunteer_profile.id}/xac-minh",
                           data={"csrf_token": token, "seen_id": "y"})
    assert response.status_code == 403
    auth.logout()
    auth.login(n.official.phone)  # the ward's official may
    token = csrf_token_from(client.get("/tinh-nguyen-vien"))
    response = client.post(f"/tinh-nguyen-vien/{long.volunteer_profile.id}/xac-minh",
                           data={"csrf_token": token, "seen_id": "y"})
    assert response.status_code == 303


def test_a_minor_is_verified_only_with_a_parents_or_schools_consent(client, auth, make, db):
    n = neighbourhood(make)
    lan = make.volunteer("Lê Thu Hà", verified=False, groups=[n.group3],
                         birth_year=today_local().year - 16)
    make.commit()
    auth.login(n.leader.phone)
    url = f"/tinh-nguyen-vien/{lan.volunteer_profile.id}"
    token = csrf_token_from(client.get(url))
    response = client.post(url + "/xac-minh", data={"csrf_token": token, "seen_id": "y"})
    assert response.status_code == 422
    assert "vui lòng ghi người đã đồng ý" in response.get_data(as_text=True)
    response = client.post(url + "/xac-minh", data={
        "csrf_token": token, "seen_id": "y", "guardian_consent_by": "Trường THPT Trần Phú",
        "guardian_consent_on": today_local().isoformat()})
    assert response.status_code == 303
    db.session.expire_all()
    profile = db.session.get(VolunteerProfile, lan.volunteer_profile.id)
    assert profile.is_verified and profile.guardian_consent_by == "Trường THPT Trần Phú"


# --- revocation -----------------------------------------------------------------------------
def test_revoking_takes_the_volunteer_off_what_is_ahead_and_tells_the_leader(
        client, auth, make, db):
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    me = minh.volunteer_profile.id
    future = make.session(n.group3, title="Lớp Zalo thứ Ba", volunteers=[minh],
                          starts_at=utcnow() + timedelta(days=3))
    past = make.session(n.group3, title="Lớp đã học", volunteers=[minh],
                        starts_at=utcnow() - timedelta(days=3), status=SessionStatus.DONE)
    cancelled = make.session(n.group3, title="Lớp đã hủy", volunteers=[minh],
                             starts_at=utcnow() + timedelta(days=4),
                             status=SessionStatus.CANCELLED)
    waiting = make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED,
                           volunteer_id=me, code="WAIT01")
    scheduled = make.request(n.binh, topics=[n.zalo], status=RequestStatus.SCHEDULED,
                             volunteer_id=me, code="SCHED1")
    make.commit()
    assert can_see_personal_data(minh, n.binh)

    auth.login(n.leader.phone)
    url = f"/tinh-nguyen-vien/{me}"
    token = csrf_token_from(client.get(url))
    response = client.post(url + "/thu-hoi", data={"csrf_token": token, "reason": ""},
                           headers=HTMX)
    assert response.status_code == 422 and "Vui lòng ghi lý do." in response.get_data(
        as_text=True)
    response = client.post(url + "/thu-hoi", data={
        "csrf_token": token, "reason": "Nhận tiền của người dân."})
    assert response.status_code == 303

    db.session.expire_all()
    profile = db.session.get(VolunteerProfile, me)
    assert not profile.is_verified and profile.revoked_by_id == n.leader.id
    on = {sv.session_id for sv in db.session.scalars(
        select(SessionVolunteer).where(SessionVolunteer.volunteer_id == me))}
    assert on == {past.id, cancelled.id}  # off the future one; history kept
    waiting = db.session.get(HelpRequest, waiting.id)
    assert waiting.status == RequestStatus.OPEN and waiting.volunteer_id is None
    scheduled = db.session.get(HelpRequest, scheduled.id)
    assert scheduled.status == RequestStatus.SCHEDULED and scheduled.volunteer_id is None
    [replace] = messages(db, "replacement_needed")
    assert replace.recipient_user_id == n.leader.id
    assert [s["title"] for s in replace.context["sessions"]] == ["Lớp Zalo thứ Ba"]
    assert {r["code"] for r in replace.context["requests"]} == {"WAIT01", "SCHED1"}
    assert replace.context["volunteer"] == "Trần Văn Minh"
    [revoked] = messages(db, "verification_revoked")
    assert revoked.recipient_user_id == minh.id
    assert not can_see_personal_data(db.session.get(VolunteerProfile, me).user, n.binh)
    body = client.get(url).get_data(as_text=True)
    assert "Đã thu hồi" in body and "Nhận tiền của người dân." in body

    auth.logout()
    auth.login(minh.phone)
    body = client.get("/yeu-cau-gan-ban").get_data(as_text=True)
    assert "Nhận hỗ trợ" not in body and "Nguyễn Thị Bình" not in body


def test_revoking_an_adult_partner_unpairs_the_minor_and_reopens_their_home_visits(make, db):
    from app.volunteers.services import revoke_verification
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", groups=[n.group3])
    lan = make.volunteer("Lê Thu Hà", groups=[n.group3], birth_year=today_local().year - 16)
    lan.volunteer_profile.adult_partner_id = minh.volunteer_profile.id
    visit = make.request(n.binh, place=Place.HOME, status=RequestStatus.ASSIGNED,
                         volunteer_id=lan.volunteer_profile.id,
                         companion_volunteer_id=minh.volunteer_profile.id)
    make.commit()

    result = revoke_verification(minh.volunteer_profile, n.leader, "Chuyển công tác.")
    db.session.commit()

    assert [m.id for m in result.unpaired_minors] == [lan.volunteer_profile.id]
    db.session.expire_all()
    assert db.session.get(VolunteerProfile, lan.volunteer_profile.id).adult_partner_id is None
    visit = db.session.get(HelpRequest, visit.id)
    assert visit.status == RequestStatus.OPEN
    assert visit.volunteer_id is None and visit.companion_volunteer_id is None


def test_verifying_again_after_a_revocation_reinstates_the_volunteer(make, db):
    from app.volunteers.services import revoke_verification, verify_volunteer
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", groups=[n.group3])
    make.commit()
    revoke_verification(minh.volunteer_profile, n.leader, "Nhầm lẫn.")
    db.session.commit()
    verify_volunteer(minh.volunteer_profile, n.official)
    db.session.commit()
    db.session.expire_all()
    profile = db.session.get(VolunteerProfile, minh.volunteer_profile.id)
    assert profile.is_verified and profile.revoked_at is None
    assert profile.verified_by_id == n.official.id


# --- pairing a minor with an adult ---------------------------------------------------------------
def test_a_leader_pairs_a_minor_with_an_adult_for_home_visits(client, auth, make, db):
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", groups=[n.group3])
    make.volunteer("Vũ Đức Long", groups=[n.group3], verified=False)
    lan = make.volunteer("Lê Thu Hà", topics=[n.zalo], groups=[n.group3],
                         birth_year=today_local().year - 16)
    lan.volunteer_profile.guardian_consent_by = "Lê Văn Tuấn (bố)"
    lan.volunteer_profile.guardian_consent_on = today_local()
    make.commit()
    auth.login(n.leader.phone)
    url = f"/tinh-nguyen-vien/{lan.volunteer_profile.id}"
    response = client.get(url)
    body = response.get_data(as_text=True)
    assert "Ghép cặp khi đến nhà người dân" in body
    assert "Trần Văn Minh" in body and "Vũ Đức Long" not in body.split('id="partner"')[1]

    response = client.post(url + "/nguoi-di-cung", data={
        "csrf_token": csrf_token_from(response), "partner": str(lan.volunteer_profile.id)})
    assert response.status_code == 422  # not an offered choice
    response = client.post(url + "/nguoi-di-cung", data={
        "csrf_token": csrf_token_from(response), "partner": str(minh.volunteer_profile.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(VolunteerProfile, lan.volunteer_profile.id).adult_partner_id == \
        minh.volunteer_profile.id
