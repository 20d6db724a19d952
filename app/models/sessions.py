"""Sessions (one-to-one or group classes) and the residents' seats in them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table,
                        Text, UniqueConstraint, select)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm import Session as OrmSession

from app.clock import utcnow
from app.database import listen_once
from app.extensions import db
from app.models.requests import Place
from app.models.types import UTCDateTime, enum_column
from app.text import fold


class SessionKind(str, enum.Enum):
    ONE_TO_ONE = "one_to_one"  # buổi hỗ trợ
    CLASS = "class"            # lớp học


class SessionStatus(str, enum.Enum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    DONE = "done"


# Named sets of states (constants on the enum, not members of it).
SessionStatus.ACTIVE = (SessionStatus.PROPOSED, SessionStatus.CONFIRMED)  # still to take place
SessionStatus.BOOKED = (SessionStatus.PROPOSED, SessionStatus.CONFIRMED,  # holds its time and room
                        SessionStatus.DONE)


class EnrollmentStatus(str, enum.Enum):
    ENROLLED = "enrolled"
    WAITING = "waiting"      # on the waiting list beyond capacity
    CANCELLED = "cancelled"


EnrollmentStatus.SEATED = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)  # not cancelled


class VolunteerRole(str, enum.Enum):
    LEAD = "lead"
    HELPER = "helper"


session_topic = Table(
    "session_topic", db.metadata,
    Column("session_id", ForeignKey("session.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id"), primary_key=True),
)


class Session(db.Model):
    __tablename__ = "session"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_nonnegative"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_session_group_starts", "group_id", "starts_at"),
        # Sessions by time across every group: the day-before reminders, city calendars.
        Index("ix_session_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "session_kind"))
    title: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int] = mapped_column(ForeignKey("residential_group.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"), index=True)
    place: Mapped[Place] = mapped_column(enum_column(Place, "place"))
    place_name: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(default=1)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status"), default=SessionStatus.PROPOSED)
    series_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # Identity of the room a class uses: ward + place name folded (see sessions.services).
    place_key: Mapped[str | None] = mapped_column(String(240), index=True)
    # Who confirmed a proposed time: the resident (tracking page or reminder) or a leader.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_via: Mapped[str | None] = mapped_column(String(16))
    # The resident asked for another time (from the tracking page).
    reschedule_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reschedule_note: Mapped[str | None] = mapped_column(String(300))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    group = relationship("Group")
    request = relationship("HelpRequest", backref=db.backref("sessions", lazy="dynamic"))
    created_by = relationship("User", foreign_keys=[created_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])
    topics = relationship("Topic", secondary=session_topic, order_by="Topic.position")
    volunteers: Mapped[list["SessionVolunteer"]] = relationship(
        back_populates="session", cascade="all, delete-orphan")
    enrollments: Mapped[list["Enrollment"]] = relationship(
        back_populates="session", cascade="all, delete-orphan")


def room_key(ward_id: int, name: str | None) -> str | None:
    """Identity of a room: its ward and its name without case, diacritics or extra spaces.

    "Nhà văn hóa tổ 3" and "nha van hoa  to 3" are the same room; a hall of the ward
    is shared by its groups, so the ward (not the group) is part of the key.
    """
    folded = fold(name)
    return f"{ward_id}:{folded}"[:240] if folded else None


def _derive_place_keys(orm_session, _context, _instances) -> None:
    """A class's room identity always follows its group and place name, whoever wrote it."""
    from app.models.areas import Group

    for obj in list(orm_session.new) + list(orm_session.dirty):
        if not isinstance(obj, Session):
            continue
        if obj.kind != SessionKind.CLASS or obj.place not in (Place.COMMUNITY_HOUSE, Place.OTHER):
            obj.place_key = None
            continue
        ward_id = orm_session.scalar(select(Group.ward_id).where(Group.id == obj.group_id))
        obj.place_key = room_key(ward_id, obj.place_name) if ward_id is not None else None


