"""A resident's data on request: export it, withdraw consent, erase it (anonymised, with the
counts kept), all audited and open only to those who manage the resident's area."""
from __future__ import annotations

import json
import re
import threading

import pytest
from sqlalchemy import func, select

from app.models import (AuditEvent, Consent, Enrollment, HelpRequest, Household, OutboxMessage,
                        OutboxStatus, Outcome, Resident, Role, User)
from app.models.outcomes import outcome_skill
from app.notify.outbox import notify
from app.residents.data_rights import ERASED_NAME, erase_resident
from tests.conftest import csrf_token_from
from tests.security_helpers import LEADER, OFFICIAL, OTHER_LEADER, RESIDENT, build_world


@pytest.fixture
def world(make):
    return build_world(make)


@pytest.fixture
def leader(client, auth, world):
    auth.login(world.users[LEADER].phone)
    return client


def page(world) -> str:
    return f"/quan-tri/nguoi-dan/{world.resident.id}/du-lieu-ca-nhan"


def export(client, world, fmt):
    return client.get(f"/quan-tri/nguoi-dan/{world.resident.id}/xuat-du-lieu.{fmt}")


def erase(client, world, confirm=True, reason="Bà yêu cầu qua điện thoại", headers=None):
    data = {"csrf_token": csrf_token_from(client.get(page(world))), "reason": reason}
    if confirm:
        data["confirm"] = "y"
    return client.post(f"/quan-tri/nguoi-dan/{world.resident.id}/xoa-du-lieu", data=data,
                       headers=headers or {})


def withdraw(client, world):
    token = csrf_token_from(client.get(page(world)))
    return client.post(f"/quan-tri/nguoi-dan/{world.resident.id}/rut-dong-y",
                       data={"csrf_token": token})


def audit_actions(db, resident) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.resident_id == resident.id, AuditEvent.action != "view"
    ).order_by(AuditEvent.id)))


# --- export ------------------------------------------------------------------------------
def test_a_leader_exports_everything_held_about_a_resident(leader, world, db):
    response = export(leader, world, "json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert 'attachment; filename="du-lieu-nguoi-dan-' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    person = data["resident"]
    assert person["full_name"] == "Nguyễn Thị Bình"
    assert person["phone"] == world.resident.phone
    assert person["household_address"] == "12 ngõ Hàng Gai"
    assert person["note"] == "Mắt kém, nói to"
    assert data["consents"][0]["wording_version"] == "2026-01"
    assert data["requests"][0]["code"] == world.request.code
    assert data["requests"][0]["volunteer"] == "Trần Văn Minh"
    assert data["enrollments"][0]["session"] == "Hỗ trợ dùng Zalo"
    assert data["outcomes"][0]["skills"] == [world.skill.name]
    assert data["messages"][0]["kind"] == "request_received"
    assert audit_actions(db, world.resident) == ["export"]


@pytest.mark.clock
def test_the_csv_export_is_readable_in_a_spreadsheet(leader, world, db):
    world.resident.note = "=HYPERLINK(\"http://lua-dao.example\")"
    db.session.commit()
    response = export(leader, world, "csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert text.startswith("\ufeffMục,Số thứ tự,Thông tin,Giá trị")
    assert "Thông tin cá nhân,1,Họ và tên,Nguyễn Thị Bình" in text
    assert "Yêu cầu hỗ trợ,1,Trạng thái,Đã có tình nguyện viên" in text
    assert "Kết quả học,1,Có tham gia,Có" in text
    assert ',Ghi chú,"\'=HYPERLINK(' in text  # never run as a formula
    # times as people read them: "Thứ Hai, 28/12/2026, 9:05", "Chủ Nhật, …"
    assert re.search(r'Thời điểm xuất dữ liệu,"(Thứ \w+|Chủ Nhật), \d+/\d+/\d{4}, \d+:\d\d"', text)


def test_the_html_export_is_a_page_the_resident_can_read(leader, world, db):
    world.resident.note = '<script>alert("x")</script>'
    db.session.commit()
    response = export(leader, world, "html")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dữ liệu cá nhân của Nguyễn Thị Bình" in html
    assert "Tại nhà" in html and "Đã có tình nguyện viên" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "không bao giờ hỏi mã OTP" in html


def test_an_unknown_export_format_is_not_found(leader, world):
    assert export(leader, world, "xml").status_code == 404


def test_opening_the_privacy_page_is_audited_and_shows_the_data(leader, world, db):
    html = leader.get(page(world)).get_data(as_text=True)
    assert "Nguyễn Thị Bình" in html and "12 ngõ Hàng Gai" in html
    db.session.expire_all()
    views = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "view", AuditEvent.detail == "privacy page")).all()
    assert [(v.resident_id, v.actor_id) for v in views] == [
        (world.resident.id, world.users[LEADER].id)]


