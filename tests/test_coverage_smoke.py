"""Every coverage and outcome page opens, for each role, on the hand-computed town and on
the demo data."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from app.models import Outcome, Session, SessionStatus, User
from app.phone import normalize_phone
from app.seeding.demo import DEMO_PASSWORD
from tests.coverage_helpers import town

FIGURES = ("denominators", "reached", "households_basic", "adults_basic", "smartphone",
           "epayment", "open_requests", "first_session", "hours", "volunteers", "unserved")


def test_every_figure_list_opens_at_every_level_for_an_administrator(client, auth, make, db):
    t = town(make)
    admin = make.admin()
    make.commit()
    auth.login(admin.phone)
    urls = [f"/do-bao-phu/so-lieu/{figure}?level={level}" + (f"&key={key}" if key else "")
            for figure in FIGURES
            for level, key in (("group", t.g1.id), ("ward", t.hg.id),
                               ("district", "Quận Hoàn Kiếm"), ("all", None))]
    urls += [f"/do-bao-phu/so-lieu/{figure}?level=ward&key={t.hg.id}&topic={t.a.id}"
             for figure in ("demand", "supply")]
    outcome = db.session.scalar(select(Outcome))
    urls += ["/do-bao-phu/cach-tinh", "/do-bao-phu/chi-tieu?level=all",
             f"/do-bao-phu/chi-tieu?level=group&key={t.g1.id}", "/do-bao-phu/chu-de-co-ban",
             f"/nguoi-dan/{t.r1.id}/tien-bo", f"/nguoi-dan/{t.r1.id}/ra-soat",
             f"/buoi/{t.s1.id}/ket-qua", f"/buoi/{t.s1.id}/gio-tinh-nguyen", "/ket-qua/can-ghi",
             f"/ket-qua/{outcome.id}/sua",
             f"/tinh-nguyen-vien/{t.v1.volunteer_profile.id}/chung-nhan"]
    failures = [(url, r.status_code) for url in urls if (r := client.get(url)).status_code
                != 200]
    assert failures == []


@pytest.mark.parametrize("phone, pages", [
    ("0901000001", ["/do-bao-phu/toan-he-thong", "/do-bao-phu/quan?ten=Quận Hoàn Kiếm"]),
    ("0901000002", ["/do-bao-phu/phuong", "/do-bao-phu/xuat.xlsx?level=all"]),
    ("0901000003", ["/do-bao-phu", "/do-bao-phu/xuat.csv?level=mine", "/ket-qua/can-ghi"]),
    ("0901000004", ["/ket-qua/can-ghi", "/tinh-nguyen-vien/chung-nhan"]),
])
def test_the_demo_accounts_reach_their_coverage_pages(client, auth, runner, db, phone, pages):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert auth.login(normalize_phone(phone), DEMO_PASSWORD).status_code == 303
    user = db.session.scalar(select(User).where(User.phone == normalize_phone(phone)))
    expected = {"0901000002": {"/do-bao-phu/xuat.xlsx?level=all": 403}}.get(phone, {})
    for page in pages:
        response = client.get(page, follow_redirects=True)
        assert response.status_code == expected.get(page, 200), (user.full_name, page)
    done = db.session.scalar(select(Session).where(Session.status == SessionStatus.DONE))
    if user.is_leader:
        html = client.get(f"/buoi/{done.id}/ket-qua").get_data(as_text=True)
        assert "Trần Văn Hùng" in html and "Sửa kết quả" in html


def test_a_ward_page_asks_the_same_number_of_queries_for_more_groups(client, auth, make, db):
    def ward_with(n):
        ward = make.ward()
        topic = make.topic()
        for i in range(n):
            group = make.group(ward, adults_count=10)
            make.request(make.resident(group), topics=[topic])
            make.volunteer(f"Tình Nguyện {n}-{i}", groups=[group], topics=[topic])
        return ward

    small, large = ward_with(2), ward_with(8)
    admin = make.admin()
    make.commit()
    auth.login(admin.phone)
    client.get(f"/do-bao-phu/phuong/{small.id}")  # warm up

    def queries(ward):
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/do-bao-phu/phuong/{ward.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert queries(small) == queries(large)
