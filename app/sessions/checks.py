"""Scheduling checks: locks, times, and conflicts (no volunteer or room double-booked)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.clock import local_to_utc, to_local, utcnow
from app.extensions import db
from app.refusal import Refusal
from app.models import (Enrollment, EnrollmentStatus, HelpRequest, Session, SessionKind,
                        SessionStatus, SessionVolunteer)
from app.models.sessions import room_key
from app.sessions.words import (place_name_of, resident_words, time_range, volunteer_words,
                                where_words)
from app.timeslots import slot_of_local


MAX_DURATION = timedelta(hours=4)
MAX_AHEAD = timedelta(days=366)
MAX_WEEKS = 12


@dataclass
class Conflict:
    """One reason a time is taken, explained in words."""

    field: str  # the form field it belongs beside: "volunteers", "place" or "resident"
    message: str
    session: Session
    subject_id: int | None = None  # the volunteer or resident concerned


@dataclass
class Checks:
    """Errors per form field, collected before anything is written."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        messages = self.errors.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise Refusal(errors=self.errors)


def place_key(ward_id: int, name: str | None) -> str | None:
    """Identity of a room (see `app.models.sessions.room_key`, kept on every class)."""
    return room_key(ward_id, name)


# --- locks ---------------------------------------------------------------------------
def lock_rows(model, ids: Iterable[int | None]) -> None:
    """SELECT … FOR UPDATE the rows, in id order (a no-op on SQLite, see module doc)."""
    wanted = sorted({i for i in ids if i})
    if wanted:
        db.session.execute(select(model.id).where(model.id.in_(wanted))
                           .order_by(model.id).with_for_update()).all()


def lock_session(session_id: int) -> Session:
    return db.session.execute(
        select(Session).where(Session.id == session_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()


# --- conflicts ----------------------------------------------------------------------
def _overlapping(starts_at: datetime, ends_at: datetime, exclude: Iterable[int]):
    """Sessions that overlap [starts_at, ends_at): touching edges (10:00 end, 10:00 start) don't."""
    query = select(Session).where(Session.status.in_(SessionStatus.BOOKED), Session.starts_at < ends_at,
                                  Session.ends_at > starts_at)
    excluded = [i for i in exclude if i]
    if excluded:
        query = query.where(Session.id.notin_(excluded))
    return query


def find_conflicts(starts_at: datetime, ends_at: datetime, *, volunteers=(), place: str | None = None,
                   residents=(), exclude: Iterable[int] = (), viewer=None) -> list[Conflict]:
    """Every booking that would clash with a session at this time, with the reason in words.

    - a volunteer is never in two overlapping sessions;
    - a place (see `place_key`) never hosts two overlapping classes;
    - a resident never holds two overlapping seats (enrolled or on a waiting list).
    """
    exclude = list(exclude)
    conflicts: list[Conflict] = []
    volunteers = [v for v in volunteers if v is not None]
    if volunteers:
        by_id = {v.id: v for v in volunteers}
        rows = db.session.execute(
            _overlapping(starts_at, ends_at, exclude).add_columns(SessionVolunteer.volunteer_id)
            .join(SessionVolunteer, SessionVolunteer.session_id == Session.id)
            .where(SessionVolunteer.volunteer_id.in_(list(by_id)))
            .order_by(Session.starts_at)).all()
        for other, volunteer_id in rows:
            conflicts.append(Conflict("volunteers", _(
                "%(who)s đã có buổi %(time)s %(where)s",
                who=volunteer_words(by_id[volunteer_id], viewer), time=time_range(other),
                where=where_words(other)), other, volunteer_id))
    if place:
        for other in db.session.scalars(_overlapping(starts_at, ends_at, exclude).where(
                Session.kind == SessionKind.CLASS, Session.place_key == place)
                .order_by(Session.starts_at)):
            conflicts.append(Conflict("place", _(
                "%(place)s đã có lớp “%(title)s” %(time)s",
                place=place_name_of(other), title=other.title, time=time_range(other)), other))
    residents = [r for r in residents if r is not None]
    if residents:
        by_id = {r.id: r for r in residents}
        rows = db.session.execute(
            _overlapping(starts_at, ends_at, exclude).add_columns(Enrollment.resident_id)
            .join(Enrollment, Enrollment.session_id == Session.id)
            .where(Enrollment.resident_id.in_(list(by_id)), Enrollment.status.in_(EnrollmentStatus.SEATED))
            .order_by(Session.starts_at)).all()
        for other, resident_id in rows:
            conflicts.append(Conflict("resident", _(
                "%(who)s đã có lịch %(time)s %(where)s",
                who=resident_words(by_id[resident_id], viewer), time=time_range(other),
                where=where_words(other)), other, resident_id))
    return conflicts


# --- times -------------------------------------------------------------------------
def combine_local(day: date | None, start: time | None, end: time | None):
    """Local wall-clock day and times as typed in a form -> aware UTC (starts_at, ends_at)."""
    if day is None or start is None or end is None:
        return None, None
    return (local_to_utc(datetime.combine(day, start)), local_to_utc(datetime.combine(day, end)))


def check_times(checks: Checks, starts_at: datetime | None, ends_at: datetime | None,
                field_name: str = "starts", now: datetime | None = None) -> bool:
    """Start in the future, end after start, a sensible length. True when usable."""
    if starts_at is None or ends_at is None:
        return False
    now = now or utcnow()
    if ends_at <= starts_at:
        checks.add("ends", _("Giờ kết thúc phải sau giờ bắt đầu."))
        return False
    if ends_at - starts_at > MAX_DURATION:
        checks.add("ends", _("Một buổi dài tối đa 4 giờ."))
        return False
    if starts_at <= now:
        checks.add(field_name, _("Thời gian này đã qua. Vui lòng chọn một thời điểm sắp tới."))
        return False
    if starts_at - now > MAX_AHEAD:
        checks.add(field_name, _("Chỉ xếp lịch trong vòng một năm tới."))
        return False
    return True


def inside_preferred_times(help_request: HelpRequest, starts_at: datetime,
                           ends_at: datetime) -> bool:
    """Every part of the session lies in a window (day × morning/afternoon/evening) the
    resident chose; a request without preferences accepts 6:00–22:00 any day."""
    start_local = to_local(starts_at).replace(tzinfo=None)
    last_local = to_local(ends_at - timedelta(minutes=1)).replace(tzinfo=None)
    mask = help_request.preferred_times or 0
    for moment in (start_local, last_local):
        slot = slot_of_local(moment)
        if slot is None:
            return False
        day, part = slot
        if mask and not mask & (1 << (day * 3 + part)):
            return False
    return start_local.date() == last_local.date()
