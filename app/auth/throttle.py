"""Repeated failed sign-ins slow down further attempts for that phone number.

The counter lives in the database (table `login_throttle`), so it holds across
gunicorn workers and machines, unlike the per-address rate limits of
Flask-Limiter, which only bound the request rate.

The first FREE_FAILURES mistakes cost nothing (elderly people mistype); after
that each failure locks the number for twice as long as the previous one, from
one minute up to MAX_LOCK. While locked, no password is checked at all. A
success clears the counter; a counter untouched for FORGET_AFTER starts again.
The lock is per number whether or not an account exists, so it reveals nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.extensions import db
from app.models import LoginThrottle

FREE_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(minutes=30)
FORGET_AFTER = timedelta(hours=24)


def throttle_key(phone_e164: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, phone_e164.encode(), hashlib.sha256).hexdigest()


def lock_for(failures: int) -> timedelta:
    """How long the number is locked after this many failures in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 16)  # beyond that MAX_LOCK applies anyway
    return min(FIRST_LOCK * 2 ** doublings, MAX_LOCK)


def seconds_locked(phone_e164: str) -> int:
    """Seconds until this number may try again (0: it may try now)."""
    locked_until = db.session.scalar(select(LoginThrottle.locked_until).where(
        LoginThrottle.key == throttle_key(phone_e164)))
    if locked_until is None:
        return 0
    return max(0, math.ceil((locked_until - clock.utcnow()).total_seconds()))


def record_failure(phone_e164: str) -> int:
    """Count one failure (atomically, whichever worker sees it); return the seconds locked."""
    key, now = throttle_key(phone_e164), clock.utcnow()
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": case((LoginThrottle.last_failure_at < now - FORGET_AFTER, 1),
                             else_=LoginThrottle.failures + 1),
            "last_failure_at": now,
        },
    ).returning(LoginThrottle.failures)
    failures = db.session.execute(statement).scalar_one()
    # Forget numbers nobody has mistyped for a day, so the table stays small under attack.
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - FORGET_AFTER,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
    lock = lock_for(failures)
    if lock:
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                           .values(locked_until=now + lock))
    return math.ceil(lock.total_seconds())


def record_success(phone_e164: str) -> None:
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.key == throttle_key(phone_e164)))