# What install() listens to: every ORM session's flushes.
HOOKS = ((OrmSession, "before_flush", _derive_place_keys),)


def install() -> None:
    """Derive room keys before every flush (idempotent; create_app calls it, see
    app.LISTENERS)."""
    listen_once(HOOKS)


class SessionVolunteer(db.Model):
    __tablename__ = "session_volunteer"
    __table_args__ = (
        UniqueConstraint("session_id", "volunteer_id"),
        CheckConstraint("hours IS NULL OR hours >= 0", name="hours_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"),
                                            index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profile.id"), index=True)
    role: Mapped[VolunteerRole] = mapped_column(
        enum_column(VolunteerRole, "volunteer_role"), default=VolunteerRole.LEAD)
    # Volunteer hours, from the session's time unless a leader corrected them.
    hours = mapped_column(Numeric(5, 2), nullable=True)

    session: Mapped[Session] = relationship(back_populates="volunteers")
    volunteer = relationship("VolunteerProfile")


class Enrollment(db.Model):
    """A resident's seat (or place on the waiting list) in a session."""

    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("session_id", "resident_id"),
        # The seat a help request got (a class answers requests through enrollments).
        Index("ix_enrollment_request", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"),
                                            index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"))
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_column(EnrollmentStatus, "enrollment_status"), default=EnrollmentStatus.ENROLLED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[Session] = relationship(back_populates="enrollments")
    resident = relationship("Resident")
    request = relationship("HelpRequest")


class CalendarFeed(db.Model):
    """The secret address of a volunteer's calendar feed; resetting it changes the token."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    volunteer = relationship("VolunteerProfile")


class ReplyAnswer(str, enum.Enum):
    COMING = "coming"            # "Tôi sẽ đến"
    CANNOT_COME = "cannot_come"  # "Tôi không đến được"


class SessionReply(db.Model):
    """A person's answer to a session reminder, reached by a one-tap link with a token."""

    __tablename__ = "session_reply"
    __table_args__ = (
        UniqueConstraint("session_id", "resident_id", name="uq_session_reply_session_resident"),
        UniqueConstraint("session_id", "volunteer_id", name="uq_session_reply_session_volunteer"),
        CheckConstraint("(resident_id IS NULL) <> (volunteer_id IS NULL)",
                        name="resident_or_volunteer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"),
                                            index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_profile.id"),
                                                     index=True)
    answer: Mapped[ReplyAnswer | None] = mapped_column(enum_column(ReplyAnswer, "reply_answer"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[Session] = relationship()
    resident = relationship("Resident")
    volunteer = relationship("VolunteerProfile")


class NoShowStatus(str, enum.Enum):
    RECORDED = "recorded"    # marked absent
    CONTESTED = "contested"  # the person says it is wrong; waiting for the leader
    UPHELD = "upheld"        # the leader kept the record after reading the contest
    WITHDRAWN = "withdrawn"  # corrected by the leader: it no longer counts


class NoShow(db.Model):
    """A missed session, recorded fairly: the person sees it and may contest it."""

    __tablename__ = "no_show"
    __table_args__ = (
        UniqueConstraint("session_id", "resident_id", name="uq_no_show_session_resident"),
        UniqueConstraint("session_id", "volunteer_id", name="uq_no_show_session_volunteer"),
        CheckConstraint("(resident_id IS NULL) <> (volunteer_id IS NULL)",
                        name="resident_or_volunteer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"),
                                            index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_profile.id"),
                                                     index=True)
    status: Mapped[NoShowStatus] = mapped_column(
        enum_column(NoShowStatus, "no_show_status"), default=NoShowStatus.RECORDED)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    contest_text: Mapped[str | None] = mapped_column(Text)
    contested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolution_note: Mapped[str | None] = mapped_column(String(300))

    session: Mapped[Session] = relationship()
    resident = relationship("Resident")
    volunteer = relationship("VolunteerProfile")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])

    @property
    def counts(self) -> bool:
        """Still held against the person (not withdrawn by a leader)."""
        return self.status != NoShowStatus.WITHDRAWN
