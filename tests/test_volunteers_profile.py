"""A volunteer edits their own profile: what, where, when, how much, and a pause."""
from __future__ import annotations

import pytest

from datetime import timedelta

from app.clock import today_local
from app.models import VolunteerKind, VolunteerProfile
from app.timeslots import bit
from tests.conftest import csrf_token_from
from tests.matching_helpers import neighbourhood


def form_data(token, n, **changes):
    data = {
        "csrf_token": token, "kind": "teacher", "organisation": "Trường THCS Trưng Vương",
        "birth_year": "1985", "zalo": "0901 000 006", "topics": [str(n.zalo.id), str(n.bank.id)],
        "availability": ["5-0", "6-0", "2-2"], "areas": [f"g{n.group3.id}", f"w{n.other_ward.id}"],
        "weekly_capacity": "2", "paused_until": "", "guardian_consent_by": "",
        "guardian_consent_on": "",
    }
    data.update(changes)
    return data


def test_a_volunteer_saves_topics_weekly_times_areas_capacity_and_zalo(client, auth, make, db):
    n = neighbourhood(make)
    long = make.volunteer("Vũ Đức Long", verified=False, topics=[], availability=0)
    make.commit()
    auth.login(long.phone)
    response = client.get("/tinh-nguyen-vien/ho-so")
    assert response.status_code == 200
    assert "Chờ xác minh" in response.get_data(as_text=True)

    response = client.post("/tinh-nguyen-vien/ho-so",
                           data=form_data(csrf_token_from(response), n))

    assert response.status_code == 303
    db.session.expire_all()
    profile = db.session.get(VolunteerProfile, long.volunteer_profile.id)
    assert profile.kind == VolunteerKind.TEACHER
    assert profile.organisation == "Trường THCS Trưng Vương" and profile.zalo == "0901 000 006"
    assert {t.id for t in profile.topics} == {n.zalo.id, n.bank.id}
    assert profile.availability == bit(5, 0) | bit(6, 0) | bit(2, 2)
    assert {(a.group_id, a.ward_id) for a in profile.areas} == {(n.group3.id, None),
                                                               (None, n.other_ward.id)}
    assert profile.weekly_capacity == 2 and profile.paused_until is None
    body = client.get("/tinh-nguyen-vien/ho-so").get_data(as_text=True)
    assert 'value="5-0" aria-label="sáng Thứ Bảy" checked' in body  # shown back as ticked


def test_mistakes_are_shown_beside_the_fields_and_what_was_typed_is_kept(client, auth, make):
    n = neighbourhood(make)
    long = make.volunteer("Vũ Đức Long", verified=False)
    make.commit()
    auth.login(long.phone)
    token = csrf_token_from(client.get("/tinh-nguyen-vien/ho-so"))

    response = client.post("/tinh-nguyen-vien/ho-so", data=form_data(
        token, n, topics=[], availability=[], areas=[], weekly_capacity="99",
        zalo="Long Zalo", paused_until="hôm qua", birth_year="abc"))

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Vui lòng chọn ít nhất một chủ đề.",
                    "Vui lòng chọn ít nhất một buổi rảnh trong tuần.",
                    "Vui lòng chọn ít nhất một tổ dân phố hoặc phường.",
                    "Số buổi mỗi tuần từ 1 đến 20.", "Ngày chưa đúng.", "Vui lòng nhập một số."):
        assert message in body
    assert 'value="Long Zalo"' in body and 'value="99"' in body


def test_with_htmx_an_invalid_profile_returns_only_the_form(client, auth, make):
    n = neighbourhood(make)
    long = make.volunteer("Vũ Đức Long", verified=False)
    make.commit()
    auth.login(long.phone)
    token = csrf_token_from(client.get("/tinh-nguyen-vien/ho-so"))
    response = client.post("/tinh-nguyen-vien/ho-so", headers={"HX-Request": "true"},
                           data=form_data(token, n, topics=[]))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="profile-form"')
    assert "<html" not in body and "HX-Request" in response.headers["Vary"]


