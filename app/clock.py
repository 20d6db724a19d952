"""What time it is, in one place.

Times are stored in UTC; everything the app decides about "today" — a volunteer's age,
a pause that ends today, this week's calendar, tomorrow's reminders — uses the date in
Vietnam (Asia/Ho_Chi_Minh), never the server's own date, which is UTC on most hosts and
differs from Vietnam's between 17:00 and 24:00 UTC.

Every reading of the clock goes through `utcnow()`, so tests move time for the whole app
with one clock library (see tests/clock.py).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """The current moment, an aware UTC datetime."""
    return datetime.now(timezone.utc)


def timestamp() -> float:
    """The current moment in seconds since the epoch (what a login session stores)."""
    return utcnow().timestamp()


def now_local() -> datetime:
    """The current moment on Vietnam's wall clock (aware)."""
    return utcnow().astimezone(LOCAL_TZ)


def today_local() -> date:
    """Today's date in Vietnam."""
    return now_local().date()


def to_local(moment: datetime) -> datetime:
    """A stored moment (UTC; naive means UTC) on Vietnam's wall clock."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ)


def local_to_utc(moment: datetime) -> datetime:
    """A naive local wall-clock time (as typed in a form) to an aware UTC datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(timezone.utc)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC moments at which a day in Vietnam starts and the next one starts."""
    start = local_to_utc(datetime.combine(day, time(0, 0)))
    return start, start + timedelta(days=1)
