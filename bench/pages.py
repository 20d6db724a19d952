"""The pages the benchmarks measure, and who they are measured as.

A page is a URL template with placeholders filled from the database (see
`placeholders`), the role whose account is used (None: not signed in), and
whether it is an htmx fragment. Add the new pages here as the areas ship
them; every benchmark (latency, throughput, page weight) reads this list.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import create_engine, text


@dataclass(frozen=True)
class Page:
    name: str
    url: str                       # e.g. "/to/{group_code}/lich"
    role: str | None = None        # a key of app.admin.scale.KNOWN_ACCOUNTS
    fragment: bool = False         # sent with HX-Request: true
    method: str = "GET"
    data: dict = field(default_factory=dict)  # form fields for a POST (CSRF is added)
    # When a page's route does not exist yet, it is reported as missing, not measured.
    throughput: bool = False       # also measured under load by bench.throughput
    first_load: bool = False       # weighed with its CSS/JS by bench.page_weight


PAGES: list[Page] = [
    Page("trang chủ", "/", first_load=True, throughput=True),
    Page("đăng nhập", "/dang-nhap", first_load=True),
    Page("healthz", "/healthz"),
    Page("quản trị", "/quan-tri", role="admin", first_load=True, throughput=True),
    # To come as the areas ship them (a sketch of the list; fix the URLs then):
    # Page("mẫu yêu cầu", "/g/{group_code}", first_load=True),
    # Page("yêu cầu gần bạn", "/tinh-nguyen/yeu-cau", role="volunteer", throughput=True),
    # Page("bảng tổ trưởng", "/to/{group_id}", role="leader", first_load=True, throughput=True),
    # Page("lịch tuần của tổ", "/to/{group_id}/lich", role="leader"),
    # Page("tổng hợp phường", "/phuong/{ward_id}", role="official"),
    # Page("tổng hợp thành phố", "/thanh-pho", role="admin"),
    # Page("tìm người dân", "/nguoi-dan?q=nguyen+thi", role="official"),
    # Page("xuất Excel", "/phuong/{ward_id}/xuat.xlsx", role="official"),
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
            }
    finally:
        engine.dispose()
    return values


def resolve(page: Page, values: dict) -> str:
    return page.url.format(**values)
