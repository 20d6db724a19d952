"""What a resident sees of their sessions from the tracking page, without an account.

The requests area proves access (tracking code + phone) and keeps the ids of the
requests this browser may follow in `session["tracked_requests"]`; every action here
checks that list first.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask import session as browser_session
from sqlalchemy import or_, select

from app.clock import utcnow
from app.extensions import db
from app.models import (Enrollment, EnrollmentStatus, HelpRequest, NoShow, ReplyAnswer, Session,
                        SessionKind, SessionReply, SessionStatus)
from app.permissions import deny



@dataclass
class TrackedSession:
    session: Session
    seat: Enrollment | None
    answer: ReplyAnswer | None
    no_show: NoShow | None

    @property
    def upcoming(self) -> bool:
        return self.session.status in SessionStatus.ACTIVE and self.session.ends_at > utcnow()

    @property
    def can_confirm(self) -> bool:
        return (self.upcoming and self.session.kind == SessionKind.ONE_TO_ONE
                and self.session.status == SessionStatus.PROPOSED)

    @property
    def can_say_coming(self) -> bool:
        return (self.upcoming and self.session.kind == SessionKind.CLASS
                and self.answer != ReplyAnswer.COMING)

    @property
    def can_ask_new_time(self) -> bool:
        return (self.upcoming and self.session.kind == SessionKind.ONE_TO_ONE
                and self.session.reschedule_requested_at is None)


def tracked_ids() -> list[int]:
    ids = browser_session.get("tracked_requests") or []
    return [i for i in ids if isinstance(i, int)]


def tracked_request(request_id: int | None) -> HelpRequest:
    """The request, if this browser proved access to it on the tracking page."""
    if request_id is None or request_id not in tracked_ids():
        deny(f"tracking: request {request_id} not proven")
    help_request = db.session.get(HelpRequest, request_id)
    if help_request is None:
        abort(404)
    return help_request


def _linked(help_request: HelpRequest):
    return or_(Session.request_id == help_request.id, Session.id.in_(
        select(Enrollment.session_id).where(Enrollment.request_id == help_request.id)))


def session_of_request(session_id: int, help_request: HelpRequest) -> tuple[Session, Enrollment]:
    """The session, if it belongs to this request (a one-to-one or a class seat)."""
    session = db.session.scalar(select(Session).where(Session.id == session_id,
                                                      _linked(help_request)))
    if session is None:
        abort(404)
    seat = db.session.scalar(select(Enrollment).where(
        Enrollment.session_id == session.id,
        Enrollment.resident_id == help_request.resident_id))
    if seat is None:
        abort(404)
    return session, seat


def tracking_sessions(help_request: HelpRequest) -> list[TrackedSession]:
    """The request's coming sessions, and past ones where a no-show was recorded."""
    if help_request is None:
        return []
    sessions = db.session.scalars(select(Session).where(_linked(help_request))
                                  .order_by(Session.starts_at.desc()).limit(20)).all()
    result = []
    for session in sessions:
        seat = db.session.scalar(select(Enrollment).where(
            Enrollment.session_id == session.id,
            Enrollment.resident_id == help_request.resident_id))
        no_show = db.session.scalar(select(NoShow).where(
            NoShow.session_id == session.id, NoShow.resident_id == help_request.resident_id))
        answer = db.session.scalar(select(SessionReply.answer).where(
            SessionReply.session_id == session.id,
            SessionReply.resident_id == help_request.resident_id))
        item = TrackedSession(session, seat, answer, no_show)
        seated = seat is not None and seat.status in EnrollmentStatus.SEATED
        if (item.upcoming and seated) or no_show is not None:
            result.append(item)
    result.sort(key=lambda item: (not item.upcoming, item.session.starts_at))
    return result
