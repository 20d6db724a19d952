"""The rules of scheduling: seats, conflicts, proposals, confirmations, classes and series.

Every write here runs inside the caller's transaction and never commits; the
caller commits once, so a session, its seats and the messages it causes
(`app.notify.outbox.notify`) are written together or not at all.

Concurrency: the database decides. On PostgreSQL the rows a rule reads before
it writes are locked with SELECT … FOR UPDATE, always in the same order
(ward, volunteers, sessions, residents) so that two writers queue instead of
deadlocking; on SQLite every writing transaction already starts with
BEGIN IMMEDIATE (see app/database.py), which serialises writers.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, update

from app.clock import local_to_utc, to_local, today_local, utcnow
from app.extensions import db
from app.i18n import fmt_datetime, fmt_time
from app.models import (Consent, ConsentMethod, Enrollment, EnrollmentStatus, Gender, Group,
                        HelpRequest, Place, RequestStatus, Resident, Session, SessionKind,
                        SessionStatus, SessionVolunteer, Topic, User, VolunteerArea,
                        VolunteerProfile, VolunteerRole, Ward)
from app.models.requests import request_topic
from app.models.sessions import room_key
from app.notify.outbox import notify
from app.permissions import deny
from app.privacy import can_see_personal_data
from app.requests import lifecycle
from app.text import clean_name, given_name
from app.timeslots import describe, slot_of_local

# A proposed or confirmed session is coming; a done one happened. Both occupy people and rooms.

MAX_DURATION = timedelta(hours=4)
MAX_AHEAD = timedelta(days=366)
MAX_WEEKS = 12
WALK_IN_CONSENT_VERSION = "tai-cho-1"

PLACE_LABELS = {
    Place.HOME: _l("Tại nhà người dân"),
    Place.COMMUNITY_HOUSE: _l("Nhà văn hóa"),
    Place.REMOTE: _l("Qua điện thoại / gọi video"),
    Place.OTHER: _l("Địa điểm khác"),
}
STATUS_LABELS = {
    SessionStatus.PROPOSED: _l("Chờ xác nhận"),
    SessionStatus.CONFIRMED: _l("Đã xác nhận"),
    SessionStatus.CANCELLED: _l("Đã hủy"),
    SessionStatus.DONE: _l("Đã diễn ra"),
}


# --- errors ----------------------------------------------------------------------
class SchedulingError(Exception):
    """A rule refused the change; `errors` maps form fields to Vietnamese messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"_": [errors]}
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))

    @property
    def message(self) -> str:
        return str(self)


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
            raise SchedulingError(self.errors)


# --- words for times, places and people ---------------------------------------------
def time_range(session: Session) -> str:
    """"9:00–10:30" in local time."""
    return f"{fmt_time(session.starts_at)}–{fmt_time(session.ends_at)}"


def when_words(session: Session) -> str:
    """"Thứ Ba, 12/5/2026, 9:00–10:30"."""
    return f"{fmt_datetime(session.starts_at)}–{fmt_time(session.ends_at)}"


def place_name_of(session: Session) -> str:
    """The place as people say it; never a resident's address."""
    if session.place in (Place.COMMUNITY_HOUSE, Place.OTHER) and session.place_name:
        return session.place_name
    if session.place == Place.COMMUNITY_HOUSE and session.group is not None:
        return session.group.community_house or _("Nhà văn hóa %(group)s",
                                                  group=session.group.name)
    return str(PLACE_LABELS[session.place])


def where_words(session: Session) -> str:
    """"tại nhà văn hóa tổ 3", "tại nhà người dân", "qua điện thoại / gọi video"."""
    if session.place == Place.HOME:
        return _("tại nhà người dân")
    if session.place == Place.REMOTE:
        return _("qua điện thoại / gọi video")
    return _("tại %(place)s", place=place_name_of(session))


def volunteer_words(profile: VolunteerProfile, viewer=None) -> str:
    """"Anh/chị Minh", or "Bạn" when the volunteer reads about themself."""
    if viewer is not None and getattr(viewer, "id", None) == profile.user_id:
        return _("Bạn")
    return _("Anh/chị %(name)s", name=given_name(profile.user.full_name))


def resident_words(resident: Resident, viewer=None) -> str:
    """"Bà Bình" for those allowed to see the name, "Bà B." otherwise."""
    if viewer is not None and can_see_personal_data(viewer, resident):
        prefix = {Gender.FEMALE: _("Bà"), Gender.MALE: _("Ông")}.get(resident.gender, "")
        return f"{prefix} {given_name(resident.full_name)}".strip()
    return resident.masked_name


