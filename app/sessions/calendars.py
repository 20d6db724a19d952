"""Calendars: the week of a group or a ward, a volunteer's sessions, and their iCalendar feed."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import abort
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.areas import scope
from app.clock import local_day_bounds, to_local, today_local, utcnow
from app.extensions import db
from app.labels import label
from app.models import (CalendarFeed, Group, Session, SessionKind, SessionStatus,
                        SessionVolunteer, VolunteerProfile, Ward)
from app.permissions import deny, load
from app.sessions.reminders import external_url
from app.sessions.words import place_name_of
from app.text import given_name

FEED_PAST = timedelta(days=60)


# --- weeks ----------------------------------------------------------------------------
def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(value: str | None) -> date:
    """The Monday of the week asked for ("2026-05-12" -> 2026-05-11), this week otherwise."""
    try:
        day = date.fromisoformat((value or "")[:10])
    except ValueError:
        day = today_local()
    if not 2000 <= day.year <= 2100:
        day = today_local()
    return monday_of(day)


@dataclass
class CalendarScope:
    label: str
    group: Group | None
    ward: Ward | None
    group_ids: list[int]

    @property
    def query_args(self) -> dict:
        return {"ward": self.ward.id} if self.ward is not None else {"group": self.group.id}


def calendar_scope(user, group_id: int | None, ward_id: int | None) -> CalendarScope:
    """The group or ward asked for, if this person may see its calendar (404/403 otherwise);
    by default a ward official's ward, or the first group a leader leads."""
    if ward_id is not None:
        ward = load(Ward, ward_id, may=lambda w: scope.can_view_ward(user, w),
                    refusal=f"calendar of ward {ward_id}")
        return CalendarScope(ward.name, None, ward, [g.id for g in ward.groups])
    if group_id is None and user.official_ward_ids() and not user.led_group_ids():
        return calendar_scope(user, None, min(user.official_ward_ids()))
    if group_id is None:
        first = scope.first_managed_group(user)
        if first is None:
            deny("calendar: no group")
        group_id = first.id
    group = load(Group, group_id, may=user.can_manage_group,
                 refusal=f"calendar of group {group_id}")
    return CalendarScope(group.label, group, None, [group.id])


def week_days(scope: CalendarScope, monday: date) -> list[tuple[date, list[Session]]]:
    """Seven days from Monday, each with its sessions (cancelled ones left out)."""
    start, _end = local_day_bounds(monday)
    end = start + timedelta(days=7)
    sessions = db.session.scalars(select(Session).where(
        Session.group_id.in_(scope.group_ids or [-1]), Session.status != SessionStatus.CANCELLED,
        Session.starts_at >= start, Session.starts_at < end)
        .options(selectinload(Session.volunteers).selectinload(SessionVolunteer.volunteer)
                 .selectinload(VolunteerProfile.user),
                 selectinload(Session.group), selectinload(Session.enrollments))
        .order_by(Session.starts_at, Session.id)).all()
    days = [(monday + timedelta(days=i), []) for i in range(7)]
    for session in sessions:
        index = (to_local(session.starts_at).date() - monday).days
        if 0 <= index < 7:
            days[index][1].append(session)
    return days


# --- a volunteer's sessions --------------------------------------------------------
def my_sessions(profile: VolunteerProfile, now: datetime | None = None):
    """(upcoming, recent): what is coming, and what happened in the last 60 days."""
    now = now or utcnow()
    base = select(Session).join(SessionVolunteer).where(
        SessionVolunteer.volunteer_id == profile.id).options(selectinload(Session.group),
                                                             selectinload(Session.enrollments))
    upcoming = db.session.scalars(base.where(
        Session.status.in_(SessionStatus.ACTIVE), Session.ends_at > now)
        .order_by(Session.starts_at).limit(100)).all()
    recent = db.session.scalars(base.where(
        Session.status != SessionStatus.CANCELLED, Session.ends_at <= now,
        Session.ends_at > now - FEED_PAST).order_by(Session.starts_at.desc()).limit(30)).all()
    return list(upcoming), list(recent)


# --- the iCalendar feed -----------------------------------------------------------------
def feed_of(profile: VolunteerProfile) -> CalendarFeed:
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.volunteer_id == profile.id))
    if feed is None:
        feed = CalendarFeed(volunteer_id=profile.id, token=secrets.token_urlsafe(24))
        db.session.add(feed)
        db.session.flush()
    return feed


def reset_feed(profile: VolunteerProfile) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed = feed_of(profile)
    feed.token = secrets.token_urlsafe(24)
    feed.created_at = utcnow()
    return feed


def feed_by_token(token: str) -> CalendarFeed:
    if not token or len(token) > 64:
        abort(404)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not feed.volunteer.user.active:
        abort(404)
    return feed


def _first_names(session: Session) -> list[str]:
    return [given_name(seat.resident.full_name) for seat in session.enrollments
            if seat.status.value == "enrolled" and seat.resident.erased_at is None]


def feed_calendar(profile: VolunteerProfile) -> bytes:
    """One event per session of the volunteer, with its place and, for a one-to-one
    session, the resident's first name only (no phone, no address)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Cùng Học Số//Lịch tình nguyện viên//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Cùng Học Số — lịch của %(name)s",
                                   name=given_name(profile.user.full_name)))
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    sessions = db.session.scalars(select(Session).join(SessionVolunteer).where(
        SessionVolunteer.volunteer_id == profile.id, Session.starts_at >= utcnow() - FEED_PAST)
        .options(selectinload(Session.enrollments), selectinload(Session.group))
        .order_by(Session.starts_at).limit(500)).all()
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@cunghocso")
        event.add("dtstamp", utcnow())
        event.add("dtstart", to_local(session.starts_at))
        event.add("dtend", to_local(session.ends_at))
        summary = session.title
        lines = [", ".join(t.name for t in session.topics)]
        if session.kind == SessionKind.ONE_TO_ONE:
            names = _first_names(session)
            if names:
                summary = f"{session.title} · {names[0]}"
                lines.append(_("Người dân: %(name)s", name=names[0]))
        else:
            lines.append(_("Lớp học, %(n)d chỗ", n=session.capacity))
        lines.append(label(session.status))
        lines.append(external_url("sessions.detail", session_id=session.id))
        event.add("summary", summary)
        event.add("location", place_name_of(session))
        event.add("description", "\n".join(line for line in lines if line))
        event.add("url", external_url("sessions.detail", session_id=session.id))
        event.add("status", {SessionStatus.PROPOSED: "TENTATIVE",
                             SessionStatus.CANCELLED: "CANCELLED"}.get(session.status,
                                                                        "CONFIRMED"))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
