"""Reminders the day before a session, and the one-tap replies they link to.

A reminder is queued through the outbox with `dedupe_key="reminder:<session>:<recipient>"`,
so running `flask --app wsgi reminders send` twice queues each reminder once.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import abort, current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.areas import scope
from app.clock import local_day_bounds, to_local, utcnow
from app.extensions import db
from app.models import (Enrollment, EnrollmentStatus, ReplyAnswer, Resident, Session,
                        SessionKind, SessionReply, SessionStatus, VolunteerProfile)
from app.notify.outbox import notify
from app.sessions.seats import cancel_enrollment
from app.sessions.services import cancel_session, confirm_session
from app.sessions.words import message_context
from app.text import given_name


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a message, on the public address of the site."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def reminder_key(session_id: int, recipient: str) -> str:
    return f"reminder:{session_id}:{recipient}"


# --- replies --------------------------------------------------------------------------
def reply_for(session: Session, *, resident: Resident | None = None,
              volunteer: VolunteerProfile | None = None) -> SessionReply:
    """The reply record (and its secret link) of one person for one session."""
    query = select(SessionReply).where(SessionReply.session_id == session.id)
    if resident is not None:
        query = query.where(SessionReply.resident_id == resident.id)
    else:
        query = query.where(SessionReply.volunteer_id == volunteer.id)
    reply = db.session.scalar(query)
    if reply is None:
        reply = SessionReply(session_id=session.id, token=secrets.token_urlsafe(18),
                             resident_id=getattr(resident, "id", None),
                             volunteer_id=getattr(volunteer, "id", None))
        db.session.add(reply)
        db.session.flush()
    return reply


def get_reply(token: str) -> SessionReply:
    """The reply behind a reminder link; an unknown or malformed token is a 404."""
    if not token or len(token) > 64:
        abort(404)
    reply = db.session.scalar(select(SessionReply).where(SessionReply.token == token))
    if reply is None:
        abort(404)
    return reply


def tell_leaders_cannot_come(session: Session, *, who: str, role: str,
                             reason: str | None = None) -> None:
    """At once, so that a replacement can be found in time."""
    context = message_context(session, who=who, role=role, reason=reason)
    for leader in scope.recipients_of(session.group):
        notify("cannot_come", user=leader, context=context)


def resident_cannot_come(session: Session, resident: Resident, *,
                         reason: str | None = None) -> None:
    """The resident will not come: a one-to-one session is called off (the volunteer will
    propose again), a class seat is freed for the waiting list; leaders are told."""
    seat = db.session.scalar(select(Enrollment).where(
        Enrollment.session_id == session.id, Enrollment.resident_id == resident.id))
    reason = reason or _("Người dân báo không đến được.")
    if session.kind == SessionKind.ONE_TO_ONE:
        cancel_session(session, reason=reason, by_resident=True)
    elif seat is not None:
        cancel_enrollment(seat, reason=reason)
    tell_leaders_cannot_come(session, who=given_name(resident.full_name), role="resident",
                             reason=reason)


def answer_reply(reply: SessionReply, answer: ReplyAnswer, reason: str | None = None) -> str:
    """Record "I'll come" / "I can't come". Returns what happened: "unchanged", "coming",
    "confirmed" (a proposed one-to-one is now confirmed), "cannot_come" or "closed"."""
    session = reply.session
    if session.status not in SessionStatus.ACTIVE or session.ends_at <= utcnow():
        return "closed"
    if reply.answer == answer:
        return "unchanged"
    if reply.resident_id is not None:
        seat = db.session.scalar(select(Enrollment).where(
            Enrollment.session_id == session.id, Enrollment.resident_id == reply.resident_id))
        if seat is None or seat.status not in EnrollmentStatus.SEATED:
            return "closed"
    reply.answer, reply.answered_at = answer, utcnow()
    if answer == ReplyAnswer.CANNOT_COME:
        if reply.resident_id is not None:
            resident_cannot_come(session, reply.resident, reason=reason)
        else:
            tell_leaders_cannot_come(session, who=given_name(reply.volunteer.user.full_name),
                                     role="volunteer", reason=reason)
        return "cannot_come"
    if (reply.resident_id is not None and session.kind == SessionKind.ONE_TO_ONE
            and session.status == SessionStatus.PROPOSED):
        confirm_session(session, via="resident")
        return "confirmed"
    return "coming"


# --- reminders ----------------------------------------------------------------------
def due_for_reminder(now: datetime | None = None) -> list[int]:
    """Sessions that start between now and the end of tomorrow (local time)."""
    now = now or utcnow()
    tomorrow = to_local(now).date() + timedelta(days=1)
    _start, end = local_day_bounds(tomorrow)
    return list(db.session.scalars(select(Session.id).where(
        Session.status.in_(SessionStatus.ACTIVE), Session.starts_at > now, Session.starts_at < end)
        .order_by(Session.starts_at, Session.id)).all())


def queue_reminders(session: Session) -> int:
    """A reminder for each seated resident and each volunteer, each with a reply link.
    Returns how many were queued now (0 when they were all sent before)."""
    queued = 0
    for seat in session.enrollments:
        if seat.status != EnrollmentStatus.ENROLLED or seat.resident.erased_at is not None:
            continue
        reply = reply_for(session, resident=seat.resident)
        context = message_context(session, reply_url=external_url("sessions.reply",
                                                                   token=reply.token))
        if notify("reminder", resident=seat.resident, context=context,
                  dedupe_key=reminder_key(session.id, f"resident-{seat.resident_id}")):
            queued += 1
    for sv in session.volunteers:
        reply = reply_for(session, volunteer=sv.volunteer)
        context = message_context(session, reply_url=external_url("sessions.reply",
                                                                   token=reply.token))
        if notify("reminder", user=sv.volunteer.user, context=context,
                  dedupe_key=reminder_key(session.id, f"user-{sv.volunteer.user_id}")):
            queued += 1
    return queued


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders of every due session, one transaction per session; a concurrent
    run that queued the same reminder first makes this one skip it."""
    total = 0
    for session_id in due_for_reminder(now):
        try:
            session = db.session.get(Session, session_id)
            total += queue_reminders(session)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
    return total


def resident_asks_new_time(session: Session, resident: Resident, note: str | None) -> bool:
    """From the tracking page: the resident would like another time. The session stays as
    it is until the volunteer proposes a new time; the volunteer and the leaders are told."""
    if session.status not in SessionStatus.ACTIVE or session.kind != SessionKind.ONE_TO_ONE:
        return False
    session.reschedule_requested_at = utcnow()
    session.reschedule_note = (note or "").strip()[:300] or None
    context = message_context(session, asks_new_time=True, reason=session.reschedule_note,
                               who=given_name(resident.full_name), role="resident")
    for sv in session.volunteers:
        notify("cannot_come", user=sv.volunteer.user, context=context)
    for leader in scope.recipients_of(session.group):
        notify("cannot_come", user=leader, context=context)
    return True
