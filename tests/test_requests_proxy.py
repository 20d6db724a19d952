"""Leaders and verified volunteers file the same form on a resident's behalf."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import (Consent, ConsentMethod, Gender, HelpRequest, Household, OutboxMessage,
                        Resident)
from tests.requests_helpers import HX, form_data, neighbourhood, open_form, submit, text


@pytest.fixture
def n(make):
    return neighbourhood(make)


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def only_request(db) -> HelpRequest:
    db.session.expire_all()
    return db.session.scalars(select(HelpRequest)).one()


def test_a_leader_sees_the_form_on_behalf_of_a_resident(client, auth, n):
    auth.login(n.leader.phone)
    html = text(client.get("/xin-ho-tro"))
    assert "Gửi yêu cầu thay mặt người dân" in html
    assert "Người dân đồng ý bằng cách nào?" in html
    assert "Trực tiếp" in html and "Qua điện thoại" in html
    assert "Người dân đã nghe nội dung sau và đồng ý" in html
    # Their only ward and group are already chosen.
    assert f'<option selected value="{n.ward.id}">' in html
    assert f'<option selected value="{n.group.id}">' in html
    assert "Phường Hoàn Kiếm" not in html  # not their area


@pytest.mark.parametrize("method", ["in_person", "phone"])
def test_a_leader_files_for_a_resident_and_the_record_shows_who_and_how_consent_was_given(
        client, auth, db, make, n, method):
    deputy = make.leader(n.group, name="Lê Văn Phó")
    make.commit()
    auth.login(n.leader.phone)
    response = submit(client, n, consent_method=method)
    assert response.status_code == 303
    req = only_request(db)
    assert req.created_by_id == n.leader.id
    assert req.consent_method == ConsentMethod(method)
    consent = db.session.scalars(select(Consent)).one()
    assert consent.method == ConsentMethod(method) and consent.captured_by_id == n.leader.id

    html = text(client.get("/xin-ho-tro/da-gui"))
    assert "Hãy đọc mã theo dõi này cho người dân" in html
    assert f"{req.code[:3]} {req.code[3:]}" in html
    assert f'href="/yeu-cau/{req.id}"' in html

    detail = text(client.get(f"/yeu-cau/{req.id}"))
    assert "Nguyễn Văn Thắng, thay mặt người dân" in detail
    assert ("trực tiếp" if method == "in_person" else "qua điện thoại") in detail

    # The deputy is told; the leader who typed it is not told of their own request.
    told = {m.recipient_user_id for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "request_new_in_group"))}
    assert told == {deputy.id}
    with client.session_transaction() as session:
        assert "tracked_requests" not in session


@pytest.mark.parametrize("htmx", [False, True])
def test_a_proxy_request_must_say_how_the_resident_agreed(client, auth, db, n, htmx):
    auth.login(n.leader.phone)
    response = submit(client, n, headers=HX if htmx else None)
    assert response.status_code == 422
    assert "Vui lòng chọn người dân đã đồng ý trực tiếp hay qua điện thoại." in text(response)
    assert count(db, HelpRequest) == 0


def test_a_leader_cannot_file_for_a_group_outside_their_area(client, auth, db, n):
    auth.login(n.leader.phone)
    response = submit(client, n, consent_method="phone", group=str(n.other_group.id))
    assert response.status_code == 422
    assert "Bạn chỉ gửi thay được cho các tổ trong khu vực mình phụ trách." in text(response)
    response = submit(client, n, consent_method="phone", ward=str(n.far_group.ward_id),
                      group=str(n.far_group.id))
    assert "Phường / xã này không có trong danh sách." in text(response)
    assert count(db, HelpRequest) == 0


def test_a_verified_volunteer_files_within_the_ward_they_serve(client, auth, db, make, n):
    minh = make.volunteer("Trần Văn Minh", wards=[n.ward])
    make.commit()
    auth.login(minh.phone)
    response = submit(client, n, consent_method="in_person", group=str(n.other_group.id))
    assert response.status_code == 303
    req = only_request(db)
    assert req.created_by_id == minh.id and req.group_id == n.other_group.id
    # But not in a ward they do not serve.
    response = submit(client, n, consent_method="in_person", phone="0987654321",
                      ward=str(n.far_group.ward_id), group=str(n.far_group.id))
    assert response.status_code == 422


def test_a_volunteer_serving_one_group_cannot_file_for_its_neighbour(client, auth, db, make, n):
    lan = make.volunteer("Lê Thu Hà", groups=[n.group])
    make.commit()
    auth.login(lan.phone)
    response = submit(client, n, consent_method="in_person", group=str(n.other_group.id))
    assert "Bạn chỉ gửi thay được cho các tổ trong khu vực mình phụ trách." in text(response)
    assert submit(client, n, consent_method="in_person").status_code == 303


def test_an_unverified_volunteer_uses_the_ordinary_form(client, auth, db, make, n):
    long_ = make.volunteer("Vũ Đức Long", verified=False, groups=[n.group])
    make.commit()
    auth.login(long_.phone)
    html = text(client.get("/xin-ho-tro"))
    assert "Xin hỗ trợ kỹ năng số" in html and "Người dân đồng ý bằng cách nào?" not in html
    assert submit(client, n, consent_method="in_person").status_code == 303
    req = only_request(db)
    assert req.created_by_id is None and req.consent_method == ConsentMethod.ONLINE


def test_leaders_are_not_held_back_by_the_per_address_limit(client, auth, db, n):
    """A leader types the requests of a whole meeting from the community house."""
    auth.login(n.leader.phone)
    for i in range(12):
        response = submit(client, n, consent_method="in_person", phone=f"091200{i:04d}")
        assert response.status_code == 303
    assert count(db, HelpRequest) == 12


# --- known residents -----------------------------------------------------------------------------
@pytest.fixture
def binh(make, n, db):
    resident = make.resident(n.group, name="Nguyễn Thị Bình", phone="+84912345678",
                             gender=Gender.FEMALE, birth_year=1954)
    household = Household(group_id=n.group.id, address="12 ngõ Hàng Gai",
                          address_key="12 ngo hang gai")
    db.session.add(household)
    db.session.flush()
    resident.household_id = household.id
    make.commit()
    return resident


def _check_phone(client, n, phone="0912 345 678"):
    token = open_form(client)
    return text(client.post("/xin-ho-tro/kiem-tra", headers=HX, data=form_data(
        token, n, phone=phone, _field="phone", full_name="")))


def test_typing_a_known_phone_offers_the_existing_record(client, auth, n, binh):
    auth.login(n.leader.phone)
    html = _check_phone(client, n)
    assert 'id="resident-match"' in html and 'hx-swap-oob="true"' in html
    assert "Số điện thoại này đã có hồ sơ:" in html and "Nguyễn Thị Bình" in html
    assert "Dùng thông tin của hồ sơ này" in html
    assert "không tạo hồ sơ mới" in html
    assert "Số điện thoại này đã có hồ sơ" not in _check_phone(client, n, "0987 654 321")


def test_a_volunteer_is_offered_the_record_without_seeing_who_it_is(client, auth, make, n, binh):
    minh = make.volunteer("Trần Văn Minh", groups=[n.group])
    make.commit()
    auth.login(minh.phone)
    html = _check_phone(client, n)
    assert "Số điện thoại này đã có hồ sơ:" in html
    assert "Bà B. · Tổ dân phố số 3" in html and "Nguyễn Thị Bình" not in html
    assert "Dùng thông tin của hồ sơ này" not in html


def test_the_public_form_never_says_whether_a_phone_is_known(client, n, binh):
    html = _check_phone(client, n)
    assert "hồ sơ" not in html and "Nguyễn Thị Bình" not in html


@pytest.mark.parametrize("htmx", [False, True])
def test_reusing_the_record_fills_the_form_and_files_without_a_duplicate(
        client, auth, db, n, binh, htmx):
    auth.login(n.leader.phone)
    token = open_form(client)
    response = client.post("/xin-ho-tro/cap-nhat", headers=HX if htmx else {}, data=form_data(
        token, n, full_name="Bà Bình", action="reuse", address=""))
    html = text(response)
    assert response.status_code == 200
    assert 'value="Nguyễn Thị Bình"' in html and 'value="12 ngõ Hàng Gai"' in html
    assert 'value="1954"' in html
    assert 'value="female"' in html and "checked" in html
    assert ("<html" in html) is not htmx
    assert '<p class="error">' not in html

    assert submit(client, n, consent_method="phone", address="12 ngõ Hàng Gai").status_code == 303
    assert count(db, Resident) == 1
    assert only_request(db).resident_id == binh.id
    # She was in that household already: nothing new to announce.
    assert "cùng hộ gia đình" not in text(client.get("/xin-ho-tro/da-gui"))


def test_a_leader_starts_a_request_from_a_residents_record(client, auth, n, binh):
    auth.login(n.leader.phone)
    html = text(client.get(f"/xin-ho-tro?nguoi-dan={binh.id}"))
    assert 'value="Nguyễn Thị Bình"' in html and 'value="0912 345 678"' in html


def test_a_record_out_of_scope_is_not_prefilled(client, auth, make, n):
    stranger = make.resident(n.far_group, name="Ngô Thị Hạnh", phone="+84945333444")
    make.commit()
    auth.login(n.leader.phone)
    html = text(client.get(f"/xin-ho-tro?nguoi-dan={stranger.id}"))
    assert "Ngô Thị Hạnh" not in html and "0945" not in html


def test_a_known_resident_keeps_their_record_when_someone_types_another_name(
        client, db, n, binh):
    submit(client, n, full_name="Người Lạ")
    db.session.expire_all()
    assert db.session.get(Resident, binh.id).full_name == "Nguyễn Thị Bình"
    assert count(db, Resident) == 1


def test_a_leader_filing_a_duplicate_is_shown_the_open_request_to_open(
        client, auth, db, make, n, binh):
    existing = make.request(binh, topics=[n.banking], code="BBB222")
    make.commit()
    auth.login(n.leader.phone)
    html = text(submit(client, n, consent_method="phone"))
    assert "Bạn đã có một yêu cầu đang mở về việc này" in html
    assert "BBB 222" in html and f'href="/yeu-cau/{existing.id}"' in html
    assert count(db, HelpRequest) == 1
    assert db.session.scalars(select(OutboxMessage)).all() == []  # nothing re-sent
