"""The pages the benchmarks measure, and who they are measured as.

A page is a URL template with placeholders filled from the database (see
`placeholders`), the role whose account is used (None: not signed in), and
whether it is an htmx fragment. Add the new pages here as the areas ship
them; every benchmark (latency, throughput, page weight) reads this list.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import create_engine, text


@dataclass(frozen=True)
class Page:
    name: str
    url: str                       # e.g. "/to/{group_code}/lich"
    role: str | None = None        # a key of app.seeding.profiles.KNOWN_ACCOUNTS
    fragment: bool = False         # sent with HX-Request: true
    action: str | None = None      # a write: a key of bench.actions.ACTIONS builds each request
    throughput: bool = False       # also measured under load by bench.throughput
    first_load: bool = False       # weighed with its CSS/JS by bench.page_weight


PAGES: list[Page] = [
    Page("trang chủ", "/", first_load=True, throughput=True),
    Page("đăng nhập", "/dang-nhap", first_load=True),
    Page("healthz", "/healthz"),
    # A resident (or a grandchild) files a request from the group's poster.
    Page("mẫu yêu cầu", "/xin-ho-tro?to={group_code}", first_load=True, throughput=True),
    Page("chọn phường → tổ", "/xin-ho-tro/to-dan-pho?ward={ward_id}", fragment=True),
    Page("kiểm tra số điện thoại", "/xin-ho-tro/kiem-tra", fragment=True,
         action="check_field"),
    Page("gửi yêu cầu", "/xin-ho-tro", action="submit_request"),
    # A volunteer.
    Page("yêu cầu gần bạn", "/yeu-cau-gan-ban", role="volunteer", first_load=True,
         throughput=True),
    Page("nhận yêu cầu", "/yeu-cau-gan-ban/{{id}}/nhan", role="volunteer", fragment=True,
         action="accept"),
    Page("lịch của tôi", "/lich-cua-toi", role="volunteer"),
    Page("chuông thông báo", "/thong-bao/chuong", role="volunteer", fragment=True),
    # A group leader.
    Page("bảng tổ trưởng", "/do-bao-phu", role="leader", first_load=True, throughput=True),
    Page("yêu cầu của tổ", "/yeu-cau-cua-to", role="leader", throughput=True),
    Page("lịch tuần của tổ", "/lich?group={group_id}", role="leader", throughput=True),
    Page("lịch tuần sau", "/lich?group={group_id}&week={next_week}", role="leader",
         fragment=True),
    Page("tìm người dân", "/nguoi-dan?q=nguyen+thi", role="leader", fragment=True),
    # Ward officials and the city.
    Page("tổng hợp phường", "/do-bao-phu/phuong/{ward_id}", role="official", throughput=True),
    Page("tìm người dân (phường)", "/nguoi-dan?q=tran+van", role="official", fragment=True),
    Page("xuất Excel phường", "/do-bao-phu/xuat.xlsx?level=ward&key={ward_id}",
         role="official"),
    Page("tổng hợp thành phố", "/do-bao-phu/toan-he-thong", role="admin"),
    Page("quản trị", "/quan-tri", role="admin", first_load=True, throughput=True),
]

# The trivial route throughput is compared with (same app, same run).
BASELINE = Page("healthz", "/healthz")


def placeholders(url: str) -> dict[str, object]:
    """Values for URL templates, taken from the benchmark database (known accounts' scope)."""
    from config import database_url

    engine = create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            def one(sql: str):
                return conn.execute(text(sql)).scalar()

            group_id = one("""SELECT m.group_id FROM membership m JOIN user_account u
                              ON u.id = m.user_id WHERE u.phone = '+84900000004'
                              AND m.role = 'leader' ORDER BY m.group_id LIMIT 1""")
            ward_id = one("""SELECT m.ward_id FROM membership m JOIN user_account u
                             ON u.id = m.user_id WHERE u.phone = '+84900000002'
                             AND m.role = 'official' LIMIT 1""")
            values = {
                "group_id": group_id,
                "group_code": one(f"SELECT code FROM residential_group WHERE id = {group_id}")
                if group_id else None,
                "ward_id": ward_id,
                "open_request_id": one(f"""SELECT r.id FROM help_request r
                    JOIN residential_group g ON g.id = r.group_id
                    WHERE r.status = 'open' AND g.ward_id = {ward_id or 0}
                    ORDER BY r.id LIMIT 1"""),
                "volunteer_id": one("""SELECT v.id FROM volunteer_profile v JOIN user_account u
                    ON u.id = v.user_id WHERE u.phone = '+84900000005'"""),
                "topic_ids": [row[0] for row in conn.execute(text(
                    "SELECT id FROM topic WHERE active ORDER BY position, id LIMIT 2"))],
                "next_week": (date.today() - timedelta(days=date.today().weekday())
                              + timedelta(days=7)).isoformat(),
            }
    finally:
        engine.dispose()
    return values


def resolve(page: Page, values: dict) -> str:
    return page.url.format(**values)