def place_key(ward_id: int, name: str | None) -> str | None:
    """Identity of a room (see `app.models.sessions.room_key`, kept on every class)."""
    return room_key(ward_id, name)


def lead_volunteer(session: Session) -> VolunteerProfile | None:
    for sv in session.volunteers:
        if sv.role == VolunteerRole.LEAD:
            return sv.volunteer
    return session.volunteers[0].volunteer if session.volunteers else None


def series_of(session: Session, upcoming_only: bool = True) -> list[Session]:
    """The occurrences of the session's series (this one and, by default, the later ones)."""
    if not session.series_id:
        return [session]
    query = select(Session).where(Session.series_id == session.series_id,
                                  Session.status.in_(SessionStatus.ACTIVE))
    if upcoming_only:
        query = query.where(Session.starts_at >= session.starts_at)
    return list(db.session.scalars(query.order_by(Session.starts_at)).all())


def series_position(session: Session) -> tuple[int, int] | None:
    """(n, total) of this occurrence in its series, counting every occurrence."""
    if not session.series_id:
        return None
    ids = db.session.scalars(select(Session.id).where(
        Session.series_id == session.series_id).order_by(Session.starts_at)).all()
    return ids.index(session.id) + 1, len(ids)


def _message_context(session: Session, **extra) -> dict:
    """What a message template needs: ids and short words, never a phone or an address."""
    lead = lead_volunteer(session)
    request = session.request
    context = {
        "session_id": session.id, "session_kind": session.kind.value, "title": session.title,
        "starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat(),
        "place": session.place.value, "place_name": place_name_of(session)
        if session.place in (Place.COMMUNITY_HOUSE, Place.OTHER) else None,
        "group": session.group.name if session.group else None,
        "volunteer": given_name(lead.user.full_name) if lead else None,
        "code": request.code if request is not None else None,
    }
    context.update({k: v for k, v in extra.items() if v is not None})
    return context


# --- locks ---------------------------------------------------------------------------
def _lock(model, ids: Iterable[int | None]) -> None:
    """SELECT … FOR UPDATE the rows, in id order (a no-op on SQLite, see module doc)."""
    wanted = sorted({i for i in ids if i})
    if wanted:
        db.session.execute(select(model.id).where(model.id.in_(wanted))
                           .order_by(model.id).with_for_update()).all()


def _lock_session(session_id: int) -> Session:
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


# --- seats -------------------------------------------------------------------------
def seats_taken(session: Session) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.session_id == session.id,
        Enrollment.status == EnrollmentStatus.ENROLLED)) or 0


def waiting_count(session: Session) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.session_id == session.id,
        Enrollment.status == EnrollmentStatus.WAITING)) or 0


def enroll(session: Session, resident: Resident, *, request: HelpRequest | None = None,
           check_conflicts: bool = True, after_the_fact: bool = False) -> Enrollment:
    """THE rule for taking a seat: enrolled while seats remain, otherwise on the waiting list.

    The session row is locked first (FOR UPDATE; BEGIN IMMEDIATE on SQLite), so that
    capacity + k people enrolling at the same moment get exactly `capacity` seats and
    k places on the waiting list. Enrolling someone already seated returns their seat.
    Raises SchedulingError when the session is over or cancelled, or when the resident
    is already booked at that time elsewhere. `after_the_fact` lets a leader enter the
    paper sign-in sheet of a class that has ended (still within capacity).
    """
    locked = _lock_session(session.id)
    if after_the_fact:
        if locked.status not in SessionStatus.BOOKED:
            raise SchedulingError({"resident": [_("Buổi này đã hủy.")]})
    elif locked.status not in SessionStatus.ACTIVE or locked.ends_at <= utcnow():
        raise SchedulingError({"resident": [_("Buổi này đã hủy hoặc đã kết thúc.")]})
    _lock(Resident, [resident.id])
    seat = db.session.scalar(select(Enrollment).where(
        Enrollment.session_id == locked.id, Enrollment.resident_id == resident.id)
        .execution_options(populate_existing=True))
    if seat is not None and seat.status in EnrollmentStatus.SEATED:
        return seat
    if check_conflicts:
        conflicts = find_conflicts(locked.starts_at, locked.ends_at, residents=[resident],
                                   exclude=[locked.id])
        if conflicts:
            raise SchedulingError({"resident": [c.message for c in conflicts]})
    status = (EnrollmentStatus.ENROLLED if seats_taken(locked) < locked.capacity
              else EnrollmentStatus.WAITING)
    if seat is None:
        seat = Enrollment(session_id=locked.id, resident_id=resident.id,
                          request_id=request.id if request is not None else None, status=status)
        db.session.add(seat)
    else:  # a cancelled seat taken again goes to the back of the queue
        seat.status = status
        seat.created_at = utcnow()
        if request is not None:
            seat.request_id = request.id
    db.session.flush()
    return seat


