"""The moments a test runs at.

A test whose result depends on today's date or the time of day carries the `clock` mark
and runs once at each moment of `MOMENTS` (its id names the moment, e.g.
`test_x[Fri-00:30]`): every weekday at 00:30 and at 23:30 in Vietnam, which includes the
last day of a month and of a year and the first half hour of the next, when Vietnam's date
has turned and UTC's has not (00:30 in Vietnam is 17:30 UTC the day before). The moments
are the last week of a year still ahead, so the real clock of the browser, which the
served app's cookies are checked against, is never later than the app's.

`TEST_CLOCK` runs a whole session at one moment: a moment's id (`TEST_CLOCK=Fri-00:30
make test`) or an ISO 8601 time with its offset (`2026-12-31T23:30+07:00`). The clock
ticks from there, for the tests and for the app they serve, through time-machine.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.clock import LOCAL_TZ, today_local

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Moment:
    id: str
    at: datetime  # aware, Vietnam's wall clock

    def __str__(self) -> str:
        return self.id


def _moment(day: date, hour: int, minute: int, note: str = "") -> Moment:
    at = datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)
    return Moment(f"{WEEKDAYS[day.weekday()]}-{hour:02d}:{minute:02d}{note}", at)


def year_end_week(today: date) -> list[Moment]:
    """23:30 on 25–31 December and 00:30 on 26 December – 1 January of the first year
    whose 25 December is still ahead: each weekday twice, the last day of the month and of
    the year, and the new year's first half hour."""
    year = today.year if today < date(today.year, 12, 25) else today.year + 1
    last = date(year, 12, 31)
    moments = []
    for back in range(6, -1, -1):
        evening = last - timedelta(days=back)
        moments.append(_moment(evening, 23, 30, "-year-end" if evening == last else ""))
        morning = evening + timedelta(days=1)
        moments.append(_moment(morning, 0, 30, "-new-year" if morning.month == 1 else ""))
    return moments


MOMENTS: list[Moment] = year_end_week(today_local())


def session_moment() -> datetime | None:
    """The moment `TEST_CLOCK` names, or None (the real clock)."""
    value = os.environ.get("TEST_CLOCK", "").strip()
    if not value:
        return None
    for moment in MOMENTS:
        if value in (moment.id, moment.id[:9]):  # "Thu-23:30" names "Thu-23:30-year-end"
            return moment.at
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"TEST_CLOCK={value!r} is neither a moment ({', '.join(map(str, MOMENTS))}) "
                         "nor an ISO 8601 time") from None
    if at.tzinfo is None:
        raise SystemExit(f"TEST_CLOCK={value!r} needs its offset, e.g. +07:00")
    return at
