"""Outcomes: per attendee of a session, what they can now do."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

outcome_skill = Table(
    "outcome_skill", db.metadata,
    Column("outcome_id", ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id"), primary_key=True),
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

    enrollment = relationship("Enrollment", backref=db.backref("outcome", uselist=False))
    skills = relationship("Skill", secondary=outcome_skill)
    recorded_by = relationship("User")
