"""Vietnam's date decides "today", whatever the server's clock says; the clock moments."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from app.clock import LOCAL_TZ, local_day_bounds, now_local, today_local
from tests import clock

# 00:30 on New Year's Day in Vietnam is still 31 December in UTC, the server's zone.
NEW_YEAR_IN_VIETNAM = datetime(2027, 1, 1, 0, 30, tzinfo=LOCAL_TZ)


def test_today_is_vietnams_date_while_utc_is_still_yesterday():
    with time_machine.travel(NEW_YEAR_IN_VIETNAM, tick=False):
        assert datetime.now(timezone.utc).date() == date(2026, 12, 31)
        assert today_local() == date(2027, 1, 1)
        assert now_local().hour == 0


def test_a_volunteer_born_eighteen_years_ago_is_an_adult_from_new_years_day_in_vietnam(make):
    lan = make.volunteer("Lê Thu Hà", birth_year=2009).volunteer_profile
    with time_machine.travel(NEW_YEAR_IN_VIETNAM - timedelta(hours=1), tick=False):
        assert lan.is_minor()  # 23:30 on 31 December
    with time_machine.travel(NEW_YEAR_IN_VIETNAM, tick=False):
        assert not lan.is_minor()
        assert lan.age() == 18


def test_a_pause_until_the_last_day_of_the_year_ends_at_midnight_in_vietnam(make):
    profile = make.volunteer("Trần Văn Minh").volunteer_profile
    profile.paused_until = date(2026, 12, 31)
    with time_machine.travel(NEW_YEAR_IN_VIETNAM - timedelta(hours=1), tick=False):
        assert profile.is_paused()
    with time_machine.travel(NEW_YEAR_IN_VIETNAM, tick=False):
        assert not profile.is_paused()


def test_a_resident_s_age_follows_vietnams_year(make):
    binh = make.resident(make.group(), name="Nguyễn Thị Bình", birth_year=1954)
    with time_machine.travel(NEW_YEAR_IN_VIETNAM, tick=False):
        assert binh.age() == 73


def test_a_day_in_vietnam_starts_at_17_utc_the_day_before():
    start, end = local_day_bounds(date(2027, 1, 1))
    assert start == datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)
    assert end - start == timedelta(days=1)


@pytest.mark.parametrize("today", [date(2026, 12, 3), date(2027, 2, 28), date(2027, 12, 24),
                                   date(2027, 12, 25), date(2028, 12, 31)])
def test_the_moments_are_every_weekday_at_half_past_midnight_and_eleven_and_the_turn_of_a_year(
        today):
    moments = clock.year_end_week(today)
    ats = [m.at for m in moments]
    assert len({m.id for m in moments}) == len(moments) == 14
    assert min(ats).date() > today  # ahead of the real clock (the browser's cookies)
    for hour, minute in ((0, 30), (23, 30)):
        at_hour = [a for a in ats if (a.hour, a.minute) == (hour, minute)]
        assert sorted(a.weekday() for a in at_hour) == list(range(7))
    last_day = [a for a in ats if (a.month, a.day) == (12, 31) and a.hour == 23]
    first_half_hour = [a for a in ats if (a.month, a.day) == (1, 1) and a.hour == 0]
    assert len(last_day) == 1 and len(first_half_hour) == 1
    # the new year's first half hour is still the old year in UTC
    assert first_half_hour[0].astimezone(timezone.utc).year == last_day[0].year


def test_test_clock_names_a_moment_or_an_iso_time(monkeypatch):
    monkeypatch.setenv("TEST_CLOCK", clock.MOMENTS[0].id)
    assert clock.session_moment() == clock.MOMENTS[0].at
    monkeypatch.setenv("TEST_CLOCK", "2027-01-01T00:30+07:00")
    assert clock.session_moment() == NEW_YEAR_IN_VIETNAM
    monkeypatch.setenv("TEST_CLOCK", "2027-01-01T00:30")
    with pytest.raises(SystemExit):
        clock.session_moment()
    monkeypatch.delenv("TEST_CLOCK")
    assert clock.session_moment() is None


@pytest.mark.clock
def test_a_clock_test_runs_at_its_moment(moment):
    assert moment is not None
    assert abs(now_local() - moment.at) < timedelta(minutes=5)
    assert moment.id.startswith(now_local().strftime("%a-"))
