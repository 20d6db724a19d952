"""Delivering the outbox: claim, render, send, record each attempt, retry, give up.

Any number of runs may go at once (a timer, an RQ worker, a second machine): a
message is claimed in the database before it is sent, one at a time, by a
conditional UPDATE pending -> sending carrying a random claim token
(PostgreSQL picks the row with FOR UPDATE SKIP LOCKED; SQLite takes the write
lock with BEGIN IMMEDIATE), so no two runs send the same message. Nothing is
held open while a gateway is called. A run that dies mid-send leaves a
'sending' row; after NOTIFY_CLAIM_TIMEOUT_SECONDS it returns to pending.
"""
from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.clock import to_local, utcnow
from app.extensions import db
from app.models import DeliveryAttempt, OutboxMessage, OutboxStatus, Session, User
from app.notify import channels
from app.notify.outbox import DIGESTIBLE_KINDS, notify
from app.notify.preferences import IN_APP, Recipient, channel_plan, preference_for
from app.notify.render import _int, _moment, render

log = logging.getLogger("cunghocso.notify")

MAX_BACKOFF = timedelta(hours=6)
# Kinds about a session still to come: pointless once it has started.
UPCOMING_KINDS = frozenset({"reminder", "session_proposed", "session_confirmed",
                            "session_rescheduled"})


@dataclass
class DeliveryReport:
    outcomes: Counter = field(default_factory=Counter)
    requeued: int = 0
    digests: int = 0

    def __str__(self) -> str:
        parts = [f"{name}={count}" for name, count in sorted(self.outcomes.items())]
        parts += [f"requeued={self.requeued}", f"digests={self.digests}"]
        return " ".join(parts)


def deliver_due(*, limit: int = 500, now: datetime | None = None) -> DeliveryReport:
    """Send every message that is due (at most `limit`); safe to run many times at once."""
    now = now or utcnow()
    report = DeliveryReport()
    report.requeued = release_stale_claims(now)
    report.digests = build_digests(now)
    for _ in range(limit):
        claim = claim_next(now)
        if claim is None:
            break
        message_id, token = claim
        try:
            outcome = deliver_claimed(message_id, token, now)
        except Exception:  # a bug must not stop the other messages, nor lose this one
            db.session.rollback()
            log.exception("delivery of outbox message %s failed unexpectedly", message_id)
            _release(message_id, token, now, "internal error")
            outcome = "error"
        report.outcomes[outcome] += 1
    return report


# --- claiming -----------------------------------------------------------------------
def claim_next(now: datetime) -> tuple[int, str] | None:
    """Claim one due message for this run; returns (id, claim token) or None."""
    token = secrets.token_hex(16)
    candidate = (select(OutboxMessage.id)
                 .where(OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                 .limit(1)
                 .with_for_update(skip_locked=True)
                 .scalar_subquery())
    try:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENDING, claim_token=token, claimed_at=now)
            .execution_options(synchronize_session=False))
        message_id = db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.claim_token == token)) if result.rowcount else None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return (message_id, token) if message_id is not None else None


def release_stale_claims(now: datetime) -> int:
    """Claims older than the timeout belong to a run that died: make them pending again."""
    cutoff = now - timedelta(seconds=current_app.config["NOTIFY_CLAIM_TIMEOUT_SECONDS"])
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < cutoff)
        .values(status=OutboxStatus.PENDING, claim_token=None, claimed_at=None,
                next_attempt_at=now, last_error="interrupted")
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount:
        log.warning("returned %d interrupted outbox messages to pending", result.rowcount)
    return result.rowcount


