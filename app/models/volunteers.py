"""Volunteer profiles: what they teach, where, when, and who verified them."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import ages
from app.clock import today_local, utcnow
from app.extensions import db
from app.models.types import UTCDateTime, enum_column


class VolunteerKind(str, enum.Enum):
    YOUTH_UNION = "youth_union"  # đoàn viên
    TEACHER = "teacher"          # giáo viên
    STUDENT = "student"          # học sinh / sinh viên
    BUSINESS = "business"        # doanh nghiệp
    OTHER = "other"


volunteer_topic = Table(
    "volunteer_topic", db.metadata,
    Column("volunteer_id", ForeignKey("volunteer_profile.id", ondelete="CASCADE"),
           primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)


class VolunteerProfile(db.Model):
    __tablename__ = "volunteer_profile"
    __table_args__ = (
        CheckConstraint("weekly_capacity >= 0 AND weekly_capacity <= 50", name="capacity_range"),
        CheckConstraint("birth_year >= 1900 AND birth_year <= 2100", name="birth_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         unique=True)
    kind: Mapped[VolunteerKind] = mapped_column(enum_column(VolunteerKind, "volunteer_kind"))
    organisation: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int]
    zalo: Mapped[str | None] = mapped_column(String(60))
    # Weekly availability as a timeslots bitmask.
    availability: Mapped[int] = mapped_column(default=0)
    weekly_capacity: Mapped[int] = mapped_column(default=3)
    paused_until: Mapped[date | None]
    # A volunteer under 18 needs a parent's or school's consent on record.
    guardian_consent_by: Mapped[str | None] = mapped_column(String(200))
    guardian_consent_on: Mapped[date | None]
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(300))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A volunteer under 18 never visits a home alone: the adult volunteer a leader paired
    # them with goes along (HelpRequest.companion_volunteer_id).
    adult_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer_profile.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", foreign_keys=[user_id], backref=db.backref(
        "volunteer_profile", uselist=False))
    verified_by = relationship("User", foreign_keys=[verified_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
    adult_partner = relationship("VolunteerProfile", remote_side=[id],
                                 foreign_keys=[adult_partner_id])
    topics = relationship("Topic", secondary=volunteer_topic, order_by="Topic.position")
    areas: Mapped[list["VolunteerArea"]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None and self.revoked_at is None

    def age(self, today: date | None = None) -> int:
        return ages.age(self.birth_year, today)

    def is_minor(self, today: date | None = None) -> bool:
        return ages.is_minor(self.birth_year, today)

    def is_paused(self, today: date | None = None) -> bool:
        return self.paused_until is not None and self.paused_until >= (today or today_local())

    @property
    def has_guardian_consent(self) -> bool:
        return bool(self.guardian_consent_by) and self.guardian_consent_on is not None


class VolunteerArea(db.Model):
    """A group, or a whole ward, that a volunteer serves."""

    __tablename__ = "volunteer_area"
    __table_args__ = (
        UniqueConstraint("volunteer_id", "ward_id", "group_id"),
        CheckConstraint("(ward_id IS NULL) <> (group_id IS NULL)", name="ward_or_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.id", ondelete="CASCADE"), index=True)
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("ward.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("residential_group.id"), index=True)

    volunteer: Mapped[VolunteerProfile] = relationship(back_populates="areas")
    ward = relationship("Ward")
    group = relationship("Group")


class HandBack(db.Model):
    """A volunteer gave an accepted request back, with their reason (kept as history)."""

    __tablename__ = "hand_back"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id", ondelete="CASCADE"),
                                            index=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request = relationship("HelpRequest")
    volunteer = relationship("VolunteerProfile")