def test_a_leader_of_another_group_cannot_export_and_the_attempt_is_logged(client, auth,
                                                                            world, db):
    auth.login(world.users[OTHER_LEADER].phone)
    assert export(client, world, "json").status_code == 403
    assert audit_actions(db, world.resident) == ["denied"]


def test_a_resident_cannot_export_other_peoples_data(client, auth, world, db):
    auth.login(world.users[RESIDENT].phone)
    assert export(client, world, "json").status_code == 403
    assert audit_actions(db, world.resident) == []  # refused by role, before any lookup
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "denied")) == "role: resident_export"


def test_an_unknown_resident_is_not_found(leader):
    assert leader.get("/quan-tri/nguoi-dan/999999/du-lieu-ca-nhan").status_code == 404


# --- erasure -------------------------------------------------------------------------------
def coverage_counts(db, world) -> dict:
    """What coverage reports count: none of it may change when someone is erased."""
    group = world.group.id
    in_group = select(Resident.id).where(Resident.group_id == group)
    return {
        "residents": db.session.scalar(select(func.count()).select_from(in_group.subquery())),
        "requests": db.session.scalar(select(func.count(HelpRequest.id)).where(
            HelpRequest.group_id == group)),
        "seats": db.session.scalar(select(func.count(Enrollment.id)).where(
            Enrollment.resident_id.in_(in_group))),
        "attended": db.session.scalar(select(func.count(Outcome.id)).join(Enrollment).where(
            Outcome.attended.is_(True), Enrollment.resident_id.in_(in_group))),
        "skills": db.session.scalar(select(func.count()).select_from(outcome_skill)),
        "women": db.session.scalar(select(func.count(Resident.id)).where(
            Resident.group_id == group, Resident.gender == "female")),
    }


def test_erasing_anonymises_the_resident_and_keeps_the_counts(leader, world, db):
    world.resident.has_smartphone = True
    db.session.commit()
    household_id = world.household.id
    before = coverage_counts(db, world)
    response = erase(leader, world)
    assert response.status_code == 303
    html = leader.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã xóa dữ liệu cá nhân của người dân" in html

    db.session.expire_all()
    resident = db.session.get(Resident, world.resident.id)
    assert resident.full_name == ERASED_NAME and resident.name_search == ""
    assert (resident.phone, resident.birth_year, resident.note) == (None, None, None)
    assert resident.household_id is None and resident.erased_at is not None
    assert resident.has_smartphone is True  # baseline answers count in coverage
    assert db.session.get(Household, household_id) is None  # she lived there alone
    assert db.session.get(Consent, world.consent.id).withdrawn_at is not None
    message = db.session.get(OutboxMessage, world.message.id)
    assert message.status == OutboxStatus.SKIPPED and message.context == {}
    assert coverage_counts(db, world) == before
    assert audit_actions(db, world.resident) == ["erase"]
    assert db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "erase")) == "Bà yêu cầu qua điện thoại"

    data = json.loads(export(leader, world, "json").get_data(as_text=True))
    assert "Bình" not in json.dumps(data, ensure_ascii=False)
    assert data["resident"]["phone"] is None


def test_a_household_shared_with_others_stays(leader, world, db, make):
    make.resident(world.group, name="Nguyễn Văn An", household_id=world.household.id)
    make.commit()
    erase(leader, world)
    db.session.expire_all()
    assert db.session.get(Household, world.household.id).address == "12 ngõ Hàng Gai"