def test_after_verification_the_birth_year_is_what_the_leader_saw(client, auth, make, db):
    n = neighbourhood(make)
    lan = make.volunteer("Lê Thu Hà", birth_year=today_local().year - 16)
    lan.volunteer_profile.guardian_consent_by = "Lê Văn Tuấn (bố)"
    lan.volunteer_profile.guardian_consent_on = today_local()
    make.commit()
    auth.login(lan.phone)
    response = client.get("/tinh-nguyen-vien/ho-so")
    assert 'name="birth_year"' not in response.get_data(as_text=True)
    response = client.post("/tinh-nguyen-vien/ho-so", data=form_data(
        csrf_token_from(response), n, birth_year="1990", guardian_consent_by="Không ai"))
    assert response.status_code == 303
    db.session.expire_all()
    profile = db.session.get(VolunteerProfile, lan.volunteer_profile.id)
    assert profile.birth_year == today_local().year - 16
    assert profile.guardian_consent_by == "Lê Văn Tuấn (bố)"


@pytest.mark.clock
def test_a_minor_records_who_consented_and_when(client, auth, make, db):
    n = neighbourhood(make)
    lan = make.volunteer("Lê Thu Hà", verified=False)
    make.commit()
    auth.login(lan.phone)
    token = csrf_token_from(client.get("/tinh-nguyen-vien/ho-so"))
    year = str(today_local().year - 16)
    response = client.post("/tinh-nguyen-vien/ho-so", data=form_data(
        token, n, birth_year=year, guardian_consent_by="Lê Văn Tuấn (bố)"))
    assert response.status_code == 422
    assert "Vui lòng nhập ngày đồng ý." in response.get_data(as_text=True)
    response = client.post("/tinh-nguyen-vien/ho-so", data=form_data(
        token, n, birth_year=year, guardian_consent_by="Lê Văn Tuấn (bố)",
        guardian_consent_on=today_local().isoformat()))
    assert response.status_code == 303
    db.session.expire_all()
    profile = db.session.get(VolunteerProfile, lan.volunteer_profile.id)
    assert profile.has_guardian_consent and profile.is_minor()


@pytest.mark.clock
def test_a_pause_keeps_new_requests_away_until_the_date(client, auth, make, db):
    n = neighbourhood(make)
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3])
    make.request(n.binh, topics=[n.zalo])
    make.commit()
    auth.login(minh.phone)
    token = csrf_token_from(client.get("/tinh-nguyen-vien/ho-so"))
    until = today_local() + timedelta(days=7)
    response = client.post("/tinh-nguyen-vien/ho-so", data=form_data(
        token, n, paused_until=until.isoformat()))
    assert response.status_code == 303
    assert "Bạn đang tạm nghỉ" in client.get("/yeu-cau-gan-ban").get_data(as_text=True)
    response = client.post("/tinh-nguyen-vien/ho-so", data=form_data(
        token, n, paused_until=(today_local() - timedelta(days=1)).isoformat()))
    assert "Ngày tạm nghỉ phải từ hôm nay trở đi." in response.get_data(as_text=True)


def test_a_volunteer_without_a_profile_yet_can_create_one(client, auth, make, db):
    n = neighbourhood(make)
    from app.models import Role
    hoa = make.user("Đinh Thị Hoa", roles=[(Role.VOLUNTEER, None)])
    make.commit()
    auth.login(hoa.phone)
    body = client.get("/yeu-cau-gan-ban").get_data(as_text=True)
    assert "Hãy điền hồ sơ tình nguyện viên trước" in body
    token = csrf_token_from(client.get("/tinh-nguyen-vien/ho-so"))
    response = client.post("/tinh-nguyen-vien/ho-so", data=form_data(token, n))
    assert response.status_code == 303
    db.session.expire_all()
    profile = db.session.scalar(
        db.select(VolunteerProfile).where(VolunteerProfile.user_id == hoa.id))
    assert profile.birth_year == 1985 and not profile.is_verified


def test_the_profile_page_is_for_volunteers(client, auth, make):
    n = neighbourhood(make)
    make.commit()
    assert client.get("/tinh-nguyen-vien/ho-so").status_code == 302
    auth.login(n.leader.phone)
    assert client.get("/tinh-nguyen-vien/ho-so").status_code == 403
