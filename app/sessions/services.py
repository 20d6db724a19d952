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

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from app.models import (EnrollmentStatus, HelpRequest, Place, RequestStatus, Resident, Session,
                        SessionKind, SessionStatus, SessionVolunteer, User, VolunteerProfile, VolunteerRole)
from app.notify.outbox import notify
from app.permissions import load
from app.requests import lifecycle
from app.refusal import Refusal
from app.sessions.checks import (Checks, lock_rows, lock_session, check_times,
                                 find_conflicts, inside_preferred_times)
from app.sessions.seats import announce, enroll, reset_replies
from app.sessions.words import message_context, place_name_for
from app.timeslots import describe


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
    def may(session: Session) -> bool:
        if need == "manage":
            return user.can_manage_group(session.group)
        if need == "change":
            return can_change(user, session)
        return user.can_manage_group(session.group) or is_volunteer_of(user, session) or any(
            seat.resident.user_id == user.id for seat in session.enrollments
            if seat.resident.user_id is not None)

    return load(Session, session_id, may=may, refusal=f"session {session_id}: {need}")


def get_request_to_schedule(user, request_id: int | None) -> HelpRequest:
    """The request this person may propose a time for: its assigned volunteer, or a
    manager of its group (after a phone call)."""
    profile = _profile(user)
    return load(HelpRequest, request_id or None, refusal=f"request {request_id}: propose",
                may=lambda r: (profile is not None and profile.is_verified
                               and r.volunteer_id == profile.id)
                or user.can_manage_group(r.group))


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


def propose_session(actor: User, help_request: HelpRequest, starts_at: datetime,
                    ends_at: datetime, place: Place, place_name: str | None = None) -> Session:
    """The assigned volunteer (or a leader) proposes a time inside the resident's windows;
    the request becomes 'scheduled' and the resident is told, in one transaction."""
    volunteer = help_request.volunteer
    if volunteer is None:
        raise Refusal(_("Yêu cầu này chưa có tình nguyện viên nhận."))
    companion = help_request.companion
    lock_rows(VolunteerProfile, [volunteer.id, getattr(companion, "id", None)])
    lock_rows(Resident, [help_request.resident_id])
    if active_session_of(help_request) is not None:
        raise Refusal(_("Yêu cầu này đã có lịch. Hãy đổi lịch buổi đó thay vì đề xuất "
                                "buổi mới."))
    check_proposal(help_request, starts_at, ends_at, place, viewer=actor).raise_if_any()
    if not lifecycle.schedule(help_request.id, from_states=(RequestStatus.ASSIGNED,),
                              volunteer_id=volunteer.id):
        raise Refusal(_("Yêu cầu này không còn chờ xếp lịch (có thể đã bị hủy hoặc "
                                "đổi tình nguyện viên)."))
    session = Session(
        kind=SessionKind.ONE_TO_ONE, group_id=help_request.group_id, request_id=help_request.id,
        title=", ".join(t.short_name for t in help_request.topics)[:200] or _("Buổi hỗ trợ"),
        place=place, place_name=place_name_for(place, place_name, help_request.group),
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
    notify("session_proposed", resident=help_request.resident, context=message_context(session))
    if actor.id != volunteer.user_id:
        notify("session_proposed", user=volunteer.user, context=message_context(session))
    db.session.expire(help_request, ["status"])
    return session


def reschedule_session(actor: User, session: Session, starts_at: datetime, ends_at: datetime,
                       place: Place, place_name: str | None, reason: str | None) -> Session:
    """A new time for a one-to-one session; it goes back to 'proposed' until confirmed."""
    if session.kind != SessionKind.ONE_TO_ONE:
        raise Refusal(_("Hãy sửa lớp học từ trang sửa lớp."))
    lock_rows(VolunteerProfile, [sv.volunteer_id for sv in session.volunteers])
    locked = lock_session(session.id)
    if locked.status not in SessionStatus.ACTIVE:
        raise Refusal(_("Buổi này đã hủy hoặc đã diễn ra, không đổi lịch được."))
    lock_rows(Resident, [seat.resident_id for seat in locked.enrollments])
    help_request = locked.request
    checks = check_proposal(help_request, starts_at, ends_at, place, exclude=[locked.id],
                            viewer=actor)
    checks.raise_if_any()
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.place = place
    locked.place_name = place_name_for(place, place_name, locked.group)
    locked.status = SessionStatus.PROPOSED
    locked.confirmed_at = locked.confirmed_by_id = locked.confirmed_via = None
    locked.reschedule_requested_at = None
    locked.reschedule_note = None
    reset_replies(locked)
    context = message_context(locked, reason=reason)
    announce(locked, "session_rescheduled", context, actor=actor)
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
        raise Refusal(_("Buổi này đã hủy hoặc đã diễn ra."))
    db.session.refresh(session)
    context = message_context(session, confirmed_via=via)
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
    context = message_context(session, reason=reason, by_resident=by_resident or None)
    for seat in session.enrollments:
        if session.kind == SessionKind.CLASS and seat.status == EnrollmentStatus.ENROLLED:
            lifecycle.unschedule(seat.request_id, RequestStatus.OPEN)
    announce(session, "session_cancelled", context, actor=by, residents=not by_resident)
    return True


def cancel_sessions(sessions: list[Session], *, reason: str, by: User) -> int:
    return sum(1 for s in sessions if cancel_session(s, reason=reason, by=by))
