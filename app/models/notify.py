"""The notification outbox: messages written in the same transaction as their cause,
each delivery attempt, and how each person wants to be told."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models.types import UTCDateTime, enum_column


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    SENDING = "sending"    # claimed by one delivery run (claim_token); back to pending if it dies
    SENT = "sent"
    HELD = "held"          # waiting for the recipient's daily digest
    FAILED = "failed"      # gave up after the retry limit; shown to the leader
    SKIPPED = "skipped"    # the recipient opted out or has no usable channel (reason in last_error)


class NotifyChannel(str, enum.Enum):
    SMS = "sms"
    ZALO = "zalo"
    EMAIL = "email"
    IN_APP = "in_app"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_group_status", "group_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"),
                                                          index=True)
    recipient_resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"),
                                                              index=True)
    # The group the message is about, so its leaders see failed deliveries.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("residential_group.id"))
    # Everything a template needs (ids and short strings, never secrets).
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # Makes "send once" hold across retries of the cause (e.g. one reminder per session).
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # The channel of the latest attempt and the text sent on it (rendered at delivery time).
    channel: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus, "outbox_status"),
                                                 default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Set by the delivery run that claimed the message; no other run touches it meanwhile.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Development: shown on the administrators' page instead of going through a gateway.
    simulated: Mapped[bool] = mapped_column(default=False)
    # The daily digest that carried this message.
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A leader asked to try a failed message again: earlier attempts no longer count.
    retry_after_attempt_id: Mapped[int | None]
    # A leader dealt with a failed delivery (e.g. phoned the person).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    recipient_user = relationship("User", foreign_keys=[recipient_user_id])
    recipient_resident = relationship("Resident")
    group = relationship("Group")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    attempt_log: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="message", order_by="DeliveryAttempt.id", cascade="all, delete-orphan")


class DeliveryAttempt(db.Model):
    """One try at handing a message to a channel, successful or not."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ok: Mapped[bool] = mapped_column(default=False)
    # A failure that retrying will not fix (unknown number, address refused).
    permanent: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(String(500))
    # The gateway's id for the message, when it gives one.
    provider_ref: Mapped[str | None] = mapped_column(String(100))

    message: Mapped[OutboxMessage] = relationship(back_populates="attempt_log")


class NotificationPreference(db.Model):
    """How one person wants to be told: a user, or a resident who may have no account."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (resident_id IS NULL)", name="user_or_resident"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[NotifyChannel] = mapped_column(enum_column(NotifyChannel, "notify_channel"))
    # No SMS, Zalo or e-mail at all (messages to a user still show in the app).
    opted_out: Mapped[bool] = mapped_column(default=False)
    # One message a day instead of one per event (for the events that can wait).
    daily_digest: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user = relationship("User", foreign_keys=[user_id])
    resident = relationship("Resident")
