"""Outcomes: per attendee of a session, what they can now do — and every version of it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, CheckConstraint, Column, ForeignKey, Index, String, Table,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models.types import UTCDateTime

outcome_skill = Table(
    "outcome_skill", db.metadata,
    Column("outcome_id", ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id"), primary_key=True),
    # Coverage starts from the core topics' skills and walks to the outcomes.
    Index("ix_outcome_skill_skill_id", "skill_id"),
)


class Outcome(db.Model):
    __tablename__ = "outcome"
    __table_args__ = (
        CheckConstraint("confidence IS NULL OR (confidence >= 1 AND confidence <= 5)",
                        name="confidence_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"),
                                               unique=True)
    attended: Mapped[bool]
    confidence: Mapped[int | None]
    follow_up: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The request opened for the remaining skills when a follow-up was asked for.
    follow_up_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"))

    enrollment = relationship("Enrollment", backref=db.backref("outcome", uselist=False))
    skills = relationship("Skill", secondary=outcome_skill, order_by="Skill.position, Skill.id")
    recorded_by = relationship("User")
    follow_up_request = relationship("HelpRequest")
    revisions: Mapped[list["OutcomeRevision"]] = relationship(
        back_populates="outcome", order_by="OutcomeRevision.number",
        cascade="all, delete-orphan")


class OutcomeRevision(db.Model):
    """One version of an outcome: the first as logged, then each correction by a leader.

    The outcome row always holds the latest version; these rows are its history and
    are never changed.
    """

    __tablename__ = "outcome_revision"
    __table_args__ = (
        UniqueConstraint("outcome_id", "number"),
        CheckConstraint("confidence IS NULL OR (confidence >= 1 AND confidence <= 5)",
                        name="confidence_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"),
                                            index=True)
    number: Mapped[int]
    attended: Mapped[bool]
    confidence: Mapped[int | None]
    follow_up: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(500))
    # Ids of the skills achieved in this version (skills are never renumbered).
    skill_ids: Mapped[list] = mapped_column(JSON, default=list)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Why a leader corrected it; empty for the first version.
    reason: Mapped[str | None] = mapped_column(String(300))

    outcome: Mapped[Outcome] = relationship(back_populates="revisions")
    changed_by = relationship("User")
