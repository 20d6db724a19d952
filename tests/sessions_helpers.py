"""Helpers for the scheduling tests: local times, assigned requests, classes, the outbox."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.clock import local_to_utc, today_local
from app.models import (OutboxMessage, Place, RequestStatus, Session, SessionKind, SessionStatus,
                        SessionVolunteer, VolunteerRole)
from app.sessions.checks import place_key
from app.timeslots import ALL


def next_local_day(weekday: int, weeks_ahead: int = 1) -> date:
    """A coming day of the week (Monday = 0), at least a few days away."""
    today = today_local()
    days = (weekday - today.weekday()) % 7 + 7 * weeks_ahead
    return today + timedelta(days=days)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Local wall-clock time in Hà Nội as an aware UTC datetime."""
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def assigned_request(make, resident, volunteer_user, topics=(), preferred_times: int = ALL,
                     place: Place = Place.HOME):
    return make.request(resident, topics=topics, status=RequestStatus.ASSIGNED,
                        preferred_times=preferred_times, place=place,
                        volunteer_id=volunteer_user.volunteer_profile.id)


def booked(make, group, starts_at, ends_at, *, volunteers=(), kind=SessionKind.CLASS,
           place=Place.COMMUNITY_HOUSE, place_name=None, capacity=15, topics=(),
           status=SessionStatus.CONFIRMED, title="Lớp học thử", **kw) -> Session:
    """A session exactly as the services write it (place identity included)."""
    place_name = place_name if place_name is not None else group.community_house
    session = Session(kind=kind, title=title, group_id=group.id, place=place,
                      place_name=place_name if place in (Place.COMMUNITY_HOUSE, Place.OTHER)
                      else None,
                      place_key=place_key(group.ward_id, place_name) if kind == SessionKind.CLASS
                      else None,
                      starts_at=starts_at, ends_at=ends_at, capacity=capacity, status=status,
                      topics=list(topics), **kw)
    for i, user in enumerate(volunteers):
        session.volunteers.append(SessionVolunteer(
            volunteer_id=user.volunteer_profile.id,
            role=VolunteerRole.LEAD if i == 0 else VolunteerRole.HELPER))
    make.db.session.add(session)
    make.db.session.flush()
    return session


def messages(db, kind: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def time_form(day: date, starts: str, ends: str, **extra) -> dict:
    return {"day": day.isoformat(), "starts": starts, "ends": ends, **extra}
