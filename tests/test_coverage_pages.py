"""Coverage pages as leaders, officials and administrators use them: scope, lists behind
the numbers, exports, the monthly report, denominators and targets."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.clock import today_local, utcnow
from app.coverage import areas
from app.coverage import monthly
from app.models import AuditEvent, Group, Indicator, Target, Topic
from tests.conftest import csrf_token_from
from tests.coverage_helpers import FigureCells, town, vn_number


def login(auth, user):
    response = auth.login(user.phone)
    assert response.status_code == 303


def test_a_leader_sees_only_their_own_groups(client, auth, make):
    t = town(make)
    leader = make.leader(t.g1, name="Tổ Trưởng Một")
    make.commit()
    login(auth, leader)
    page = client.get("/do-bao-phu").get_data(as_text=True)
    assert 'id="group-%d"' % t.g1.id in page and 'id="group-%d"' % t.g2.id not in page
    assert client.get(f"/do-bao-phu/to/{t.g1.id}").status_code == 200
    assert client.get(f"/do-bao-phu/to/{t.g2.id}").status_code == 403
    assert client.get(f"/do-bao-phu/to/{t.g2.id}/mau-so").status_code == 403
    assert client.get(f"/do-bao-phu/phuong/{t.hg.id}").status_code == 403
    assert client.get(f"/do-bao-phu/so-lieu/reached?level=group&key={t.g2.id}").status_code \
        == 403
    assert client.get(f"/do-bao-phu/so-lieu/reached?level=ward&key={t.hg.id}").status_code \
        == 403
    assert client.get(f"/do-bao-phu/xuat.csv?level=ward&key={t.hg.id}").status_code == 403
    assert client.get("/do-bao-phu/xuat.csv?level=all").status_code == 403
    assert client.get(f"/do-bao-phu/so-lieu/reached?level=group&key={t.g1.id}").status_code \
        == 200
    assert client.get("/do-bao-phu/so-lieu/reached?level=mine").status_code == 200


def test_an_official_sees_every_group_of_their_ward_and_nothing_beyond(client, auth, make):
    t = town(make)
    official = make.official(t.hg)
    make.commit()
    login(auth, official)
    assert client.get("/do-bao-phu").headers["Location"].endswith("/do-bao-phu/phuong")
    assert client.get("/do-bao-phu/phuong").headers["Location"].endswith(
        f"/do-bao-phu/phuong/{t.hg.id}")
    page = client.get(f"/do-bao-phu/phuong/{t.hg.id}").get_data(as_text=True)
    for group in (t.g1, t.g2, t.g3):
        assert f'id="row-group-{group.id}"' in page
    assert f'id="row-group-{t.g4.id}"' not in page
    assert client.get(f"/do-bao-phu/phuong/{t.hk.id}").status_code == 403
    assert client.get(f"/do-bao-phu/to/{t.g4.id}").status_code == 403
    assert client.get("/do-bao-phu/toan-he-thong").status_code == 403
    district = client.get("/do-bao-phu/quan?ten=Quận Hoàn Kiếm").get_data(as_text=True)
    assert f'id="row-ward-{t.hg.id}"' in district and f'id="row-ward-{t.hk.id}"' not in district
    assert client.get("/do-bao-phu/quan?ten=Quận Ba Đình").status_code == 403
    assert client.get("/do-bao-phu/quan?ten=Quận Không Có").status_code == 404


def test_the_ward_page_shows_the_hand_counted_figures_worst_first(client, auth, make):
    t = town(make)
    login(auth, make.official(t.hg))
    make.commit()
    html = client.get(f"/do-bao-phu/phuong/{t.hg.id}").get_data(as_text=True)
    cells = FigureCells(html)
    g1 = cells[f"row-group-{t.g1.id}"]
    assert (g1["reached"], g1["households_basic"], g1["adults_basic"], g1["smartphone"],
            g1["epayment"]) == ("4", "2", "2", "4", "3")
    assert (g1["share:adults_basic"], g1["share:smartphone"], g1["share:epayment"]) == (
        "20,0%", "40,0%", "30,0%")
    assert (g1["adults"], g1["households"], g1["open_requests"]) == ("10", "4", "3")
    total = cells["row-total"]
    assert (total["reached"], total["adults_basic"], total["share:adults_basic"],
            total["share:epayment"]) == ("6", "4", "20,0%", "33,3%")
    assert cells[f"row-group-{t.g3.id}"]["share:adults_basic"] == "chưa có mẫu số"
    order = [html.index(f'id="row-group-{g.id}"') for g in (t.g3, t.g1, t.g2)]
    assert order == sorted(order)  # unserved (tổ 3, tổ 1) first, then tổ 2
    assert "Chưa có tình nguyện viên" in html and "Có yêu cầu chờ quá 7 ngày" in html


def test_every_figure_links_to_the_list_of_exactly_that_many(client, auth, make):
    t = town(make)
    login(auth, make.official(t.hg))
    make.commit()
    cells = FigureCells(client.get(f"/do-bao-phu/phuong/{t.hg.id}").get_data(as_text=True))
    checked = 0
    for row_id, links in cells.links.items():
        for figure in ("reached", "households_basic", "adults_basic", "smartphone",
                       "epayment", "open_requests", "volunteers"):
            listing = client.get(links[figure]).get_data(as_text=True)
            total = listing.split('data-total="')[1].split('"')[0]
            assert total == cells[row_id][figure], (row_id, figure)
            checked += 1
    assert checked == 4 * 7
    shown = cells["row-total"]["unserved"].split()[0]  # "3 tổ chưa được phục vụ"
    unserved = client.get(cells.links["row-total"]["unserved"]).get_data(as_text=True)
    assert f'data-total="{shown}"' in unserved and "Tổ 3" in unserved


def test_a_figure_list_names_the_residents_behind_it_and_is_audited(client, auth, make, db):
    t = town(make)
    official = make.official(t.hg)
    make.commit()
    login(auth, official)
    page = client.get(f"/do-bao-phu/so-lieu/adults_basic?level=group&key={t.g1.id}")
    html = page.get_data(as_text=True)
    assert "Nguyễn Thị Một" in html and "Hoàng Văn Năm" in html
    assert "Phạm Bé Bốn" not in html  # basic skills, but a child
    assert "Cách tính:" in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "view"))
    assert (event.subject, event.ward_id, event.actor_id) == (
        "coverage:adults_basic", t.hg.id, official.id)


def test_a_long_list_comes_in_pages_and_htmx_swaps_only_the_list(client, auth, make):
    group = make.group(adults_count=100)
    for i in range(53):
        make.request(make.resident(group, name=f"Người Dân {i}"), created_at=utcnow()
                     - timedelta(hours=i + 1))
    leader = make.leader(group)
    make.commit()
    login(auth, leader)
    url = f"/do-bao-phu/so-lieu/open_requests?level=group&key={group.id}"
    first = client.get(url).get_data(as_text=True)
    assert 'data-total="53"' in first and first.count("<code>") == 50
    assert "Trang 1 / 2" in first
    second = client.get(url + "&page=2", headers={"HX-Request": "true"})
    body = second.get_data(as_text=True)
    assert "<html" not in body and body.count("<code>") == 3
    assert 'id="figure-list"' in body
    assert "HX-Request" in second.headers["Vary"]


def test_exports_hold_the_same_numbers_as_the_page(client, auth, make, db):
    t = town(make)
    official = make.official(t.hg)
    make.commit()
    login(auth, official)
    cells = FigureCells(client.get(f"/do-bao-phu/phuong/{t.hg.id}").get_data(as_text=True))
    labels = {f"row-group-{g.id}": g.name for g in (t.g1, t.g2, t.g3)}

    response = client.get(f"/do-bao-phu/xuat.csv?level=ward&key={t.hg.id}")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[0] == "Tổ dân phố" and "Người dân đã được hỗ trợ" in header
    assert "Người có kỹ năng số cơ bản — tỉ lệ (%)" in header
    by_name = {r[0]: dict(zip(header, r)) for r in rows[1:]}

    xlsx = client.get(f"/do-bao-phu/xuat.xlsx?level=ward&key={t.hg.id}")
    workbook = load_workbook(io.BytesIO(xlsx.get_data()))
    sheet = workbook["Độ bao phủ"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header
    by_name_xlsx = {r[0]: dict(zip(header, r)) for r in values[1:]}

    columns = {"reached": "Người dân đã được hỗ trợ",
               "adults_basic": "Người có kỹ năng số cơ bản",
               "share:adults_basic": "Người có kỹ năng số cơ bản — tỉ lệ (%)",
               "smartphone": "Có điện thoại thông minh",
               "share:smartphone": "Có điện thoại thông minh — tỉ lệ (%)",
               "share:epayment": "Có tài khoản thanh toán điện tử — tỉ lệ (%)",
               "households_basic": "Hộ có người có kỹ năng số cơ bản",
               "open_requests": "Yêu cầu đang chờ",
               "volunteers": "Tình nguyện viên phục vụ",
               "adults": "Người trưởng thành (mẫu số)"}
    for row_id, name in [*labels.items(), ("row-total", "Tổng: Phường Hàng Gai")]:
        for figure, column in columns.items():
            shown = vn_number(cells[row_id][figure]) if cells[row_id][figure] not in (
                "chưa có mẫu số",) else None
            from_csv = float(by_name[name][column]) if by_name[name][column] else None
            from_xlsx = by_name_xlsx[name][column]
            assert shown == from_csv == (float(from_xlsx) if from_xlsx is not None else None), (
                name, figure)
    assert by_name_xlsx["Tổ 1"]["Người có kỹ năng số cơ bản — chỉ tiêu"] == "> 85%"
    assert by_name_xlsx["Tổ 1"]["Người có kỹ năng số cơ bản — đánh giá"] == "Chưa đạt"
    topics = list(workbook["Theo chủ đề"].iter_rows(values_only=True))
    assert topics[0][0] == "Chủ đề" and ("Dùng điện thoại thông minh cơ bản", 3, 1, 2) in topics
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert {e.subject for e in exports} == {"export:coverage-ward"} and len(exports) == 2
    assert all(e.ward_id == t.hg.id and e.actor_id == official.id for e in exports)


def test_the_leader_enters_the_groups_denominators(client, auth, make, db):
    group = make.group()
    leader = make.leader(group)
    make.commit()
    login(auth, leader)
    url = f"/do-bao-phu/to/{group.id}/mau-so"
    token = csrf_token_from(client.get(url))
    bad = client.post(url, data={"csrf_token": token, "adults_count": "nhiều",
                                 "households_count": "12",
                                 "denominators_on": (today_local() + timedelta(days=3))
                                 .isoformat()})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Vui lòng nhập một số nguyên" in html and "không thể ở tương lai" in html
    assert 'value="nhiều"' in html  # what was typed is kept
    htmx = client.post(url, data={"csrf_token": token, "adults_count": "-1"},
                       headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and "<html" not in htmx.get_data(as_text=True)
    good = client.post(url, data={"csrf_token": token, "adults_count": "1.240",
                                  "households_count": "410", "denominators_on": "2026-05-01"})
    assert good.status_code == 303
    assert good.headers["Location"].endswith(f"/do-bao-phu/to/{group.id}")
    db.session.expire_all()
    group = db.session.get(Group, group.id)
    assert (group.adults_count, group.households_count, group.denominators_on) == (
        1240, 410, date(2026, 5, 1))


def test_the_monthly_ward_report_counts_the_month(client, auth, make, db):
    t = town(make)
    area = areas.Area(areas.Level.WARD, t.hg.id, t.hg.name,
                  select(Group.id).where(Group.ward_id == t.hg.id), ward=t.hg)
    rows, total = monthly.monthly_activity(area, date(2026, 5, 1))
    by_name = {r.label: r for r in rows}
    # May 2026 (Hà Nội time): requests of tổ 1 made 2, 4, 5, 10 and 12 days before NOW
    # (q1, 20 days before, was on 30 April); tổ 2: 1, 3 and 10 days before.
    assert (by_name["Tổ 1"].requests, by_name["Tổ 2"].requests, total.requests) == (5, 3, 8)
    assert (by_name["Tổ 1"].sessions_done, by_name["Tổ 2"].sessions_done,
            by_name["Tổ 3"].sessions_done) == (2, 2, 1)
    assert (total.attendances, total.residents_helped, total.newly_reached) == (8, 6, 6)
    assert (by_name["Tổ 1"].hours, total.hours) == (3.5, 4.75)
    april, april_total = monthly.monthly_activity(area, date(2026, 4, 1))
    assert april_total.sessions_done == 1 and april_total.hours == 3.0  # the 25 April class

    official = make.official(t.hg)
    make.commit()
    login(auth, official)
    page = client.get(f"/do-bao-phu/phuong/{t.hg.id}/bao-cao-thang?thang=2026-05")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Báo cáo tháng 5/2026" in html
    assert "data-print" in html and 'id="month-table"' in html
    assert client.get(f"/do-bao-phu/phuong/{t.hg.id}/bao-cao-thang?thang=2026-13"
                      ).status_code == 400
    assert client.get(f"/do-bao-phu/phuong/{t.hk.id}/bao-cao-thang").status_code == 403
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.subject, event.detail) == (f"report:monthly-ward:{t.hg.id}", "2026-05")


def test_officials_set_their_wards_targets_and_leaders_cannot(client, auth, make, db):
    t = town(make)
    official, leader = make.official(t.hg), make.leader(t.g1)
    make.commit()
    login(auth, leader)
    assert client.get(f"/do-bao-phu/chi-tieu?level=ward&key={t.hg.id}").status_code == 403
    auth.logout()
    login(auth, official)
    url = f"/do-bao-phu/chi-tieu?level=ward&key={t.hg.id}"
    page = client.get(url)
    assert 'value="40' in page.get_data(as_text=True)  # the ward's smartphone target
    token = csrf_token_from(page)
    bad = client.post(url, data={"csrf_token": token, "adults_basic_percent": "120"})
    assert bad.status_code == 422 and "từ 0 đến 100" in bad.get_data(as_text=True)
    good = client.post(url, data={"csrf_token": token, "adults_basic_percent": "90,5",
                                  "adults_basic_strict": "y", "smartphone_percent": ""})
    assert good.status_code == 303
    targets = {t_.indicator: t_ for t_ in db.session.scalars(
        select(Target).where(Target.ward_id == t.hg.id))}
    assert set(targets) == {Indicator.ADULTS_BASIC}  # the smartphone one was removed
    assert targets[Indicator.ADULTS_BASIC].percent == Decimal("90.5")
    assert targets[Indicator.ADULTS_BASIC].strictly_above is True
    assert client.get(f"/do-bao-phu/chi-tieu?level=ward&key={t.hk.id}").status_code == 403
    assert client.get("/do-bao-phu/chi-tieu?level=all").status_code == 403
    group_url = f"/do-bao-phu/chi-tieu?level=group&key={t.g2.id}"
    assert client.post(group_url, data={"csrf_token": token, "epayment_percent": "60"}
                       ).status_code == 303
    assert db.session.scalar(select(Target.percent).where(Target.group_id == t.g2.id)) == 60


def test_an_administrator_chooses_the_core_topics(client, auth, make, db):
    t = town(make)
    admin = make.admin()
    make.commit()
    login(auth, admin)
    page = client.get("/do-bao-phu/chu-de-co-ban")
    token = csrf_token_from(page)
    response = client.post("/do-bao-phu/chu-de-co-ban",
                           data={"csrf_token": token, "topics": [str(t.a.id), str(t.c.id)]})
    assert response.status_code == 303
    core = set(db.session.scalars(select(Topic.id).where(Topic.core.is_(True))))
    assert core == {t.a.id, t.c.id}
    bad = client.post("/do-bao-phu/chu-de-co-ban", data={"csrf_token": token,
                                                         "topics": ["99999"]})
    assert bad.status_code == 422
    definitions = client.get("/do-bao-phu/cach-tinh").get_data(as_text=True)
    assert f"{t.c.name} (1 kỹ năng)" in definitions
    assert f"{t.b.name} (1 kỹ năng)" not in definitions


def test_charts_are_drawn_on_the_server_without_inline_style(client, auth, make):
    t = town(make)
    make.commit()
    login(auth, make.admin())
    make.commit()
    for url in (f"/do-bao-phu/phuong/{t.hg.id}", "/do-bao-phu/toan-he-thong",
                f"/do-bao-phu/to/{t.g1.id}", f"/do-bao-phu/phuong/{t.hg.id}/bao-cao-thang"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert " style=" not in html and "<style" not in html and "<script>" not in html
    html = client.get(f"/do-bao-phu/phuong/{t.hg.id}").get_data(as_text=True)
    assert html.count('<svg class="chart-svg"') == 3 and 'role="img"' in html
    assert "<title" in html and 'class="target-line"' in html


def test_the_administrator_sees_the_whole_installation(client, auth, make):
    t = town(make)
    admin = make.admin()
    make.commit()
    login(auth, admin)
    assert client.get("/do-bao-phu").headers["Location"].endswith("/do-bao-phu/toan-he-thong")
    html = client.get("/do-bao-phu/toan-he-thong").get_data(as_text=True)
    for ward in (t.hg, t.hk, t.bd):
        assert f'id="row-ward-{ward.id}"' in html
    assert "Quận Ba Đình" in html
    cells = FigureCells(html)
    assert cells["row-total"]["reached"] == "7"  # 6 in Hàng Gai, 1 in Hoàn Kiếm
    xlsx = client.get("/do-bao-phu/xuat.xlsx?level=all")
    rows = list(load_workbook(io.BytesIO(xlsx.get_data()))["Độ bao phủ"].iter_rows(
        values_only=True))
    assert rows[0][0] == "Phường / xã" and rows[-1][0] == "Tổng: Toàn hệ thống"
    assert rows[-1][rows[0].index("Người dân đã được hỗ trợ")] == 7


def test_anonymous_people_are_sent_to_log_in(client, make):
    t = town(make)
    assert client.get("/do-bao-phu").status_code == 302
    assert client.get(f"/do-bao-phu/phuong/{t.hg.id}").status_code == 302
    response = client.get("/do-bao-phu/xuat.csv?level=all", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/dang-nhap")


def test_unknown_figures_and_areas_are_not_found(client, auth, make, db):
    t = town(make)
    login(auth, make.admin())
    make.commit()
    assert client.get("/do-bao-phu/so-lieu/khong-co?level=all").status_code == 404
    assert client.get("/do-bao-phu/so-lieu/reached?level=ward&key=abc").status_code == 404
    assert client.get("/do-bao-phu/so-lieu/reached?level=vu-tru").status_code == 404
    assert client.get(f"/do-bao-phu/so-lieu/demand?level=ward&key={t.hg.id}").status_code \
        == 404  # needs a topic
    assert client.get("/do-bao-phu/xuat.pdf?level=all").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, auth, make):
    ward = make.ward()
    make.group(ward, "=HYPERLINK(\"http://lua-dao.example\")", adults_count=3)
    official = make.official(ward)
    make.commit()
    login(auth, official)
    text = client.get(f"/do-bao-phu/xuat.csv?level=ward&key={ward.id}").get_data().decode(
        "utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][0].startswith("'=HYPERLINK")
    xlsx = client.get(f"/do-bao-phu/xuat.xlsx?level=ward&key={ward.id}")
    sheet = load_workbook(io.BytesIO(xlsx.get_data()))["Độ bao phủ"]
    assert sheet["A2"].value.startswith("'=HYPERLINK") and sheet["A2"].data_type == "s"
