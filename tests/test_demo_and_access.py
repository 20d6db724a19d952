"""Demo data loads twice without change; the demo logins work; pages answer only their roles."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import HelpRequest, Resident, Target, Topic, User, Ward
from app.requests.services import CODE_LENGTH, TRACKING_ALPHABET
from app.seeding.demo import ACCOUNTS, DEMO_PASSWORD


def _counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Ward, Topic, Target, User, Resident, HelpRequest))


def test_seed_demo_is_idempotent_and_vietnamese(runner, db):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = _counts(db)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert _counts(db) == first
    names = set(db.session.scalars(select(Ward.name)))
    assert {"Phường Hàng Gai", "Phường Hoàn Kiếm"} <= names
    assert db.session.scalar(select(Ward.district).where(Ward.code == "HG")) == "Quận Hoàn Kiếm"
    core = set(db.session.scalars(select(Topic.slug).where(Topic.core.is_(True))))
    assert core == {"dien-thoai", "zalo", "ngan-hang-so", "lua-dao"}
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 13


def test_demo_tracking_codes_are_spelt_like_the_forms(runner, db):
    """No letter the request form leaves out (I, L, O, 0, 1: misheard on the phone)."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    codes = db.session.scalars(select(HelpRequest.code)).all()
    assert codes
    assert all(len(code) == CODE_LENGTH and set(code) <= set(TRACKING_ALPHABET)
               for code in codes), codes


def test_seed_demo_if_empty_leaves_existing_data_alone(runner, make, db):
    make.ward(name="Phường Có Sẵn")
    make.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "bỏ qua" in result.output
    assert db.session.scalar(select(func.count()).select_from(Ward)) == 1


@pytest.mark.parametrize("phone", [a[0] for a in ACCOUNTS])
def test_every_demo_login_works(app, client, auth, runner, phone):
    runner.invoke(args=["seed-demo"])
    response = auth.login(phone, DEMO_PASSWORD)
    assert response.status_code == 303
    assert "Đăng xuất" in client.get("/").get_data(as_text=True)


def test_demo_logins_command_lists_the_accounts(runner):
    output = runner.invoke(args=["demo-logins"]).output
    assert DEMO_PASSWORD in output and "0901 000 003" in output


def test_admin_page_answers_only_administrators(client, auth, make):
    ward = make.ward()
    group = make.group(ward)
    admin = make.admin()
    leader = make.leader(group)
    make.commit()
    assert client.get("/quan-tri").status_code == 302  # anonymous: to the login page
    auth.login(leader.phone)
    assert client.get("/quan-tri").status_code == 403
    auth.logout()
    auth.login(admin.phone)
    assert client.get("/quan-tri").status_code == 200


def test_an_htmx_request_needing_login_redirects_the_whole_page(client):
    response = client.get("/quan-tri", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/dang-nhap")


def test_navigation_shows_each_role_what_it_can_do(client, auth, make):
    admin = make.admin()
    make.commit()
    anonymous = client.get("/").get_data(as_text=True)
    assert "Đăng nhập" in anonymous and "Quản trị" not in anonymous
    auth.login(admin.phone)
    assert "Quản trị" in client.get("/").get_data(as_text=True)


def test_signed_in_pages_are_not_cached(client, auth, make):
    admin = make.admin()
    make.commit()
    auth.login(admin.phone)
    response = client.get("/quan-tri")
    assert response.headers["Cache-Control"] == "no-store"
    assert 'hx-history="false"' in response.get_data(as_text=True)
