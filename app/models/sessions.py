"""Sessions (one-to-one or group classes) and the residents' seats in them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.requests import Place
from app.models.types import UTCDateTime, enum_column, utcnow


class SessionKind(str, enum.Enum):
    ONE_TO_ONE = "one_to_one"  # buổi hỗ trợ
    CLASS = "class"            # lớp học


class SessionStatus(str, enum.Enum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    DONE = "done"


class EnrollmentStatus(str, enum.Enum):
    ENROLLED = "enrolled"
    WAITING = "waiting"      # on the waiting list beyond capacity
    CANCELLED = "cancelled"


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

    group = relationship("Group")
    request = relationship("HelpRequest", backref=db.backref("sessions", lazy="dynamic"))
    topics = relationship("Topic", secondary=session_topic, order_by="Topic.position")
    volunteers: Mapped[list["SessionVolunteer"]] = relationship(
        back_populates="session", cascade="all, delete-orphan")
    enrollments: Mapped[list["Enrollment"]] = relationship(
        back_populates="session", cascade="all, delete-orphan")


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
