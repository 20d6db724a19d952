"""The whole installation's roll-up is counted ahead of time, says when, and can be recounted."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from app.coverage import services as s
from app.coverage import areas
from app.coverage import snapshots
from app.models import CoverageSnapshot
from tests.conftest import csrf_token_from
from tests.coverage_helpers import FigureCells, attended, days_ago, past_session, town


def _login(auth, user):
    assert auth.login(user.phone).status_code == 303


def test_a_snapshot_gives_back_exactly_the_table_it_was_counted_from(make, db):
    town(make)
    area = areas.Area(areas.Level.ALL, None, "Toàn hệ thống", None)
    table = s.build_table(area)
    weeks, balances = s.weekly_activity(area, table.now), s.topic_balance(area)
    stored = json.loads(json.dumps(snapshots.dump(table, weeks, balances)))
    again, again_weeks, again_balances = snapshots.load(area, stored)
    assert again.rows == table.rows and again.total == table.total
    assert (again.now, again.month_start) == (table.now, table.month_start)
    assert again_weeks == weeks and again_balances == balances
    assert [r.indicators["adults_basic"].percent for r in again.rows] == [
        r.indicators["adults_basic"].percent for r in table.rows]


def test_the_administrator_sees_when_the_figures_were_counted_and_can_recount(client, auth,
                                                                              make, db):
    t = town(make)
    admin = make.admin()
    make.commit()
    _login(auth, admin)
    page = client.get("/do-bao-phu/toan-he-thong")
    html = page.get_data(as_text=True)
    assert "Số liệu toàn hệ thống được tính sẵn" in html and "Tính lại ngay" in html
    assert FigureCells(html)["row-total"]["reached"] == "7"
    assert db.session.scalar(select(CoverageSnapshot.area)) == "all"

    # Someone new comes to a class: the snapshot, still fresh, does not count them yet...
    s7 = past_session(make, t.g5, days_ago(1), topics=[t.a])
    attended(make, t.r11, s7, [t.a1])
    make.commit()
    html = client.get("/do-bao-phu/toan-he-thong").get_data(as_text=True)
    assert FigureCells(html)["row-total"]["reached"] == "7"
    # ...while the list behind the figure is live.
    reached = client.get("/do-bao-phu/so-lieu/reached?level=all").get_data(as_text=True)
    assert "Đinh Văn Mười Một" in reached

    response = client.post("/do-bao-phu/toan-he-thong/tinh-lai",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    html = client.get("/do-bao-phu/toan-he-thong").get_data(as_text=True)
    assert "Đã tính lại số liệu toàn hệ thống" in html
    assert FigureCells(html)["row-total"]["reached"] == "8"
    xlsx = client.get("/do-bao-phu/xuat.csv?level=all").get_data(as_text=True)
    assert xlsx.splitlines()[-1].startswith("Tổng: Toàn hệ thống")


def test_an_old_snapshot_is_counted_again_when_the_page_is_opened(client, auth, make, db):
    t = town(make)
    admin = make.admin()
    make.commit()
    _login(auth, admin)
    client.get("/do-bao-phu/toan-he-thong")
    s7 = past_session(make, t.g5, days_ago(1), topics=[t.a])
    attended(make, t.r11, s7, [t.a1])
    snapshot = db.session.scalar(select(CoverageSnapshot))
    snapshot.computed_at -= timedelta(minutes=16)
    make.commit()
    html = client.get("/do-bao-phu/toan-he-thong").get_data(as_text=True)
    assert FigureCells(html)["row-total"]["reached"] == "8"


def test_only_an_administrator_may_recount(client, auth, make):
    t = town(make)
    official = make.official(t.hg)
    make.commit()
    _login(auth, official)
    token = csrf_token_from(client.get(f"/do-bao-phu/phuong/{t.hg.id}"))
    assert client.post("/do-bao-phu/toan-he-thong/tinh-lai",
                       data={"csrf_token": token}).status_code == 403


def test_the_commands_count_the_snapshot_and_check_the_progress(app, make, db):
    town(make)
    make.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["coverage-snapshot"])
    assert result.exit_code == 0 and result.output.startswith("all: ")
    assert db.session.scalar(select(CoverageSnapshot.seconds)) is not None
    result = runner.invoke(args=["coverage-progress"])
    assert result.exit_code == 0 and "sai lệch: 0" in result.output
    result = runner.invoke(args=["coverage-progress", "--rebuild"])
    assert result.exit_code == 0 and "sai lệch: 0" in result.output