def promote_waiting(session: Session) -> list[Enrollment]:
    """Fill free seats from the waiting list, first come first served, and tell them."""
    locked = _lock_session(session.id)
    free = locked.capacity - seats_taken(locked)
    if free <= 0 or locked.status not in SessionStatus.ACTIVE:
        return []
    promoted = list(db.session.scalars(select(Enrollment).where(
        Enrollment.session_id == locked.id, Enrollment.status == EnrollmentStatus.WAITING)
        .order_by(Enrollment.created_at, Enrollment.id).limit(free)
        .execution_options(populate_existing=True)).all())
    for seat in promoted:
        seat.status = EnrollmentStatus.ENROLLED
        lifecycle.schedule(seat.request_id)
        notify("session_confirmed", resident=seat.resident,
               context=_message_context(locked, from_waiting_list=True))
    db.session.flush()
    return promoted


def cancel_enrollment(seat: Enrollment, *, reason: str | None = None) -> None:
    """Give up a seat: the request waits again and the first on the waiting list moves up."""
    if seat.status == EnrollmentStatus.CANCELLED:
        return
    seat.status = EnrollmentStatus.CANCELLED
    if seat.session.kind == SessionKind.CLASS:
        lifecycle.unschedule(seat.request_id, RequestStatus.OPEN)
    db.session.flush()
    promote_waiting(seat.session)


# --- loaders (one per object) -----------------------------------------------------
def _profile(user) -> VolunteerProfile | None:
    return getattr(user, "volunteer_profile", None)


def is_volunteer_of(user, session: Session) -> bool:
    profile = _profile(user)
    return profile is not None and any(sv.volunteer_id == profile.id for sv in session.volunteers)


def can_change(user, session: Session) -> bool:
    """Reschedule or cancel: a manager of the group, or the verified volunteer of a
    one-to-one session."""
    if user.can_manage_group(session.group):
        return True
    profile = _profile(user)
    return (session.kind == SessionKind.ONE_TO_ONE and profile is not None
            and profile.is_verified and is_volunteer_of(user, session))


def get_session_for(user, session_id: int, need: str = "view") -> Session:
    """The session if this person may `view`, `change` (reschedule, cancel) or `manage`
    (classes, attendance, confirm for a resident) it; 404 or 403 otherwise."""
    session = db.session.get(Session, session_id)
    if session is None:
        abort(404)
    if need == "manage":
        allowed = user.can_manage_group(session.group)
    elif need == "change":
        allowed = can_change(user, session)
    else:
        allowed = user.can_manage_group(session.group) or is_volunteer_of(user, session) or any(
            seat.resident.user_id == user.id for seat in session.enrollments
            if seat.resident.user_id is not None)
    if not allowed:
        deny(f"session {session_id}: {need}")
    return session


def get_request_to_schedule(user, request_id: int | None) -> HelpRequest:
    """The request this person may propose a time for: its assigned volunteer, or a
    manager of its group (after a phone call)."""
    help_request = db.session.get(HelpRequest, request_id) if request_id else None
    if help_request is None:
        abort(404)
    profile = _profile(user)
    own = (profile is not None and profile.is_verified
           and help_request.volunteer_id == profile.id)
    if not (own or user.can_manage_group(help_request.group)):
        deny(f"request {request_id}: propose")
    return help_request


def active_session_of(help_request: HelpRequest) -> Session | None:
    return db.session.scalar(select(Session).where(
        Session.request_id == help_request.id, Session.status.in_(SessionStatus.ACTIVE))
        .order_by(Session.starts_at.desc()).limit(1))