def _finish(message_id: int, token: str, **values) -> bool:
    """Write the result if this run still holds the claim."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token,
               OutboxMessage.status == OutboxStatus.SENDING)
        .values(claim_token=None, claimed_at=None, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        log.warning("outbox message %s: claim lost before the result was recorded", message_id)
    return result.rowcount == 1


def _release(message_id: int, token: str, now: datetime, reason: str) -> None:
    _finish(message_id, token, status=OutboxStatus.PENDING, last_error=reason,
            next_attempt_at=now + backoff(1))
    db.session.commit()


def backoff(failures: int) -> timedelta:
    """1, 2, 4, 8 … times NOTIFY_RETRY_BASE_SECONDS, at most six hours."""
    base = current_app.config["NOTIFY_RETRY_BASE_SECONDS"]
    return min(timedelta(seconds=base * 2 ** max(failures - 1, 0)), MAX_BACKOFF)


# --- one message -----------------------------------------------------------------------
def _starts_at(message: OutboxMessage) -> datetime | None:
    ctx = message.context if isinstance(message.context, dict) else {}
    moment = _moment(ctx.get("starts_at"))
    if moment is None and (session_id := _int(ctx.get("session_id"))) is not None:
        session = db.session.get(Session, session_id)
        moment = session.starts_at if session else None
    return moment


def _attempt_stats(message: OutboxMessage) -> tuple[Counter, set[str]]:
    counts, permanent = Counter(), set()
    for attempt in message.attempt_log:
        if message.retry_after_attempt_id and attempt.id <= message.retry_after_attempt_id:
            continue  # before a leader's "try again"
        if not attempt.ok:
            counts[attempt.channel] += 1
            if attempt.permanent:
                permanent.add(attempt.channel)
    return counts, permanent


def deliver_claimed(message_id: int, token: str, now: datetime) -> str:
    """Deliver one claimed message; returns what happened (sent, retry, failed, …)."""
    message = db.session.get(OutboxMessage, message_id)
    recipient = Recipient.of(message)
    max_attempts = current_app.config["NOTIFY_MAX_ATTEMPTS"]

    def skip(reason: str) -> str:
        _finish(message_id, token, status=OutboxStatus.SKIPPED, last_error=reason)
        db.session.commit()
        return "skipped"

    if (reason := recipient.unreachable_reason()) is not None:
        return skip(reason)
    if message.kind in UPCOMING_KINDS and (start := _starts_at(message)) and start <= now:
        return skip("too_late")
    preference = preference_for(user=recipient.user, resident=recipient.resident)
    if preference.opted_out:
        if recipient.is_resident:
            return skip("opted_out")
        plan = [IN_APP]  # no SMS, Zalo or e-mail; the app still shows the message
    else:
        plan = channel_plan(recipient, preference)

    failures, permanent = _attempt_stats(message)
    usable = [c for c in plan if c not in permanent and failures[c] < max_attempts]
    if not usable:
        if failures:
            _finish(message_id, token, status=OutboxStatus.FAILED)
            db.session.commit()
            return "failed"
        return skip("no_channel")
    channel = message.channel if message.channel in usable else usable[0]

    try:
        rendered = render(message, recipient)
    except Exception:  # a broken template: counted as a failed attempt, retried, then given up
        log.exception("outbox message %s (%s) could not be rendered", message_id, message.kind)
        rendered = None
    if (rendered is not None and preference.daily_digest and not recipient.is_resident
            and channel != IN_APP and message.kind in DIGESTIBLE_KINDS):
        _finish(message_id, token, status=OutboxStatus.HELD, channel=channel,
                subject=rendered.subject, body=rendered.text)
        db.session.commit()
        return "held"

    body = rendered.for_channel(channel) if rendered else None
    address = recipient.address_for(channel)
    simulated = channels.is_simulated(channel)
    db.session.commit()  # nothing stays open while a gateway is called

    ok, error, is_permanent, ref = True, None, False, None
    if rendered is None:
        ok, error = False, "message could not be rendered"
    elif channel != IN_APP and not simulated:
        try:
            ref = channels.send(channel, channels.Outgoing(
                message_id=message_id, address=address, text=body, subject=rendered.subject))
        except channels.DeliveryError as exc:
            ok, error, is_permanent = False, exc.reason, exc.permanent
            log.warning("outbox message %s via %s failed: %s", message_id, channel, exc.reason)

    db.session.add(DeliveryAttempt(message_id=message_id, channel=channel, at=now, ok=ok,
                                   permanent=is_permanent, error=error, provider_ref=ref))
    common = dict(channel=channel, attempts=OutboxMessage.attempts + 1)
    if rendered is not None:
        common.update(subject=rendered.subject, body=body)
    if ok:
        _finish(message_id, token, status=OutboxStatus.SENT, sent_at=now, last_error=None,
                simulated=simulated, **common)
        outcome = "sent"
    else:
        failures[channel] += 1
        if is_permanent or failures[channel] >= max_attempts:
            permanent.add(channel)
        remaining = [c for c in usable if c not in permanent and failures[c] < max_attempts]
        if channel in remaining:
            _finish(message_id, token, status=OutboxStatus.PENDING, last_error=error,
                    next_attempt_at=now + backoff(failures[channel]), **common)
            outcome = "retry"
        elif remaining:
            # This channel cannot reach the person: try the next one straight away.
            _finish(message_id, token, status=OutboxStatus.PENDING, last_error=error,
                    next_attempt_at=now, **{**common, "channel": remaining[0]})
            outcome = "fallback"
        else:
            _finish(message_id, token, status=OutboxStatus.FAILED, last_error=error, **common)
            outcome = "failed"
    db.session.commit()
    return outcome


# --- daily digests -------------------------------------------------------------------------
def build_digests(now: datetime) -> int:
    """After NOTIFY_DIGEST_HOUR (local time), gather each person's held messages into one."""
    local = to_local(now)
    if local.hour < current_app.config["NOTIFY_DIGEST_HOUR"]:
        return 0
    user_ids = db.session.scalars(select(OutboxMessage.recipient_user_id).where(
        OutboxMessage.status == OutboxStatus.HELD,
        OutboxMessage.recipient_user_id.is_not(None)).distinct()).all()
    db.session.commit()
    built = 0
    for user_id in user_ids:
        key = f"digest:{user_id}:{local.date().isoformat()}"
        try:
            held = db.session.scalars(select(OutboxMessage).where(
                OutboxMessage.recipient_user_id == user_id,
                OutboxMessage.status == OutboxStatus.HELD,
            ).order_by(OutboxMessage.id).with_for_update()).all()
            user = db.session.get(User, user_id)
            digest = notify("daily_digest", user=user, dedupe_key=key, context={
                "count": len(held), "items": [m.subject or "" for m in held][:20]})
            if digest is None or not held:  # today's digest exists: the rest waits a day
                db.session.rollback()
                continue
            digest.next_attempt_at = now
            db.session.flush()
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([m.id for m in held]),
                       OutboxMessage.status == OutboxStatus.HELD)
                .values(status=OutboxStatus.SENT, sent_at=now, digest_id=digest.id)
                .execution_options(synchronize_session=False))
            db.session.commit()
            built += 1
        except IntegrityError:  # another run built it at the same moment
            db.session.rollback()
    return built


def next_due_at() -> datetime | None:
    """When the next pending message becomes due (for scheduling the worker)."""
    return db.session.scalar(select(OutboxMessage.next_attempt_at).where(
        OutboxMessage.status == OutboxStatus.PENDING).order_by(
        OutboxMessage.next_attempt_at).limit(1))
