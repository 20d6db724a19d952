"""The audit log: refusals are written down; ward officials read their ward's log."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.models import AuditEvent
from tests.security_helpers import (ADMIN, LEADER, OFFICIAL, OTHER_LEADER, OTHER_OFFICIAL,
                                    build_world)


@pytest.fixture
def world(make):
    return build_world(make)


def events(db, action=None):
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query).all()


def log_rows(client, query: str = "") -> str:
    """The rows of the audit log table (not the filter form) as HTML."""
    html = client.get("/quan-tri/nhat-ky" + query).get_data(as_text=True)
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


def add_event(db, world, action, resident=None, ward=None, minutes_ago=0, actor=None):
    event = AuditEvent(action=action, subject=f"resident:{getattr(resident, 'id', 0)}",
                       resident_id=getattr(resident, "id", None),
                       ward_id=(ward or world.ward).id,
                       actor_id=(actor or world.users[LEADER]).id,
                       at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(event)
    return event


def test_a_refused_page_is_written_to_the_audit_log(client, auth, world, db):
    auth.login(world.users[LEADER].phone)
    assert client.get("/quan-tri").status_code == 403
    [denied] = events(db, "denied")
    assert denied.actor_id == world.users[LEADER].id
    assert denied.subject == "GET /quan-tri"
    assert denied.detail == "role: index"


def test_a_refusal_about_a_resident_shows_in_that_wards_log(client, auth, world, db):
    auth.login(world.users[OTHER_OFFICIAL].phone)
    url = f"/quan-tri/nguoi-dan/{world.resident.id}/xuat-du-lieu.json"
    assert client.get(url).status_code == 403
    [denied] = events(db, "denied")
    assert (denied.resident_id, denied.ward_id) == (world.resident.id, world.ward.id)
    assert not events(db, "export")  # nothing of the refused request was kept

    auth.logout()
    auth.login(world.users[OFFICIAL].phone)
    html = log_rows(client, "?action=denied")
    assert "Bị từ chối truy cập" in html
    assert "Hoàng Thị Mai" in html  # who tried
    assert "Nguyễn Thị Bình" in html  # about whom (the official of her ward may see it)


def test_officials_read_only_their_own_wards_log(client, auth, world, db):
    add_event(db, world, "export", resident=world.far_resident, ward=world.other_ward)
    db.session.commit()
    auth.login(world.users[OFFICIAL].phone)
    html = log_rows(client)
    assert "Nguyễn Thị Bình" in html
    assert "Trịnh Văn Cường" not in html and "Xuất dữ liệu" not in html
    auth.logout()
    auth.login(world.users[OTHER_OFFICIAL].phone)
    html = log_rows(client)
    assert "Trịnh Văn Cường" in html and "Nguyễn Thị Bình" not in html
    auth.logout()
    auth.login(world.users[ADMIN].phone)
    html = log_rows(client)
    assert "Trịnh Văn Cường" in html and "Nguyễn Thị Bình" in html


def test_leaders_cannot_read_the_log(client, auth, world):
    auth.login(world.users[LEADER].phone)
    assert client.get("/quan-tri/nhat-ky").status_code == 403


def test_the_log_filters_by_action_and_by_resident(client, auth, world, db, make):
    other = make.resident(world.group, name="Phạm Văn Đức")
    add_event(db, world, "export", resident=world.resident, minutes_ago=5)
    add_event(db, world, "erase", resident=other, minutes_ago=1)
    db.session.commit()
    auth.login(world.users[OFFICIAL].phone)

    html = log_rows(client, "?action=export")
    assert "Xuất dữ liệu" in html and "Phạm Văn Đức" not in html

    html = log_rows(client, f"?resident={other.id}")
    assert "Phạm Văn Đức" in html and "Nguyễn Thị Bình" not in html

    # By name, typed without diacritics.
    html = client.get("/quan-tri/nhat-ky?q=nguyen thi binh").get_data(as_text=True)
    assert "2 sự kiện" in html  # the world's view and the export
    assert "Phạm Văn Đức" not in html


def test_the_newest_events_come_first_and_pages_hold_fifty(client, auth, world, db):
    for minutes in range(60):
        add_event(db, world, "view", resident=world.resident, minutes_ago=minutes + 10)
    add_event(db, world, "export", resident=world.resident, minutes_ago=0)
    db.session.commit()
    auth.login(world.users[OFFICIAL].phone)
    first = log_rows(client)
    assert first.index("Xuất dữ liệu") < first.index("Xem thông tin cá nhân")
    assert "Trang 1 / 2" in client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert first.count("<tr>") == 50
    assert log_rows(client, "?page=2").count("<tr>") == 12  # 60 + the world's + the export
    assert client.get("/quan-tri/nhat-ky?page=99999999999999999999").status_code == 200


def test_filtering_with_htmx_swaps_only_the_log(client, auth, world):
    auth.login(world.users[OFFICIAL].phone)
    response = client.get("/quan-tri/nhat-ky?action=view", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="audit-log"' in html
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("query, message", [
    ("resident=abc", "Vui lòng nhập một số."),
    ("resident=0", "Mã chưa hợp lệ."),
    ("action=drop table", "Vui lòng chọn một mục trong danh sách."),
    ("q=" + "x" * 121, "Tối đa 120 ký tự."),
])
def test_a_bad_filter_is_explained_in_vietnamese(client, auth, world, query, message):
    auth.login(world.users[OFFICIAL].phone)
    response = client.get(f"/quan-tri/nhat-ky?{query}")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_log_page_is_in_the_menu_of_officials_only(client, auth, world):
    auth.login(world.users[OFFICIAL].phone)
    assert "Nhật ký dữ liệu cá nhân" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(world.users[OTHER_LEADER].phone)
    assert "Nhật ký dữ liệu cá nhân" not in client.get("/").get_data(as_text=True)