# --- one-to-one ----------------------------------------------------------------------
def check_proposal(help_request: HelpRequest, starts_at, ends_at, place: Place | None, *,
                   exclude: Iterable[int] = (), viewer=None, checks: Checks | None = None) -> Checks:
    """Every rule of a proposed time and place, as errors per field ("starts", "place")."""
    checks = Checks() if checks is None else checks
    volunteer = help_request.volunteer
    if volunteer is None:
        checks.add("_", _("Yêu cầu này chưa có tình nguyện viên nhận."))
        return checks
    companion = help_request.companion  # the adult paired with a minor for a home visit
    if place == Place.HOME and volunteer.is_minor() and companion is None:
        checks.add("place", _("Tình nguyện viên dưới 18 tuổi không đến nhà người dân một mình. "
                              "Hãy chọn nhà văn hóa hoặc gọi điện / video, hoặc nhờ tổ trưởng "
                              "ghép thêm một tình nguyện viên người lớn."))
    if not check_times(checks, starts_at, ends_at):
        return checks
    if not inside_preferred_times(help_request, starts_at, ends_at):
        windows = ", ".join(describe(help_request.preferred_times)) or _("6:00–22:00")
        checks.add("starts", _("Giờ này nằm ngoài thời gian người dân chọn (%(windows)s). "
                               "Vui lòng chọn giờ trong các khung đó.", windows=windows))
    team = [volunteer] + ([companion] if companion is not None else [])
    for conflict in find_conflicts(starts_at, ends_at, volunteers=team,
                                   residents=[help_request.resident], exclude=exclude,
                                   viewer=viewer):
        checks.add("starts", conflict.message)
    return checks


def _place_fields(place: Place, place_name: str | None, group: Group) -> str | None:
    """Only rooms carry a name; a home visit never stores an address on the session."""
    if place in (Place.HOME, Place.REMOTE):
        return None
    name = clean_name(place_name or "")
    if not name and place == Place.COMMUNITY_HOUSE:
        name = group.community_house or _("Nhà văn hóa %(group)s", group=group.name)
    return name or None


def propose_session(actor: User, help_request: HelpRequest, starts_at: datetime,
                    ends_at: datetime, place: Place, place_name: str | None = None) -> Session:
    """The assigned volunteer (or a leader) proposes a time inside the resident's windows;
    the request becomes 'scheduled' and the resident is told, in one transaction."""
    volunteer = help_request.volunteer
    if volunteer is None:
        raise SchedulingError(_("Yêu cầu này chưa có tình nguyện viên nhận."))
    companion = help_request.companion
    _lock(VolunteerProfile, [volunteer.id, getattr(companion, "id", None)])
    _lock(Resident, [help_request.resident_id])
    if active_session_of(help_request) is not None:
        raise SchedulingError(_("Yêu cầu này đã có lịch. Hãy đổi lịch buổi đó thay vì đề xuất "
                                "buổi mới."))
    check_proposal(help_request, starts_at, ends_at, place, viewer=actor).raise_if_any()
    if not lifecycle.schedule(help_request.id, from_states=(RequestStatus.ASSIGNED,),
                              volunteer_id=volunteer.id):
        raise SchedulingError(_("Yêu cầu này không còn chờ xếp lịch (có thể đã bị hủy hoặc "
                                "đổi tình nguyện viên)."))
    session = Session(
        kind=SessionKind.ONE_TO_ONE, group_id=help_request.group_id, request_id=help_request.id,
        title=", ".join(t.short_name for t in help_request.topics)[:200] or _("Buổi hỗ trợ"),
        place=place, place_name=_place_fields(place, place_name, help_request.group),
        starts_at=starts_at, ends_at=ends_at, capacity=1, status=SessionStatus.PROPOSED,
        created_by_id=actor.id, topics=list(help_request.topics))
    session.volunteers.append(SessionVolunteer(volunteer_id=volunteer.id,
                                               role=VolunteerRole.LEAD))
    if companion is not None:
        session.volunteers.append(SessionVolunteer(volunteer_id=companion.id,
                                                   role=VolunteerRole.HELPER))
    db.session.add(session)
    db.session.flush()
    enroll(session, help_request.resident, request=help_request, check_conflicts=False)
    notify("session_proposed", resident=help_request.resident, context=_message_context(session))
    if actor.id != volunteer.user_id:
        notify("session_proposed", user=volunteer.user, context=_message_context(session))
    db.session.expire(help_request, ["status"])
    return session


