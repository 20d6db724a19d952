"""Wards, residential groups and households: the areas everything is scoped by."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Ward(db.Model):
    """A phường or xã. `district` is only a label since the two-tier reform of July 2025."""

    __tablename__ = "ward"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    district: Mapped[str | None] = mapped_column(String(120), index=True)
    province: Mapped[str | None] = mapped_column(String(120))

    groups: Mapped[list["Group"]] = relationship(
        back_populates="ward", order_by="Group.position, Group.id")

    def __repr__(self) -> str:
        return f"<Ward {self.code}>"


class Group(db.Model):
    """A tổ dân phố / thôn: the unit of scheduling and coverage."""

    __tablename__ = "residential_group"
    __table_args__ = (
        UniqueConstraint("ward_id", "name"),
        CheckConstraint("adults_count IS NULL OR adults_count >= 0", name="adults_nonnegative"),
        CheckConstraint("households_count IS NULL OR households_count >= 0",
                        name="households_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Short stable code printed on the QR poster: /g/<code>.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    community_house: Mapped[str | None] = mapped_column(String(200))
    # Denominators entered by the leader, with the date they were counted.
    adults_count: Mapped[int | None]
    households_count: Mapped[int | None]
    denominators_on: Mapped[date | None]

    ward: Mapped[Ward] = relationship(back_populates="groups")

    @property
    def label(self) -> str:
        return f"{self.name}, {self.ward.name}"

    def __repr__(self) -> str:
        return f"<Group {self.code}>"


class Household(db.Model):
    """Residents at one address in a group; the campaign counts households too."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("group_id", "address_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("residential_group.id"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    # Folded address (no diacritics, single spaces) so "12 ngõ Hàng Gai" matches "12 Ngo hang gai".
    address_key: Mapped[str] = mapped_column(String(200))

    group: Mapped[Group] = relationship()
