"""Seats in a session: enrolment within capacity, the waiting list, inviting waiting requests, walk-ins."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update

from app.clock import utcnow
from app.extensions import db
from app.models import (Consent, ConsentMethod, Enrollment, EnrollmentStatus, Group, HelpRequest,
                        RequestStatus, Resident, Session, SessionKind, SessionStatus, User)
from app.models.requests import request_topic
from app.notify.outbox import notify
from app.requests import lifecycle
from app.refusal import Refusal
from app.sessions.checks import find_conflicts, inside_preferred_times, lock_rows, lock_session
from app.sessions.words import message_context, resident_words
from app.text import clean_name


WALK_IN_CONSENT_VERSION = "tai-cho-1"


# --- seats -------------------------------------------------------------------------
def seats_taken(session: Session) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.session_id == session.id,
        Enrollment.status == EnrollmentStatus.ENROLLED)) or 0


def waiting_count(session: Session) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.session_id == session.id,
        Enrollment.status == EnrollmentStatus.WAITING)) or 0


@dataclass
class OpenClass:
    session: Session
    seats_left: int


def classes_open_to(help_request: HelpRequest, limit: int = 5) -> list[OpenClass]:
    """The coming classes of the request's group, soonest first, with the seats left (a
    full class still takes people on its waiting list): where a leader may invite it."""
    sessions = db.session.scalars(select(Session).where(
        Session.kind == SessionKind.CLASS, Session.group_id == help_request.group_id,
        Session.status.in_(SessionStatus.ACTIVE), Session.starts_at > utcnow())
        .order_by(Session.starts_at, Session.id).limit(limit)).all()
    return [OpenClass(s, max(0, s.capacity - seats_taken(s))) for s in sessions]


def enroll(session: Session, resident: Resident, *, request: HelpRequest | None = None,
           check_conflicts: bool = True, after_the_fact: bool = False) -> Enrollment:
    """THE rule for taking a seat: enrolled while seats remain, otherwise on the waiting list.

    The session row is locked first (FOR UPDATE; BEGIN IMMEDIATE on SQLite), so that
    capacity + k people enrolling at the same moment get exactly `capacity` seats and
    k places on the waiting list. Enrolling someone already seated returns their seat.
    Raises Refusal when the session is over or cancelled, or when the resident
    is already booked at that time elsewhere. `after_the_fact` lets a leader enter the
    paper sign-in sheet of a class that has ended (still within capacity).
    """
    locked = lock_session(session.id)
    if after_the_fact:
        if locked.status not in SessionStatus.BOOKED:
            raise Refusal(field="resident", errors={"resident": [_("Buổi này đã hủy.")]})
    elif locked.status not in SessionStatus.ACTIVE or locked.ends_at <= utcnow():
        raise Refusal(field="resident", errors={"resident": [_("Buổi này đã hủy hoặc đã kết thúc.")]})
    lock_rows(Resident, [resident.id])
    seat = db.session.scalar(select(Enrollment).where(
        Enrollment.session_id == locked.id, Enrollment.resident_id == resident.id)
        .execution_options(populate_existing=True))
    if seat is not None and seat.status in EnrollmentStatus.SEATED:
        return seat
    if check_conflicts:
        conflicts = find_conflicts(locked.starts_at, locked.ends_at, residents=[resident],
                                   exclude=[locked.id])
        if conflicts:
            raise Refusal(field="resident", errors={"resident": [c.message for c in conflicts]})
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
    locked = lock_session(session.id)
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
               context=message_context(locked, from_waiting_list=True))
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


# --- filling a class -------------------------------------------------------------------
@dataclass
class Candidate:
    request: HelpRequest
    same_group: bool
    conflict: str | None
    fits: bool = True  # the class lies inside the times the resident chose

    @property
    def suggested(self) -> bool:
        """Ticked in advance: of the class's own group, free then, and at a time they chose."""
        return self.same_group and not self.conflict and self.fits


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
                                found[0].message if found else None,
                                inside_preferred_times(help_request, session.starts_at,
                                                       session.ends_at)))
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
        except Refusal as exc:
            result.skipped.append(_("%(who)s: %(why)s", who=label, why=exc.message))
            continue
        if seat.status == EnrollmentStatus.ENROLLED:
            lifecycle.schedule(help_request.id)
            result.enrolled.append(seat)
        else:
            result.waiting.append(seat)
        notify("session_proposed", resident=help_request.resident,
               context=message_context(session, code=help_request.code,
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
        raise Refusal(_("Chỉ lớp học mới nhận người đến trực tiếp."))
    resident = find_or_create_walk_in(actor, session.group, full_name, phone_e164)
    return enroll(session, resident)


# --- replies ---------------------------------------------------------------------------
def announce(session: Session, kind: str, context: dict, *, actor: User | None = None,
             residents: bool = True) -> None:
    """Tell the people a session concerns of a change to it: the residents seated in it
    (unless `residents` is False: they made the change) and its volunteers, but not the
    volunteer who made it."""
    if residents:
        for seat in session.enrollments:
            if seat.status in EnrollmentStatus.SEATED:
                notify(kind, resident=seat.resident, context=context)
    for sv in session.volunteers:
        if actor is None or sv.volunteer.user_id != actor.id:
            notify(kind, user=sv.volunteer.user, context=context)


def reset_replies(session: Session) -> None:
    """A new time needs a new answer."""
    from app.models import SessionReply

    db.session.execute(update(SessionReply).where(SessionReply.session_id == session.id)
                       .values(answer=None, answered_at=None)
                       .execution_options(synchronize_session=False))