def reschedule_session(actor: User, session: Session, starts_at: datetime, ends_at: datetime,
                       place: Place, place_name: str | None, reason: str | None) -> Session:
    """A new time for a one-to-one session; it goes back to 'proposed' until confirmed."""
    if session.kind != SessionKind.ONE_TO_ONE:
        raise SchedulingError(_("Hãy sửa lớp học từ trang sửa lớp."))
    _lock(VolunteerProfile, [sv.volunteer_id for sv in session.volunteers])
    locked = _lock_session(session.id)
    if locked.status not in SessionStatus.ACTIVE:
        raise SchedulingError(_("Buổi này đã hủy hoặc đã diễn ra, không đổi lịch được."))
    _lock(Resident, [seat.resident_id for seat in locked.enrollments])
    help_request = locked.request
    checks = check_proposal(help_request, starts_at, ends_at, place, exclude=[locked.id],
                            viewer=actor)
    checks.raise_if_any()
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.place = place
    locked.place_name = _place_fields(place, place_name, locked.group)
    locked.status = SessionStatus.PROPOSED
    locked.confirmed_at = locked.confirmed_by_id = locked.confirmed_via = None
    locked.reschedule_requested_at = None
    locked.reschedule_note = None
    _reset_replies(locked)
    context = _message_context(locked, reason=reason)
    for seat in locked.enrollments:
        if seat.status in EnrollmentStatus.SEATED:
            notify("session_rescheduled", resident=seat.resident, context=context)
    for sv in locked.volunteers:
        if sv.volunteer.user_id != actor.id:
            notify("session_rescheduled", user=sv.volunteer.user, context=context)
    db.session.flush()
    return locked


