"""Targets: coverage goals for the campaign, a ward or a group; what the figures count."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, enum_column


class Indicator(str, enum.Enum):
    HOUSEHOLDS_BASIC = "households_basic"  # households with a member with basic digital skills
    ADULTS_BASIC = "adults_basic"          # adults with basic digital skills
    SMARTPHONE = "smartphone"              # adults owning a smartphone
    EPAYMENT = "epayment"                  # adults with an e-payment account
    WORKERS_BASIC = "workers_basic"        # workers in businesses/cooperatives
    STUDENTS = "students"                  # secondary-school students
    STAFF_BASIC = "staff_basic"            # the ward's own staff


class Target(db.Model):
    """A percentage goal. No ward and no group: the campaign's default."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("indicator", "ward_id", "group_id"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        CheckConstraint("NOT (ward_id IS NOT NULL AND group_id IS NOT NULL)", name="one_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[Indicator] = mapped_column(enum_column(Indicator, "indicator"))
    percent = mapped_column(Numeric(5, 2), nullable=False)
    # "> 85%" is strict, "85%" is not.
    strictly_above: Mapped[bool] = mapped_column(default=False)
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("ward.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("residential_group.id"), index=True)

    ward = relationship("Ward")
    group = relationship("Group")


class ResidentProgress(db.Model):
    """What a reached resident has achieved, kept beside the outcomes it comes from.

    One row per resident with at least one attended outcome (the "reached" figure),
    with the flags the coverage figures count. The definitions are the SQL in
    app/coverage/definitions.py; app/coverage/progress.py rewrites a resident's row
    in the same flush as any change to their outcomes, and every row when the core
    topics or a checklist change, so the counts never wait for a batch job.
    """

    __tablename__ = "resident_progress"

    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"),
                                             primary_key=True)
    basic: Mapped[bool]             # completed every required core topic
    smartphone_topic: Mapped[bool]  # completed smartphone basics
    epayment_topic: Mapped[bool]    # completed digital banking and QR payment


class CoverageSnapshot(db.Model):
    """A roll-up counted ahead of time (app/coverage/snapshots.py): the whole installation's
    table is too big to count on every visit."""

    __tablename__ = "coverage_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(60), unique=True)  # the area's level ("all")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[float]  # how long the counting took
    payload: Mapped[dict] = mapped_column(JSON)
