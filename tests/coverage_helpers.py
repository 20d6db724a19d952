"""A small town whose coverage figures are computed by hand below, and factories for outcomes.

NOW is Wednesday 20 May 2026, 10:00 in Hà Nội. Every figure the tests expect is
written out next to the data that produces it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

from app.clock import utcnow
from app.models import (Enrollment, EnrollmentStatus, Household, Indicator, Outcome,
                        RequestStatus, SessionKind, SessionStatus, SessionVolunteer, Target)

NOW = datetime(2026, 5, 20, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Nội


def days_ago(days: float, now: datetime = NOW) -> datetime:
    return now - timedelta(days=days)


def household(make, group, address: str) -> Household:
    from app.text import fold

    return make._add(Household(group_id=group.id, address=address, address_key=fold(address)))


def attended(make, resident, session, skills=(), attended: bool = True, request=None,
             confidence: int | None = 4) -> Outcome:
    """A seat in `session` for `resident` with its outcome (as if logged)."""
    enrollment = make._add(Enrollment(session_id=session.id, resident_id=resident.id,
                                      request_id=getattr(request, "id", None)))
    return make._add(Outcome(enrollment_id=enrollment.id, attended=attended,
                             confidence=confidence if attended else None,
                             skills=list(skills)))


def past_session(make, group, starts_at, *, volunteers=(), hours=None, topics=(),
                 status=SessionStatus.DONE, length: float = 2.0, **kw):
    session = make.session(group, starts_at=starts_at, hours=length, topics=topics,
                           status=status, **kw)
    for volunteer in volunteers:
        session.volunteers.append(SessionVolunteer(volunteer_id=volunteer.volunteer_profile.id,
                                                   hours=hours))
    make.db.session.flush()
    return session


def town(make):
    """Two wards of quận Hoàn Kiếm and one of quận Ba Đình, with figures known by hand."""
    db = make.db
    year = NOW.year
    hg = make.ward("Phường Hàng Gai", district="Quận Hoàn Kiếm")
    hk = make.ward("Phường Hoàn Kiếm", district="Quận Hoàn Kiếm")
    bd = make.ward("Phường Ba Đình", district="Quận Ba Đình")
    g1 = make.group(hg, "Tổ 1", adults_count=10, households_count=4,
                    denominators_on=date(2026, 5, 1), position=1)
    g2 = make.group(hg, "Tổ 2", adults_count=5, households_count=2,
                    denominators_on=date(2026, 5, 2), position=2)
    g3 = make.group(hg, "Tổ 3", position=3)  # no denominators entered
    g4 = make.group(hk, "Tổ 4", adults_count=8, households_count=3, position=1)
    g5 = make.group(bd, "Tổ 5", adults_count=4, households_count=2, position=1)

    # Catalogue: two required core topics (A is smartphone basics, B digital banking).
    a = make.topic("Dùng điện thoại thông minh cơ bản", core=True, skills=("a1", "a2"))
    a.slug = "dien-thoai"
    b = make.topic("Ngân hàng số và thanh toán QR", core=True, skills=("b1",))
    b.slug = "ngan-hang-so"
    c = make.topic("Dịch vụ công trực tuyến", skills=("c1",))
    retired = make.topic("Chủ đề cũ", core=True, skills=("x1",))
    retired.active = False  # inactive: not required
    make.topic("Chủ đề chưa có kỹ năng", core=True, skills=())  # no checklist: not required
    a1, a2 = a.skills
    (b1,), (c1,), (x1,) = b.skills, c.skills, retired.skills
    db.session.flush()

    # Volunteers: v1 serves tổ 1 (A, C); v6 serves tổ 2 (C); v3 unverified and v4 revoked
    # do not count; v2 serves the whole of phường Hoàn Kiếm (A, B); v5 serves tổ 4 (A).
    v1 = make.volunteer("Trần Văn Một", groups=[g1], topics=[a, c])
    v6 = make.volunteer("Lê Thị Sáu", groups=[g2], topics=[c])
    make.volunteer("Vũ Văn Ba", verified=False, groups=[g2], topics=[a, b])
    v4 = make.volunteer("Đỗ Văn Bốn", groups=[g3], topics=[a, b])
    v4.volunteer_profile.revoked_at = utcnow()
    v2 = make.volunteer("Phạm Văn Hai", wards=[hk], topics=[a, b])
    v5 = make.volunteer("Hoàng Văn Năm", groups=[g4], topics=[a])

    # --- tổ 1 -----------------------------------------------------------------------------
    h1, h2, h3 = (household(make, g1, f"{n} ngõ Hàng Gai") for n in (1, 2, 3))
    r1 = make.resident(g1, "Nguyễn Thị Một", household_id=h1.id, has_smartphone=False)
    r2 = make.resident(g1, "Trần Văn Hai", household_id=h1.id, has_smartphone=True,
                       has_epayment=True, surveyed_on=date(2026, 5, 2))
    r3 = make.resident(g1, "Lê Thị Ba", household_id=h2.id, has_smartphone=True)
    r4 = make.resident(g1, "Phạm Bé Bốn", household_id=h3.id, birth_year=year - 10)
    r5 = make.resident(g1, "Hoàng Văn Năm", birth_year=None)  # no household
    s1 = past_session(make, g1, days_ago(5), volunteers=[v1], hours=1.5, topics=[a],
                      kind=SessionKind.CLASS)
    s2 = past_session(make, g1, days_ago(3), volunteers=[v1], hours=None, topics=[a, b],
                      length=2.0)  # hours not recorded: its length, 2 hours, counts
    attended(make, r1, s1, [a1, a2])
    attended(make, r1, s2, [b1])          # r1: A and B over two sessions -> basic skills
    attended(make, r2, s1, [a1])          # r2: reached, not basic
    attended(make, r3, s1, attended=False)  # r3: did not come -> not reached
    attended(make, r4, s2, [a1, a2, b1])  # r4: basic but a child
    attended(make, r5, s2, [a1, a2, b1, x1])  # r5: basic, no household
    # An older session of last month, done: its hours are not this month's.
    past_session(make, g1, days_ago(25), volunteers=[v1], hours=3, topics=[a])
    # A cancelled session this month: no hours.
    past_session(make, g1, days_ago(2), volunteers=[v1], hours=4, topics=[a],
                 status=SessionStatus.CANCELLED)
    # tổ 1: reached r1 r2 r4 r5 = 4; adults with basic skills r1 r5 = 2 (of 10: 20%);
    # households with basic skills h1 h3 = 2 (of 4: 50%); smartphone r1 (topic A) r2 r3
    # (survey) r5 (topic A) = 4 (40%); e-payment r1 r5 (topic B) r2 (survey) = 3 (30%).
    # Hours this month: 1.5 + 2 = 3.5.

    # --- tổ 2 -----------------------------------------------------------------------------
    h4 = household(make, g2, "4 phố Hàng Gai")
    r7 = make.resident(g2, "Đặng Thị Bảy", household_id=h4.id, has_smartphone=True)
    r8 = make.resident(g2, "Bùi Văn Tám", has_smartphone=True, has_epayment=True)
    s3 = past_session(make, g2, days_ago(6), volunteers=[v6], hours=1.25, topics=[a])
    s4 = past_session(make, g2, days_ago(4), topics=[b])  # no volunteer: no hours
    attended(make, r7, s3, [a1, a2])
    attended(make, r7, s4, [b1])
    # tổ 2: reached 1; adults basic 1 (20%); households 1 (50%); smartphone r7 r8 = 2 (40%);
    # e-payment r7 (topic B) r8 (survey) = 2 (40%). Hours 1.25.

    # --- tổ 3 (no denominators) ---------------------------------------------------------------
    r9 = make.resident(g3, "Ngô Văn Chín")
    s5 = past_session(make, g3, days_ago(7), topics=[a, b])
    attended(make, r9, s5, [a1, a2, b1])
    # tổ 3: reached 1; adults basic 1; smartphone 1 (topic A); e-payment 1 (topic B); no
    # shares (no denominators). phường Hàng Gai: smartphone 7 (6 of 15 with denominators:
    # 40%), e-payment 6 (5 of 15: 33.3%), adults basic 4 (3 of 15: 20%), households 3 of 6.

    # --- tổ 4 (phường Hoàn Kiếm) and tổ 5 (phường Ba Đình) -------------------------------------
    h5 = household(make, g4, "9 Lê Thái Tổ")
    r10 = make.resident(g4, "Vương Thị Mười", household_id=h5.id, has_epayment=True)
    s6 = past_session(make, g4, days_ago(8), volunteers=[v5, v2], hours=2, topics=[a, b])
    attended(make, r10, s6, [a1, a2, b1])
    r11 = make.resident(g5, "Đinh Văn Mười Một", has_smartphone=True)
    # tổ 4: reached 1, adults basic 1 (1/8), households 1 (1/3), smartphone 1 (topic A),
    # e-payment 1; hours 4. tổ 5: smartphone 1 (1/4); nothing else; no volunteer.

    # --- requests ------------------------------------------------------------------------------
    def req(resident, topics, age, status=RequestStatus.OPEN):
        return make.request(resident, topics=topics, status=status, created_at=days_ago(age))

    # Open: tổ 1 waited 2, 4, 10 days (median 4, oldest 10 > 7: unserved); tổ 2 waited 1 and
    # 3 days (median 2, oldest 3); tổ 4 waited 5 days. Not open: not counted.
    req(r1, [a], 2)
    req(r2, [a, c], 4)
    req(r3, [b], 10)
    req(r7, [a], 1)
    req(r8, [c], 3)
    req(r10, [a, b], 5)
    req(r2, [c], 12, status=RequestStatus.ASSIGNED)
    req(r9, [a], 40, status=RequestStatus.CANCELLED)
    # phường Hàng Gai: 5 open requests, waits 1 2 3 4 10: median 3, oldest 10.
    # Demand there: A 3, B 1, C 2. Supply: A v1 = 1; B 0; C v1 v6 = 2.

    # Request to first session (requests of the last 90 days): tổ 1 q1 3 days (own session;
    # a later one does not count), q2 6 days (a seat in a class); tổ 2 q5 1 day.
    # Excluded: q3 (100 days old), q4 (its only session was cancelled).
    q1 = req(r1, [a], 20, status=RequestStatus.DONE)
    make.session(g1, starts_at=days_ago(17), request_id=q1.id, kind=SessionKind.ONE_TO_ONE,
                 status=SessionStatus.CONFIRMED)
    make.session(g1, starts_at=days_ago(11), request_id=q1.id, kind=SessionKind.ONE_TO_ONE,
                 status=SessionStatus.CONFIRMED)
    q2 = req(r2, [b], 30, status=RequestStatus.DONE)
    cls = make.session(g1, starts_at=days_ago(24), status=SessionStatus.CONFIRMED)
    make._add(Enrollment(session_id=cls.id, resident_id=r2.id, request_id=q2.id))
    q3 = req(r3, [a], 100, status=RequestStatus.DONE)
    make.session(g1, starts_at=days_ago(97), request_id=q3.id, status=SessionStatus.CONFIRMED)
    q4 = req(r4, [a], 5, status=RequestStatus.SCHEDULED)
    make.session(g1, starts_at=days_ago(1), request_id=q4.id, status=SessionStatus.CANCELLED)
    waitlisted = make.session(g1, starts_at=days_ago(2), status=SessionStatus.CONFIRMED)
    make._add(Enrollment(session_id=waitlisted.id, resident_id=r4.id, request_id=q4.id,
                         status=EnrollmentStatus.CANCELLED))
    q5 = req(r7, [a], 10, status=RequestStatus.DONE)
    make.session(g2, starts_at=days_ago(9), request_id=q5.id, status=SessionStatus.CONFIRMED)
    # tổ 1 median (3, 6) = 4.5; tổ 2: 1; phường Hàng Gai (1, 3, 6): 3.

    # --- targets -------------------------------------------------------------------------------
    for indicator, percent, strict in ((Indicator.HOUSEHOLDS_BASIC, 100, False),
                                       (Indicator.ADULTS_BASIC, 85, True),
                                       (Indicator.SMARTPHONE, 85, False),
                                       (Indicator.EPAYMENT, 50, True)):
        make._add(Target(indicator=indicator, percent=percent, strictly_above=strict))
    make._add(Target(indicator=Indicator.SMARTPHONE, percent=40, ward_id=hg.id))
    make._add(Target(indicator=Indicator.EPAYMENT, percent=30, strictly_above=True,
                     group_id=g1.id))
    # tổ 1 smartphone 40% against the ward's 40%: met. tổ 1 e-payment 30% against its own
    # "> 30%": not met. tổ 2 e-payment 40% against the campaign's "> 50%": not met.
    make.commit()
    return SimpleNamespace(**{k: v for k, v in locals().items() if k not in ("make", "db")})


class FigureCells:
    """Reads a coverage page: {row id: {figure or "share:"+figure: text}}."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        cells: dict[str, dict[str, str]] = {}
        links: dict[str, dict[str, str]] = {}
        state = {"row": None, "capture": None, "depth": 0}

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == "tr" and attrs.get("id", "").startswith("row-"):
                    state["row"] = attrs["id"]
                    cells.setdefault(state["row"], {})
                if state["row"] and state["capture"] is None:
                    key = attrs.get("data-figure") or (
                        "share:" + attrs["data-share"] if "data-share" in attrs else None)
                    if key:
                        state["capture"], state["tag"] = key, tag
                        cells[state["row"]][key] = ""
                        if tag == "a":
                            links.setdefault(state["row"], {})[key] = attrs["href"]

            def handle_endtag(self, tag):
                if state["capture"] and tag == state["tag"]:
                    state["capture"] = None
                if tag == "tr":
                    state["row"] = None

            def handle_data(self, data):
                if state["capture"] and state["row"]:
                    cells[state["row"]][state["capture"]] += data.strip()

        Parser().feed(html)
        self.rows = cells
        self.links = links

    def __getitem__(self, row_id):
        return self.rows[row_id]


def vn_number(text: str):
    """"1.234,5%" -> 1234.5; "—" -> None."""
    text = text.strip().rstrip("%").strip()
    if text in ("", "—"):
        return None
    return float(text.replace(".", "").replace(",", "."))
