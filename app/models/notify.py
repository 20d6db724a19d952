"""The notification outbox: messages written in the same transaction as their cause."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, enum_column, utcnow


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"      # gave up after the retry limit; shown to the leader
    SKIPPED = "skipped"    # the recipient opted out or has no usable channel


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"),
                                                          index=True)
    recipient_resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"),
                                                              index=True)
    # Everything a template needs (ids and short strings, never secrets).
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # Makes "send once" hold across retries of the cause (e.g. one reminder per session).
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus, "outbox_status"),
                                                 default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient_user = relationship("User")
    recipient_resident = relationship("Resident")
