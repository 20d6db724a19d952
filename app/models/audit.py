"""The audit log of personal data: who viewed, exported, changed or erased what."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models.types import UTCDateTime


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_ward_at", "ward_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # view, export, change, erase, consent_withdrawn, denied …
    action: Mapped[str] = mapped_column(String(30))
    # What was touched: "resident:12", "export:ward-coverage", …
    subject: Mapped[str] = mapped_column(String(80))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    # So ward officials can read the log of their ward.
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("ward.id"))
    detail: Mapped[str | None] = mapped_column(String(300))

    actor = relationship("User")
    resident = relationship("Resident")
    ward = relationship("Ward")
