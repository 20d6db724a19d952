"""Who manages an area and who is told about a group: app/areas/scope.py, used everywhere."""
from __future__ import annotations

from sqlalchemy import select

from app.areas import scope
from app.models import Group, OutboxMessage
from tests.requests_helpers import neighbourhood, submit


def test_a_group_with_a_leader_tells_its_leaders_only(make):
    ward = make.ward()
    group = make.group(ward)
    thang = make.leader(group, name="Nguyễn Văn Thắng")
    make.official(ward, name="Đỗ Thị Hương")
    assert scope.recipients_of(group) == [thang]


def test_a_group_without_an_active_leader_tells_the_officials_of_its_ward(make, db):
    ward, other_ward = make.ward(), make.ward()
    group = make.group(ward)
    make.leader(group, name="Tổ Trưởng Đã Nghỉ").active = False
    huong = make.official(ward, name="Đỗ Thị Hương")
    make.official(other_ward, name="Cán Bộ Phường Khác")
    db.session.flush()
    assert scope.recipients_of(group) == [huong]
    assert scope.recipients_for([group.id, make.group(other_ward).id])[group.id] == [huong]


def test_a_request_filed_in_a_group_without_a_leader_reaches_the_wards_officials(client, make,
                                                                                 db):
    n = neighbourhood(make)
    huong = make.official(n.ward, name="Đỗ Thị Hương")
    make.commit()
    response = submit(client, n, group=str(n.other_group.id))  # tổ 5 has no leader
    assert response.status_code in (200, 303)
    page = client.get(response.headers["Location"]) if response.status_code == 303 else response
    body = page.get_data(as_text=True)
    assert "Cán bộ Phường Hàng Gai đã nhận được yêu cầu" in body
    assert "Tổ trưởng Tổ dân phố số 5" not in body
    told = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "request_new_in_group")).all()
    assert [m.recipient_user_id for m in told] == [huong.id]


def test_a_request_filed_where_nobody_is_in_charge_says_so(client, make, db):
    n = neighbourhood(make)
    response = submit(client, n, group=str(n.other_group.id))
    page = client.get(response.headers["Location"]) if response.status_code == 303 else response
    assert "tổ chưa có người phụ trách trên ứng dụng" in page.get_data(as_text=True)


def test_an_administrator_manages_every_group_with_no_cut_off(make, db, client, auth):
    ward = make.ward()
    groups = [make.group(ward, name=f"Tổ dân phố số {i:03d}") for i in range(305)]
    admin = make.admin()
    make.commit()
    assert len(scope.managed_groups(admin)) == db.session.scalar(
        select(Group.id).order_by(Group.id.desc()).limit(1)) - groups[0].id + 1
    auth.login(admin.phone)
    calendar = client.get("/lich").get_data(as_text=True)
    assert f'value="g:{groups[-1].id}"' in calendar  # the 305th group can be chosen


def test_a_leader_sees_the_wards_of_the_groups_they_lead_and_an_official_theirs(make):
    ward, other_ward, third = make.ward(), make.ward(), make.ward()
    thang = make.leader(make.group(ward))
    huong = make.official(other_ward)
    assert scope.visible_wards(thang) == [ward]
    assert scope.visible_wards(huong) == [other_ward]
    assert scope.overseen_wards(thang) == []
    assert scope.can_view_ward(thang, ward) and not scope.can_view_ward(thang, third)