def confirm_session(session: Session, *, by: User | None = None, via: str = "leader") -> bool:
    """Proposed -> confirmed (by the resident from the tracking page or a reminder, or by a
    leader after a phone call). False when it was already confirmed."""
    result = db.session.execute(update(Session).where(
        Session.id == session.id, Session.status == SessionStatus.PROPOSED).values(
        status=SessionStatus.CONFIRMED, confirmed_at=utcnow(),
        confirmed_by_id=by.id if by is not None else None, confirmed_via=via,
        reschedule_requested_at=None, reschedule_note=None)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(session)
        if session.status == SessionStatus.CONFIRMED:
            return False
        raise SchedulingError(_("Buổi này đã hủy hoặc đã diễn ra."))
    db.session.refresh(session)
    context = _message_context(session, confirmed_via=via)
    for sv in session.volunteers:
        if by is None or sv.volunteer.user_id != by.id:
            notify("session_confirmed", user=sv.volunteer.user, context=context)
    if via == "leader":
        for seat in session.enrollments:
            if seat.status == EnrollmentStatus.ENROLLED:
                notify("session_confirmed", resident=seat.resident, context=context)
    return True


def cancel_session(session: Session, *, reason: str, by: User | None = None,
                   by_resident: bool = False) -> bool:
    """Cancel with a reason. A one-to-one request goes back to its volunteer to propose
    again; class seats' requests wait again. Everyone concerned is told."""
    result = db.session.execute(update(Session).where(
        Session.id == session.id, Session.status.in_(SessionStatus.ACTIVE)).values(
        status=SessionStatus.CANCELLED, cancel_reason=reason[:300], cancelled_at=utcnow(),
        cancelled_by_id=by.id if by is not None else None)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(session)
    if session.kind == SessionKind.ONE_TO_ONE:
        lifecycle.unschedule(session.request_id, RequestStatus.ASSIGNED)
    context = _message_context(session, reason=reason, by_resident=by_resident or None)
    for seat in session.enrollments:
        if session.kind == SessionKind.CLASS and seat.status == EnrollmentStatus.ENROLLED:
            lifecycle.unschedule(seat.request_id, RequestStatus.OPEN)
        if seat.status in EnrollmentStatus.SEATED and not by_resident:
            notify("session_cancelled", resident=seat.resident, context=context)
    for sv in session.volunteers:
        if by is None or sv.volunteer.user_id != by.id:
            notify("session_cancelled", user=sv.volunteer.user, context=context)
    return True


def cancel_sessions(sessions: list[Session], *, reason: str, by: User) -> int:
    return sum(1 for s in sessions if cancel_session(s, reason=reason, by=by))


# --- classes -------------------------------------------------------------------------
@dataclass
class ClassPlan:
    """What a leader filled in for a class (already parsed; times in UTC)."""

    group: Group
    title: str
    topics: list[Topic]
    place: Place
    place_name: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    lead: VolunteerProfile | None
    helpers: list[VolunteerProfile]
    weeks: int = 1

    @property
    def volunteers(self) -> list[VolunteerProfile]:
        seen, result = set(), []
        for v in [self.lead, *self.helpers]:
            if v is not None and v.id not in seen:
                seen.add(v.id)
                result.append(v)
        return result

    @property
    def room_name(self) -> str | None:
        return _place_fields(self.place, self.place_name, self.group)

    @property
    def room_key(self) -> str | None:
        return place_key(self.group.ward_id, self.room_name)


def eligible_class_volunteers(group: Group, include_ids: Iterable[int] = ()) -> list[VolunteerProfile]:
    """Verified volunteers, not paused, who serve the group or its ward (and those already
    on the class)."""
    serving = exists().where(VolunteerArea.volunteer_id == VolunteerProfile.id, or_(
        VolunteerArea.group_id == group.id, VolunteerArea.ward_id == group.ward_id))
    available = or_(VolunteerProfile.paused_until.is_(None),
                    VolunteerProfile.paused_until < today_local())
    query = select(VolunteerProfile).join(User, User.id == VolunteerProfile.user_id).where(
        or_(serving & VolunteerProfile.verified_at.is_not(None)
            & VolunteerProfile.revoked_at.is_(None) & available,
            VolunteerProfile.id.in_(list(include_ids) or [-1])),
        User.active.is_(True)).order_by(User.full_name)
    return list(db.session.scalars(query).all())


def occurrences(starts_at: datetime, ends_at: datetime, weeks: int) -> list[tuple[datetime, datetime]]:
    """Weekly occurrences at the same local wall-clock time (Vietnam has no daylight saving,
    but adding days to local times keeps this right wherever it runs)."""
    start_local, end_local = to_local(starts_at), to_local(ends_at)
    result = []
    for week in range(weeks):
        shift = timedelta(days=7 * week)
        result.append((local_to_utc((start_local + shift).replace(tzinfo=None)),
                       local_to_utc((end_local + shift).replace(tzinfo=None))))
    return result


def check_class(plan: ClassPlan, *, targets: list[tuple[Session | None, datetime, datetime]] | None = None,
                viewer=None, checks: Checks | None = None) -> Checks:
    """Every rule of a class (or each occurrence of a series): times, capacity, volunteers
    eligible and free, the room free. Errors sit beside "starts", "volunteers", "place",
    "capacity", "lead_id"."""
    checks = Checks() if checks is None else checks
    if plan.lead is None:
        checks.add("lead_id", _("Vui lòng chọn tình nguyện viên phụ trách."))
    eligible = {v.id for v in eligible_class_volunteers(plan.group)}
    existing = set()
    for session, _s, _e in targets or []:
        if session is not None:
            existing |= {sv.volunteer_id for sv in session.volunteers}
    for v in plan.volunteers:
        if v.id not in eligible and v.id not in existing:
            checks.add("lead_id" if v is plan.lead else "helper_ids", _(
                "%(who)s chưa được xác minh hoặc không phụ trách khu vực này.",
                who=volunteer_words(v)))
    if plan.place == Place.OTHER and not clean_name(plan.place_name or ""):
        checks.add("place_name", _("Vui lòng nhập tên địa điểm."))
    if plan.starts_at is None or plan.ends_at is None:
        return checks
    if targets is None:
        targets = [(None, s, e) for s, e in occurrences(plan.starts_at, plan.ends_at, plan.weeks)]
    if not check_times(checks, targets[0][1], targets[0][2]):
        return checks
    excluded = [s.id for s, _a, _b in targets if s is not None]
    several = len(targets) > 1
    for session, starts_at, ends_at in targets:
        if session is not None and plan.capacity is not None:
            taken = seats_taken(session)
            if plan.capacity < taken:
                checks.add("capacity", _("Đã có %(n)d người có chỗ; sức chứa không thể nhỏ hơn.",
                                         n=taken))
        residents = ([seat.resident for seat in session.enrollments if seat.status in EnrollmentStatus.SEATED]
                     if session is not None else [])
        found = find_conflicts(starts_at, ends_at, volunteers=plan.volunteers,
                               place=plan.room_key, residents=residents, exclude=excluded,
                               viewer=viewer)
        for conflict in found:
            message = conflict.message
            if several:
                message = _("%(day)s: %(message)s", day=fmt_datetime(starts_at).rsplit(",", 1)[0],
                            message=message)
            if conflict.field == "volunteers":
                name = ("lead_id" if plan.lead is not None
                        and conflict.subject_id == plan.lead.id else "helper_ids")
            else:
                name = {"place": "place", "resident": "starts"}[conflict.field]
            checks.add(name, message)
    return checks


def _lock_for_class(plan: ClassPlan) -> None:
    _lock(Ward, [plan.group.ward_id])
    _lock(VolunteerProfile, [v.id for v in plan.volunteers])


def create_class(actor: User, plan: ClassPlan) -> list[Session]:
    """A class for a residential group, or a weekly series of `weeks` occurrences; refused
    as a whole when any occurrence conflicts."""
    _lock_for_class(plan)
    checks = check_class(plan, viewer=actor)
    if plan.capacity is None or plan.capacity < 1:
        checks.add("capacity", _("Sức chứa ít nhất là 1 người."))
    checks.raise_if_any()
    series_id = str(uuid.uuid4()) if plan.weeks > 1 else None
    sessions = []
    for starts_at, ends_at in occurrences(plan.starts_at, plan.ends_at, plan.weeks):
        session = Session(kind=SessionKind.CLASS, title=plan.title, group_id=plan.group.id,
                          place=plan.place, place_name=plan.room_name, place_key=plan.room_key,
                          starts_at=starts_at, ends_at=ends_at, capacity=plan.capacity,
                          status=SessionStatus.CONFIRMED, series_id=series_id,
                          created_by_id=actor.id, topics=list(plan.topics))
        _set_volunteers(session, plan)
        db.session.add(session)
        sessions.append(session)
    db.session.flush()
    for session in sessions:
        for sv in session.volunteers:
            if sv.volunteer.user_id != actor.id:
                notify("session_confirmed", user=sv.volunteer.user,
                       context=_message_context(session, series_weeks=plan.weeks))
    return sessions


def _set_volunteers(session: Session, plan: ClassPlan) -> None:
    """Keep the rows of volunteers who stay (their recorded hours), add and remove others."""
    wanted = {v.id: (VolunteerRole.LEAD if v is plan.lead else VolunteerRole.HELPER)
              for v in plan.volunteers}
    for sv in list(session.volunteers):
        if sv.volunteer_id not in wanted:
            session.volunteers.remove(sv)
        else:
            sv.role = wanted.pop(sv.volunteer_id)
    for volunteer_id, role in wanted.items():
        session.volunteers.append(SessionVolunteer(volunteer_id=volunteer_id, role=role))


def edit_targets(session: Session, plan: ClassPlan, members: list[Session]):
    """Where each occurrence goes: shifted like the edited one, with the new length."""
    shift = plan.starts_at - session.starts_at
    length = plan.ends_at - plan.starts_at
    targets = []
    for member in members:
        new_start = local_to_utc((to_local(member.starts_at) + shift).replace(tzinfo=None))
        targets.append((member, new_start, new_start + length))
    return targets


def update_class(actor: User, session: Session, plan: ClassPlan, scope: str = "one") -> list[Session]:
    """Edit one occurrence, or this and every later occurrence of its series ("series").

    For a series the time moves by the same shift as this occurrence and takes the new
    length; title, topics, place, capacity and volunteers apply to each. Refused as a
    whole if any occurrence would conflict; people whose time or place changed are told.
    """
    if session.kind != SessionKind.CLASS:
        raise SchedulingError(_("Đây không phải lớp học."))
    _lock_for_class(plan)
    members = series_of(session) if scope == "series" else [session]
    for member in members:
        _lock_session(member.id)
    if session.status not in SessionStatus.ACTIVE:
        raise SchedulingError(_("Lớp này đã hủy hoặc đã diễn ra, không sửa được."))
    _lock(Resident, [seat.resident_id for m in members for seat in m.enrollments])
    targets = edit_targets(session, plan, members)
    checks = check_class(plan, targets=targets, viewer=actor)
    if plan.capacity is None or plan.capacity < 1:
        checks.add("capacity", _("Sức chứa ít nhất là 1 người."))
    checks.raise_if_any()
    for member, new_start, new_end in targets:
        moved = (member.starts_at != new_start or member.ends_at != new_end
                 or member.place_key != plan.room_key or member.place != plan.place)
        grew = plan.capacity > member.capacity
        member.title = plan.title
        member.topics = list(plan.topics)
        member.place, member.place_name, member.place_key = (plan.place, plan.room_name,
                                                             plan.room_key)
        member.starts_at, member.ends_at = new_start, new_end
        member.capacity = plan.capacity
        _set_volunteers(member, plan)
        db.session.flush()
        if moved:
            _reset_replies(member)
            context = _message_context(member)
            for seat in member.enrollments:
                if seat.status in EnrollmentStatus.SEATED:
                    notify("session_rescheduled", resident=seat.resident, context=context)
            for sv in member.volunteers:
                if sv.volunteer.user_id != actor.id:
                    notify("session_rescheduled", user=sv.volunteer.user, context=context)
        if grew:
            promote_waiting(member)
    return members


# --- filling a class -------------------------------------------------------------------
@dataclass
class Candidate:
    request: HelpRequest
    same_group: bool
    conflict: str | None


def waiting_requests_for(session: Session, viewer=None, limit: int = 100) -> list[Candidate]:
    """Open requests for the class's topics: the group's first, then the ward's; residents
    already seated are left out, residents booked at that time are shown with the reason."""
    topic_ids = [t.id for t in session.topics]
    if not topic_ids:
        return []
    seated = select(Enrollment.resident_id).where(Enrollment.session_id == session.id,
                                                  Enrollment.status.in_(EnrollmentStatus.SEATED))
    ward_groups = select(Group.id).where(Group.ward_id == session.group.ward_id)
    query = (select(HelpRequest).join(Resident, Resident.id == HelpRequest.resident_id).where(
        HelpRequest.status == RequestStatus.OPEN, HelpRequest.group_id.in_(ward_groups),
        Resident.erased_at.is_(None), HelpRequest.resident_id.notin_(seated),
        exists().where(request_topic.c.request_id == HelpRequest.id,
                       request_topic.c.topic_id.in_(topic_ids)))
        .order_by((HelpRequest.group_id != session.group_id), HelpRequest.created_at,
                  HelpRequest.id).limit(limit))
    result, seen = [], set()
    for help_request in db.session.scalars(query):
        if help_request.resident_id in seen:
            continue
        seen.add(help_request.resident_id)
        found = find_conflicts(session.starts_at, session.ends_at,
                               residents=[help_request.resident], exclude=[session.id],
                               viewer=viewer)
        result.append(Candidate(help_request, help_request.group_id == session.group_id,
                                found[0].message if found else None))
    return result


@dataclass
class InviteResult:
    enrolled: list[Enrollment] = field(default_factory=list)
    waiting: list[Enrollment] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def invite_requests(actor: User, session: Session, request_ids: Iterable[int]) -> InviteResult:
    """Invite waiting requests into the class in one action: each takes a seat through
    `enroll` (or the waiting list); a request taken meanwhile is skipped and reported."""
    result = InviteResult()
    topic_ids = {t.id for t in session.topics}
    for request_id in sorted(set(request_ids)):
        help_request = db.session.get(HelpRequest, request_id)
        if (help_request is None or help_request.group.ward_id != session.group.ward_id
                or not topic_ids & {t.id for t in help_request.topics}):
            continue
        label = resident_words(help_request.resident, actor)
        if help_request.status != RequestStatus.OPEN:
            result.skipped.append(_("%(who)s: yêu cầu không còn chờ.", who=label))
            continue
        try:
            seat = enroll(session, help_request.resident, request=help_request)
        except SchedulingError as exc:
            result.skipped.append(_("%(who)s: %(why)s", who=label, why=exc.message))
            continue
        if seat.status == EnrollmentStatus.ENROLLED:
            lifecycle.schedule(help_request.id)
            result.enrolled.append(seat)
        else:
            result.waiting.append(seat)
        notify("session_proposed", resident=help_request.resident,
               context=_message_context(session, code=help_request.code,
                                        waiting_list=seat.status == EnrollmentStatus.WAITING
                                        or None))
    db.session.flush()
    return result


def find_or_create_walk_in(actor: User, group: Group, full_name: str,
                           phone_e164: str | None) -> Resident:
    """The resident who came to the door: the known record for the phone, or a new one in
    the class's group with their consent given in person."""
    if phone_e164:
        known = db.session.scalar(select(Resident).where(Resident.phone == phone_e164))
        if known is not None:
            return known
    resident = Resident(group_id=group.id, phone=phone_e164)
    resident.set_name(clean_name(full_name))
    db.session.add(resident)
    db.session.flush()
    db.session.add(Consent(resident_id=resident.id, wording_version=WALK_IN_CONSENT_VERSION,
                           method=ConsentMethod.IN_PERSON, captured_by_id=actor.id))
    return resident


def add_walk_in(actor: User, session: Session, full_name: str, phone_e164: str | None) -> Enrollment:
    """A walk-in at the door takes a seat by the same rule as everyone (or waits)."""
    if session.kind != SessionKind.CLASS:
        raise SchedulingError(_("Chỉ lớp học mới nhận người đến trực tiếp."))
    resident = find_or_create_walk_in(actor, session.group, full_name, phone_e164)
    return enroll(session, resident)


# --- replies ---------------------------------------------------------------------------
def _reset_replies(session: Session) -> None:
    """A new time needs a new answer."""
    from app.models import SessionReply

    db.session.execute(update(SessionReply).where(SessionReply.session_id == session.id)
                       .values(answer=None, answered_at=None)
                       .execution_options(synchronize_session=False))


