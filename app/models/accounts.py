"""Accounts and the roles they hold per area."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models.types import UTCDateTime, enum_column


class Role(str, enum.Enum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    LEADER = "leader"
    OFFICIAL = "official"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person who signs in with a Vietnamese mobile number (stored as E.164)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Part of the login cookie; changing it ends every other session of the user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    # Flask-Login: the id carries the session token, so rotating it logs out other sessions.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    # --- roles and scope -------------------------------------------------
    def has_role(self, role: Role) -> bool:
        return any(m.role == role for m in self.memberships)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_volunteer(self) -> bool:
        return self.has_role(Role.VOLUNTEER)

    @property
    def is_leader(self) -> bool:
        return self.has_role(Role.LEADER)

    @property
    def is_official(self) -> bool:
        return self.has_role(Role.OFFICIAL)

    def led_group_ids(self) -> set[int]:
        return {m.group_id for m in self.memberships if m.role == Role.LEADER and m.group_id}

    def official_ward_ids(self) -> set[int]:
        return {m.ward_id for m in self.memberships if m.role == Role.OFFICIAL and m.ward_id}

    def can_manage_group(self, group) -> bool:
        """Leader of the group, official of its ward, or administrator."""
        if group is None:
            return False
        return (self.is_admin or group.id in self.led_group_ids()
                or group.ward_id in self.official_ward_ids())

    def can_manage_ward(self, ward) -> bool:
        return ward is not None and (self.is_admin or ward.id in self.official_ward_ids())

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(db.Model):
    """A role held in an area: a ward, a group, or everywhere (both empty)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "ward_id", "group_id"),
        CheckConstraint("NOT (ward_id IS NOT NULL AND group_id IS NOT NULL)", name="one_scope"),
        CheckConstraint("role <> 'leader' OR group_id IS NOT NULL", name="leader_has_group"),
        CheckConstraint("role <> 'official' OR ward_id IS NOT NULL", name="official_has_ward"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("ward.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("residential_group.id"), index=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    ward = relationship("Ward")
    group = relationship("Group")


class LoginThrottle(db.Model):
    """Failed sign-ins for one phone number, shared by every worker and machine.

    The phone number is kept only as a keyed hash: numbers people mistype are not
    stored. A row disappears after a successful sign-in.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
