"""Leaders find the residents of their groups without typing diacritics, and open a record."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import (AuditEvent, Consent, ConsentMethod, Enrollment, Gender, Household,
                        RequestStatus)
from tests.requests_helpers import HX, neighbourhood, text


@pytest.fixture
def n(make):
    return neighbourhood(make)


@pytest.fixture
def people(make, n):
    made = {
        "binh": make.resident(n.group, name="Nguyễn Thị Bình", phone="+84912345678",
                              gender=Gender.FEMALE),
        "hung": make.resident(n.group, name="Trần Văn Hùng", phone="+84912345679",
                              gender=Gender.MALE),
        "binh2": make.resident(n.group, name="Lê Bình", phone="+84987654321"),
        "duc": make.resident(n.other_group, name="Phạm Văn Đức", phone="+84978123456"),
        "hanh": make.resident(n.far_group, name="Ngô Thị Bình Hạnh", phone="+84945333444"),
    }
    make.commit()
    return made


def names_in(html: str) -> set[str]:
    return set(re.findall(r'<a href="/nguoi-dan/\d+">([^<]+)</a>', html))


def test_search_ignores_diacritics_and_case(client, auth, n, people):
    auth.login(n.leader.phone)
    for query, expected in [
        ("nguyen thi binh", {"Nguyễn Thị Bình"}),
        ("Nguyễn Thị Bình", {"Nguyễn Thị Bình"}),
        ("NGUYEN THI BINH", {"Nguyễn Thị Bình"}),
        ("binh", {"Nguyễn Thị Bình", "Lê Bình"}),
        ("BÌNH", {"Nguyễn Thị Bình", "Lê Bình"}),
        ("binh nguyen", {"Nguyễn Thị Bình"}),
        ("  thi   binh ", {"Nguyễn Thị Bình"}),
        ("hung", {"Trần Văn Hùng"}),
        ("0912 345 67", {"Nguyễn Thị Bình", "Trần Văn Hùng"}),
        ("+84 987", {"Lê Bình"}),
        ("%", set()),
        ("_", set()),
        ("xyz", set()),
    ]:
        response = client.get("/nguoi-dan", query_string={"q": query})
        assert response.status_code == 200
        assert names_in(text(response)) == expected, query


def test_the_directory_lists_only_the_leaders_groups(client, auth, n, people):
    auth.login(n.leader.phone)
    html = text(client.get("/nguoi-dan"))
    assert names_in(html) == {"Nguyễn Thị Bình", "Trần Văn Hùng", "Lê Bình"}
    assert "Phạm Văn Đức" not in html and "Hạnh" not in html
    assert "0912 345 678" in html  # in scope: the leader sees the phone


def test_a_group_outside_the_leaders_area_is_refused(client, auth, n, people):
    auth.login(n.leader.phone)
    for group in (n.other_group, n.far_group):
        response = client.get(f"/nguoi-dan?to={group.id}")
        assert response.status_code == 403
        assert "Phạm Văn Đức" not in text(response)


@pytest.mark.parametrize("who, status", [
    ("anonymous", 302), ("volunteer", 403), ("unverified", 403)])
def test_the_directory_is_refused_to_everyone_but_leaders_and_officials(
        client, auth, make, n, people, who, status):
    if who == "volunteer":
        auth.login(make.volunteer("Trần Văn Minh", groups=[n.group]).phone)
    elif who == "unverified":
        auth.login(make.volunteer("Vũ Đức Long", verified=False, groups=[n.group]).phone)
    assert client.get("/nguoi-dan").status_code == status
    assert client.get(f"/nguoi-dan/{people['binh'].id}").status_code == status


def test_an_official_sees_the_whole_ward_and_an_admin_everyone(client, auth, make, n, people):
    official = make.official(n.ward)
    admin = make.admin()
    make.commit()
    auth.login(official.phone)
    assert names_in(text(client.get("/nguoi-dan?q=van"))) == {"Trần Văn Hùng", "Phạm Văn Đức"}
    narrowed = names_in(text(client.get(f"/nguoi-dan?to={n.other_group.id}")))
    assert narrowed == {"Phạm Văn Đức"}
    auth.logout()
    auth.login(admin.phone)
    assert "Ngô Thị Bình Hạnh" in names_in(text(client.get("/nguoi-dan?q=binh")))


def test_active_search_answers_htmx_with_the_results_only(client, auth, n, people):
    auth.login(n.leader.phone)
    response = client.get("/nguoi-dan?q=binh", headers=HX)
    html = text(response)
    assert "<html" not in html and html.strip().startswith('<section id="directory-results"')
    assert names_in(html) == {"Nguyễn Thị Bình", "Lê Bình"}
    assert "HX-Request" in response.headers["Vary"]
    page = text(client.get("/nguoi-dan"))
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-push-url="true"' in page


def test_the_directory_is_paged(client, auth, make, n):
    for i in range(25):
        make.resident(n.group, name=f"Người Dân {i:02d}")
    make.commit()
    auth.login(n.leader.phone)
    first = text(client.get("/nguoi-dan?q=nguoi dan"))
    assert len(names_in(first)) == 20 and "Trang 1 / 2" in first
    assert "Người Dân 00" in first and "Người Dân 20" not in first
    assert 'href="/nguoi-dan?q=nguoi+dan&amp;trang=2"' in first
    second = text(client.get("/nguoi-dan?q=nguoi+dan&trang=2", headers=HX))
    assert names_in(second) == {f"Người Dân {i}" for i in range(20, 25)}
    assert text(client.get("/nguoi-dan?trang=abc")).count("/nguoi-dan/") == 20


# --- a resident's record ----------------------------------------------------------------------------
def test_a_leader_opens_a_record_with_requests_consents_household_and_history(
        client, auth, db, make, n, people):
    binh, hung = people["binh"], people["hung"]
    household = Household(group_id=n.group.id, address="12 ngõ Hàng Gai",
                          address_key="12 ngo hang gai")
    db.session.add(household)
    db.session.flush()
    binh.household_id = hung.household_id = household.id
    binh.birth_year = 1954
    db.session.add(Consent(resident_id=binh.id, wording_version="2026-01",
                           method=ConsentMethod.PHONE, captured_by_id=n.leader.id))
    minh = make.volunteer("Trần Văn Minh", groups=[n.group])
    make.request(binh, topics=[n.banking], code="BBB222", created_by_id=n.leader.id)
    make.request(binh, topics=[n.zalo], code="ZZZ333", status=RequestStatus.DONE,
                 volunteer_id=minh.volunteer_profile.id)
    lesson = make.session(n.group, title="Cùng bà học Zalo")
    db.session.add(Enrollment(session_id=lesson.id, resident_id=binh.id))
    make.commit()

    auth.login(n.leader.phone)
    response = client.get(f"/nguoi-dan/{binh.id}")
    html = text(response)
    assert response.status_code == 200
    assert "<h1>Nguyễn Thị Bình</h1>" in html
    assert "0912 345 678" in html and "1954" in html
    assert "12 ngõ Hàng Gai" in html and "Trần Văn Hùng" in html  # same household
    assert "BBB222" in html and "ZZZ333" in html and "Đã hoàn thành" in html
    assert "do Nguyễn Văn Thắng nhập thay" in html
    assert "bản 2026-01 · qua điện thoại · ghi nhận bởi Nguyễn Văn Thắng" in html
    assert "Buổi hỗ trợ: Cùng bà học Zalo" in html
    assert f'href="/xin-ho-tro?nguoi-dan={binh.id}"' in html
    assert response.headers["Cache-Control"] == "no-store"

    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.subject) == ("view", f"resident:{binh.id}")
    assert event.actor_id == n.leader.id and event.ward_id == n.ward.id


def test_a_record_of_another_group_is_refused_and_not_audited_as_a_view(
        client, auth, db, n, people):
    auth.login(n.leader.phone)
    assert client.get(f"/nguoi-dan/{people['duc'].id}").status_code == 403
    assert client.get(f"/nguoi-dan/{people['hanh'].id}").status_code == 403
    assert client.get("/nguoi-dan/999999").status_code == 404
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view")).all() == []
