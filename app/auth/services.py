"""Accounts: authentication and registration rules."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.auth import throttle
from app.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from app.clock import utcnow
from app.extensions import db
from app.models import Membership, Role, User, VolunteerProfile
from app.models.volunteers import VolunteerKind
from app.refusal import Refusal
from app.text import clean_name


def user_by_phone(phone_e164: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone_e164))


def authenticate(phone_e164: str, password: str) -> User | None:
    """The user with this phone and password, or None (in about the same time either way)."""
    user = user_by_phone(phone_e164)
    if user is None:
        burn_time(password)
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def create_user(phone_e164: str, full_name: str, password: str, roles=()) -> User:
    if user_by_phone(phone_e164):
        raise Refusal(field="phone", reason="phone_taken")
    user = User(phone=phone_e164, full_name=clean_name(full_name),
                password_hash=hash_password(password))
    for role, scope in roles:
        membership = Membership(role=role)
        if scope is not None:
            if scope.__tablename__ == "ward":
                membership.ward_id = scope.id
            else:
                membership.group_id = scope.id
        user.memberships.append(membership)
    db.session.add(user)
    return user


def register_volunteer(*, phone_e164: str, full_name: str, password: str, birth_year: int,
                       kind: str, organisation: str | None) -> User:
    """A new volunteer account: unverified until a leader or ward official checks them."""
    user = create_user(phone_e164, full_name, password, roles=[(Role.VOLUNTEER, None)])
    user.volunteer_profile = VolunteerProfile(
        kind=VolunteerKind(kind), birth_year=birth_year, organisation=organisation or None)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Change a password and end the user's other sessions."""
    user.password_hash = hash_password(password)
    user.rotate_session_token()


@dataclass
class Attempt:
    """The answer to a password check: the user on success, else how long to wait (seconds)."""
    user: User | None = None
    locked_seconds: int = 0


def sign_in(phone_e164: str, password: str) -> Attempt:
    """Check a password, counting failures per number; a locked number is not checked at all."""
    locked = throttle.seconds_locked(phone_e164)
    if locked:
        return Attempt(locked_seconds=locked)
    user = authenticate(phone_e164, password)
    if user is None:
        return Attempt(locked_seconds=throttle.record_failure(phone_e164))
    throttle.record_success(phone_e164)
    return Attempt(user=user)


def change_password(user: User, current_password: str, new_password: str) -> Attempt:
    """Change the password of a signed-in person who proves they know the current one."""
    locked = throttle.seconds_locked(user.phone)
    if locked:
        return Attempt(locked_seconds=locked)
    if not verify_password(user.password_hash, current_password):
        return Attempt(locked_seconds=throttle.record_failure(user.phone))
    throttle.record_success(user.phone)
    set_password(user, new_password)
    return Attempt(user=user)
