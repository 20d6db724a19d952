"""Calendars: a group's or a ward's week, a volunteer's sessions, and their iCalendar feed."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.models import CalendarFeed, Enrollment, Gender, Place, SessionKind, SessionStatus
from tests.conftest import csrf_token_from
from tests.sessions_helpers import at, booked, next_local_day

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

# Weeks, today and tomorrow: these run at every moment of tests/clock.py.
pytestmark = pytest.mark.clock


@pytest.fixture
def scene(make):
    ward = make.ward(name="Phường Hàng Gai")
    group = make.group(ward, name="Tổ dân phố số 3", community_house="Nhà văn hóa tổ 3")
    neighbour = make.group(ward, name="Tổ dân phố số 5", community_house="Nhà văn hóa tổ 5")
    leader = make.leader(group)
    official = make.official(ward)
    minh = make.volunteer("Trần Văn Minh", groups=[group])
    tuesday = next_local_day(1)
    zalo = booked(make, group, at(tuesday, 9), at(tuesday, 10, 30), volunteers=[minh],
                  title="Cùng bà học dùng Zalo")
    there = booked(make, neighbour, at(tuesday, 14), at(tuesday, 15), title="Lớp VNeID tổ 5")
    binh = make.resident(group, name="Nguyễn Thị Bình", gender=Gender.FEMALE,
                         phone="+84912345678")
    home = booked(make, group, at(tuesday + timedelta(days=3), 19), at(tuesday + timedelta(days=3), 20),
                  volunteers=[minh], kind=SessionKind.ONE_TO_ONE, place=Place.HOME, capacity=1,
                  title="Hỗ trợ Zalo", status=SessionStatus.PROPOSED)
    make.db.session.add(Enrollment(session_id=home.id, resident_id=binh.id))
    make.commit()
    return type("Scene", (), dict(ward=ward, group=group, neighbour=neighbour, leader=leader,
                                  official=official, minh=minh, tuesday=tuesday, zalo=zalo,
                                  there=there, home=home, binh=binh))


def test_the_group_week_shows_local_times_in_vietnamese(client, auth, scene):
    auth.login(scene.leader.phone)
    response = client.get(f"/lich?group={scene.group.id}&week={scene.tuesday.isoformat()}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Thứ Ba, {scene.tuesday.day}/{scene.tuesday.month}/{scene.tuesday.year}" in html
    assert "9:00–10:30" in html  # stored as 2:00 UTC
    assert "2:00" not in html
    assert "Cùng bà học dùng Zalo" in html and "Trần Văn Minh" in html
    assert "Lớp VNeID tổ 5" not in html  # another group


def test_the_ward_week_gathers_every_group(client, auth, scene):
    auth.login(scene.official.phone)
    html = client.get(f"/lich?ward={scene.ward.id}&week={scene.tuesday.isoformat()}").get_data(
        as_text=True)
    assert "Cùng bà học dùng Zalo" in html and "Lớp VNeID tổ 5" in html
    assert "14:00–15:00" in html


def test_htmx_moves_between_weeks_with_the_week_alone(client, auth, scene):
    auth.login(scene.leader.phone)
    page = client.get(f"/lich?group={scene.group.id}").get_data(as_text=True)
    assert 'hx-get="/lich?' in page and 'hx-push-url="true"' in page
    next_week = (scene.tuesday + timedelta(days=7)).isoformat()
    response = client.get(f"/lich?group={scene.group.id}&week={next_week}",
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="week"')
    assert "<html" not in html and "Cùng bà học dùng Zalo" not in html
    assert "HX-Request" in response.headers["Vary"]
    restore = client.get(f"/lich?group={scene.group.id}",
                         headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_a_leader_cannot_open_another_groups_calendar(client, auth, make, scene):
    stranger = make.leader(make.group(make.ward()))
    make.commit()
    auth.login(stranger.phone)
    assert client.get(f"/lich?group={scene.group.id}").status_code == 403
    assert client.get(f"/lich?ward={scene.ward.id}").status_code == 403
    assert client.get("/lich?group=999999").status_code == 404
    auth.logout()
    auth.login(scene.minh.phone)
    assert client.get("/lich").status_code == 403


def test_a_week_with_nonsense_in_the_address_shows_this_week(client, auth, scene):
    auth.login(scene.leader.phone)
    assert client.get(f"/lich?group={scene.group.id}&week=xyz").status_code == 200
    assert client.get("/lich?scope=g:abc").status_code == 200


def test_my_sessions_lists_what_is_coming_soonest_first(
        client, auth, scene):
    auth.login(scene.minh.phone)
    html = client.get("/lich-cua-toi").get_data(as_text=True)
    assert "Cùng bà học dùng Zalo" in html and "Hỗ trợ Zalo" in html
    assert html.index("Cùng bà học dùng Zalo") < html.index("Hỗ trợ Zalo")
    assert "Nguyễn Thị Bình" in html  # verified and in the session with her


def test_the_calendar_feed_parses_with_local_times_and_first_names_only(client, auth, db,
                                                                        scene):
    auth.login(scene.minh.phone)
    html = client.get("/lich-cua-toi").get_data(as_text=True)
    feed = db.session.scalar(select(CalendarFeed))
    assert feed.token in html
    auth.logout()

    response = client.get(f"/lich/{feed.token}.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"session-{scene.zalo.id}@cunghocso",
                           f"session-{scene.home.id}@cunghocso"}
    lesson = events[f"session-{scene.zalo.id}@cunghocso"]
    start = lesson.decoded("DTSTART")
    assert start.utcoffset() == timedelta(hours=7)
    assert (start.date(), start.hour, start.minute) == (scene.tuesday, 9, 0)
    assert start == datetime.combine(scene.tuesday, datetime.min.time()).replace(
        hour=9, tzinfo=HANOI)
    assert str(lesson["LOCATION"]) == "Nhà văn hóa tổ 3"
    visit = events[f"session-{scene.home.id}@cunghocso"]
    assert str(visit["SUMMARY"]) == "Hỗ trợ Zalo · Bình"
    assert str(visit["STATUS"]) == "TENTATIVE"
    text = response.get_data(as_text=True)
    assert "Nguyễn" not in text and "0912" not in text and "912345678" not in text
    assert "VTIMEZONE" in text and "Asia/Ho_Chi_Minh" in text


def test_resetting_the_feed_address_stops_the_old_one(client, auth, db, scene):
    auth.login(scene.minh.phone)
    page = client.get("/lich-cua-toi")
    old = db.session.scalar(select(CalendarFeed)).token
    response = client.post("/lich-cua-toi/dia-chi-lich",
                           data={"csrf_token": csrf_token_from(page)},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="feed"')
    db.session.expire_all()
    new = db.session.scalar(select(CalendarFeed)).token
    assert new != old and new in html
    assert client.get(f"/lich/{old}.ics").status_code == 404
    assert client.get(f"/lich/{new}.ics").status_code == 200


def test_an_unknown_feed_address_is_a_404(client, scene):
    assert client.get("/lich/khong-co-dau.ics").status_code == 404


def test_a_ward_official_lands_on_the_ward_week(client, auth, scene):
    auth.login(scene.official.phone)
    html = client.get(f"/lich?week={scene.tuesday.isoformat()}").get_data(as_text=True)
    assert "Cùng bà học dùng Zalo" in html and "Lớp VNeID tổ 5" in html