def test_erasure_needs_the_confirmation_box(leader, world, db):
    response = erase(leader, world, confirm=False, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng đánh dấu xác nhận trước khi xóa." in html
    assert "<html" not in html and 'id="erase-form"' in html
    assert "Bà yêu cầu qua điện thoại" in html  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Resident, world.resident.id).erased_at is None


def test_erasing_twice_changes_nothing_more(leader, world, db):
    erase(leader, world)
    response = erase(leader, world)
    assert response.status_code == 303
    assert "đã được xóa trước đó" in leader.get(page(world)).get_data(as_text=True)
    assert audit_actions(db, world.resident) == ["erase"]


def test_an_account_used_only_as_a_resident_is_closed_with_the_erasure(leader, world, db):
    resident, account = world.own_resident, world.users[RESIDENT]
    token = csrf_token_from(leader.get(f"/quan-tri/nguoi-dan/{resident.id}/du-lieu-ca-nhan"))
    leader.post(f"/quan-tri/nguoi-dan/{resident.id}/xoa-du-lieu",
                data={"csrf_token": token, "confirm": "y"})
    db.session.expire_all()
    account = db.session.get(User, account.id)
    assert not account.active and account.full_name == ERASED_NAME
    assert account.phone.startswith("erased-")
    assert db.session.get(Resident, resident.id).user_id is None


def test_a_volunteer_who_was_also_helped_keeps_their_volunteer_account(world, db, make, app):
    volunteer = world.users[OFFICIAL]  # any account with another role
    resident = make.resident(world.group, name="Bùi Văn Sơn", user_id=volunteer.id)
    make.commit()
    with app.test_request_context():
        assert erase_resident(resident)
    db.session.commit()
    db.session.expire_all()
    account = db.session.get(User, volunteer.id)
    assert account.active and account.full_name == "Bùi Văn Sơn"
    assert account.has_role(Role.OFFICIAL)


def test_two_people_erasing_at_once_erase_once(app, world, db):
    errors, results = [], []
    resident_id = world.resident.id
    db.session.commit()  # the test's own transaction must not hold the database

    def erase_in_own_worker():
        try:
            with app.test_request_context():
                resident = db.session.get(Resident, resident_id)
                results.append(erase_resident(resident, "cùng lúc"))
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=erase_in_own_worker) for _n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert audit_actions(db, world.resident) == ["erase"]


# --- consent -------------------------------------------------------------------------------
def test_withdrawing_consent_stops_messages_now_and_later(leader, world, db, app):
    response = withdraw(leader, world)
    assert response.status_code == 303
    assert "rút lại sự đồng ý" in leader.get(page(world)).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Consent, world.consent.id).withdrawn_at is not None
    assert db.session.get(OutboxMessage, world.message.id).status == OutboxStatus.SKIPPED
    assert audit_actions(db, world.resident) == ["consent_withdrawn"]

    # Whichever area raises a message later, it is not sent.
    resident = db.session.get(Resident, world.resident.id)
    later = notify("reminder", resident=resident, context={"session": world.session.id})
    db.session.commit()
    assert later.status == OutboxStatus.SKIPPED


def test_residents_who_consent_still_get_their_messages(world, db):
    message = notify("reminder", resident=world.resident)
    db.session.commit()
    assert message.status == OutboxStatus.PENDING


def test_an_erased_resident_gets_no_new_messages(leader, world, db):
    erase(leader, world)
    db.session.expire_all()
    message = notify("reminder", resident=db.session.get(Resident, world.resident.id))
    db.session.commit()
    assert message.status == OutboxStatus.SKIPPED


def test_withdrawing_twice_says_there_is_nothing_left_to_withdraw(leader, world, db):
    withdraw(leader, world)
    withdraw(leader, world)
    assert "không còn sự đồng ý nào" in leader.get(page(world)).get_data(as_text=True)
    assert audit_actions(db, world.resident) == ["consent_withdrawn"]
