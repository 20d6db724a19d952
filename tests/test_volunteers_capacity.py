"""Weekly capacity: what counts as a commitment this week, defined once (`weekly_load`)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.clock import local_to_utc
from app.refusal import Refusal
from app.models import Enrollment, RequestStatus, SessionKind, SessionStatus, SessionVolunteer
from app.volunteers.services import week_bounds, weekly_load
from tests.matching_helpers import neighbourhood

WEDNESDAY = date(2026, 11, 25)  # the week runs Monday 23/11 to Sunday 29/11, local time


def at(day: int, hour: int, minute: int = 0):
    """A local time in November 2026, as UTC."""
    return local_to_utc(datetime(2026, 11, day, hour, minute))


@pytest.mark.clock
def test_the_week_is_monday_to_sunday_in_vietnam_time():
    start, end = week_bounds(WEDNESDAY)
    assert start == at(23, 0) and end == at(30, 0)
    assert start.hour == 17 and start.day == 22  # 0:00 in Hà Nội is 17:00 UTC the day before


@pytest.mark.clock
def test_weekly_load_counts_each_commitment_of_this_week_once(make, db):
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", groups=[n.group3])
    other = make.volunteer("Vũ Đức Long", groups=[n.group3])
    lan = make.volunteer("Lê Thu Hà", groups=[n.group3], birth_year=2010)
    me = minh.volunteer_profile.id

    def session(starts_at, status=SessionStatus.CONFIRMED, request=None, helper=False):
        s = make.session(n.group3, starts_at=starts_at, status=status,
                         volunteers=[] if helper else [minh],
                         kind=SessionKind.ONE_TO_ONE if request else SessionKind.CLASS,
                         request_id=request.id if request else None)
        if helper:
            s.volunteers.append(SessionVolunteer(volunteer_id=me, role="helper"))
        return s

    # Sessions: counted when they start this local week, whatever their state but cancelled.
    session(at(23, 0, 5))                          # Monday 0:05 — counts
    session(at(29, 23, 30))                        # Sunday 23:30 — counts
    session(at(25, 9), status=SessionStatus.DONE)  # already happened this week — counts
    session(at(26, 9), helper=True)                # as a helper — counts
    session(at(30, 0, 10))                         # next Monday 0:10 — next week
    session(at(22, 23, 50))                        # last Sunday — last week
    session(at(27, 9), status=SessionStatus.CANCELLED)  # cancelled — never

    # Requests held without a session count now; with a session they count through it.
    make.request(n.binh, status=RequestStatus.ASSIGNED, volunteer_id=me)       # counts
    make.request(n.binh, status=RequestStatus.SCHEDULED, volunteer_id=me)      # counts
    companion = make.request(n.binh, status=RequestStatus.ASSIGNED,
                             volunteer_id=lan.volunteer_profile.id,
                             companion_volunteer_id=me)                       # counts
    with_session = make.request(n.binh, status=RequestStatus.SCHEDULED, volunteer_id=me)
    session(at(28, 9), request=with_session)       # counted once, as a session (this week)
    next_week = make.request(n.binh, status=RequestStatus.SCHEDULED, volunteer_id=me)
    session(at(30, 9), request=next_week)          # its session is next week — not now
    cancelled_session = make.request(n.binh, status=RequestStatus.ASSIGNED, volunteer_id=me)
    session(at(24, 9), status=SessionStatus.CANCELLED,
            request=cancelled_session)             # only a cancelled session — still counts
    make.request(n.binh, status=RequestStatus.DONE, volunteer_id=me)           # finished
    make.request(n.binh, status=RequestStatus.CANCELLED, volunteer_id=me)      # cancelled
    make.request(n.binh, status=RequestStatus.ASSIGNED,
                 volunteer_id=other.volunteer_profile.id)                     # someone else
    db.session.add(Enrollment(session_id=session(at(25, 15)).id, resident_id=n.binh.id))
    make.commit()

    load = weekly_load([me, other.volunteer_profile.id], today=WEDNESDAY)

    sessions_this_week = 6  # 0:05 Mon, 23:30 Sun, done, helper, with_session, the 25th 15:00
    held_without_session = 4  # assigned, scheduled, as companion, only cancelled session
    assert load[me] == sessions_this_week + held_without_session
    assert load[other.volunteer_profile.id] == 1
    assert companion.companion_volunteer_id == me


def test_weekly_load_of_a_volunteer_with_nothing_is_zero(make):
    n = neighbourhood(make)
    minh = make.volunteer(groups=[n.group3])
    make.commit()
    assert weekly_load([minh.volunteer_profile.id]) == {minh.volunteer_profile.id: 0}
    assert weekly_load([]) == {}


@pytest.mark.clock
def test_a_session_this_week_uses_a_slot_of_the_capacity(make, db):
    from app.matching import services
    n = neighbourhood(make)
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], capacity=1)
    from app.clock import today_local
    monday = today_local() - timedelta(days=today_local().weekday())
    make.session(n.group3, starts_at=local_to_utc(datetime.combine(
        monday, datetime.min.time()).replace(hour=6, minute=30)), volunteers=[minh])
    request = make.request(n.binh, topics=[n.zalo])
    make.commit()
    with pytest.raises(Refusal) as refused:
        services.accept_request(minh.volunteer_profile, request.id)
    assert refused.value.reason == "capacity"
