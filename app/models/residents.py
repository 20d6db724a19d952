"""Residents (who may have no account), their consent and their baseline survey."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import ages
from app.clock import utcnow
from app.extensions import db
from app.models.types import UTCDateTime, enum_column
from app.text import fold, initial_form


class Gender(str, enum.Enum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class ConsentMethod(str, enum.Enum):
    ONLINE = "online"        # the resident or a relative ticked the box
    IN_PERSON = "in_person"  # a leader or volunteer asked face to face
    PHONE = "phone"          # asked over the phone


class Resident(db.Model):
    __tablename__ = "resident"
    __table_args__ = (
        CheckConstraint("birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)",
                        name="birth_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    name_search: Mapped[str] = mapped_column(String(120), index=True)
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    birth_year: Mapped[int | None]
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender, "gender"))
    group_id: Mapped[int] = mapped_column(ForeignKey("residential_group.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Baseline from the household survey (rà soát).
    has_smartphone: Mapped[bool | None]
    has_epayment: Mapped[bool | None]
    vneid_level2: Mapped[bool | None]
    uses_zalo: Mapped[bool | None]
    surveyed_on: Mapped[date | None]
    # Erasure keeps the row (aggregates stay right) but removes who the person was.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group = relationship("Group")
    household = relationship("Household")
    consents: Mapped[list["Consent"]] = relationship(back_populates="resident",
                                                     order_by="Consent.given_at")

    def set_name(self, full_name: str) -> None:
        self.full_name = full_name
        self.name_search = fold(full_name)

    @property
    def masked_name(self) -> str:
        """"Bà B." — what people outside the resident's scope see."""
        prefix = {Gender.FEMALE: "Bà", Gender.MALE: "Ông"}.get(self.gender, "")
        return f"{prefix} {initial_form(self.full_name)}".strip()

    def age(self, today: date | None = None) -> int | None:
        return ages.age(self.birth_year, today)


class Consent(db.Model):
    """Consent to processing personal data: when, which wording, who captured it, how."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    wording_version: Mapped[str] = mapped_column(String(20))
    method: Mapped[ConsentMethod] = mapped_column(enum_column(ConsentMethod, "consent_method"))
    captured_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    resident: Mapped[Resident] = relationship(back_populates="consents")
    captured_by = relationship("User")
