"""The rules of the notify area that pages use: the inbox, failed deliveries, the dev outbox."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update

from app.areas import scope
from app.audit import audit
from app.clock import utcnow
from app.extensions import db
from app.labels import label
from app.models import DeliveryAttempt, OutboxMessage, OutboxStatus, Resident
from app.notify.preferences import SMS, Recipient
from app.notify.render import link_endpoint, render
from app.permissions import deny
from app.phone import display_phone
from app.privacy import can_see_personal_data, resident_label

log = logging.getLogger("cunghocso.notify")

# Why a message was not sent (OutboxMessage.last_error of skipped messages).
SKIP_REASONS = {
    "no_channel": _l("Không có cách liên lạc: chưa có số điện thoại hoặc kênh nhắn tin"),
    "opted_out": _l("Người nhận đã tắt tin nhắn"),
    "erased": _l("Thông tin người dân đã được xóa"),
    "inactive": _l("Tài khoản đã ngừng hoạt động"),
    "too_late": _l("Buổi hỗ trợ đã qua, tin không còn cần"),
    "no_recipient": _l("Không còn người nhận"),
}


def reason_label(message: OutboxMessage) -> str:
    if message.status == OutboxStatus.SKIPPED and message.last_error in SKIP_REASONS:
        return str(SKIP_REASONS[message.last_error])
    return message.last_error or ""


# --- the in-app inbox ------------------------------------------------------------------
def _inbox_filter(user):
    return and_(OutboxMessage.recipient_user_id == user.id,
                OutboxMessage.kind != "daily_digest")


def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        _inbox_filter(user), OutboxMessage.read_at.is_(None))) or 0


def inbox_page(user, page: int = 1, per_page: int = 20):
    query = select(OutboxMessage).where(_inbox_filter(user)).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)


@dataclass(frozen=True)
class InboxEntry:
    id: int
    title: str
    text: str
    created_at: datetime
    unread: bool
    link: str


def inbox_entry(message: OutboxMessage) -> InboxEntry:
    """What the inbox shows: the text as sent, or rendered now if it has not gone yet."""
    subject, text = message.subject, message.body
    if not text or message.channel == SMS:
        try:
            rendered = render(message)
            subject, text = rendered.subject, rendered.text
        except Exception:  # a broken template must not break the inbox
            log.exception("outbox message %s could not be rendered for the inbox", message.id)
            text = text or ""
    return InboxEntry(id=message.id, title=subject or label(message.kind, "message_kind"),
                      text=text, created_at=message.created_at, unread=message.read_at is None,
                      link=url_for(link_endpoint(message.kind)))


def mark_read(user, message_ids) -> int:
    """Mark these messages of this user as read (others' messages are never touched)."""
    ids = [i for i in message_ids if isinstance(i, int)]
    if not ids:
        return 0
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.recipient_user_id == user.id,
               OutboxMessage.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount


# --- failed deliveries, for leaders ------------------------------------------------------
def _failure_filter():
    return and_(or_(OutboxMessage.status == OutboxStatus.FAILED,
                    and_(OutboxMessage.status == OutboxStatus.SKIPPED,
                         OutboxMessage.last_error == "no_channel")),
                OutboxMessage.resolved_at.is_(None))


def failures_for(user, limit: int = 200) -> list[OutboxMessage]:
    """Messages that did not reach someone in the groups this person manages."""
    query = select(OutboxMessage).where(_failure_filter())
    managed = scope.managed_group_ids(user)
    if managed is not None:
        query = query.where(OutboxMessage.group_id.in_(managed))
    return db.session.scalars(query.order_by(OutboxMessage.created_at.desc()).limit(limit)).all()


def get_failure_for(user, message_id: int) -> OutboxMessage:
    """The one loader of a failed delivery: 404 if there is none, 403 outside the scope."""
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.id == message_id, _failure_filter()).with_for_update())
    if message is None:
        abort(404)
    if not (user.is_admin or user.can_manage_group(message.group)):
        deny("outbox failure outside the managed groups")
    return message


@dataclass(frozen=True)
class FailureRow:
    message: OutboxMessage
    kind: str
    recipient: str
    phone: str
    channel: str
    reason: str


def failure_rows(user, messages) -> list[FailureRow]:
    """What a leader sees of each failure; personal data only where the privacy rule allows."""
    rows = []
    for message in messages:
        phone = ""
        if message.recipient_resident is not None:
            resident: Resident = message.recipient_resident
            name = resident_label(resident, user)
            if can_see_personal_data(user, resident):
                phone = display_phone(resident.phone)
                audit("view", f"resident:{resident.id}", resident=resident,
                      detail="notify failures")
        elif message.recipient_user is not None:
            name = message.recipient_user.full_name
            phone = display_phone(message.recipient_user.phone)
        else:
            name = "—"
        rows.append(FailureRow(message=message, kind=label(message.kind, "message_kind"),
                               recipient=name, phone=phone,
                               channel=label(message.channel, "channel"),
                               reason=reason_label(message)))
    return rows


def retry_failure(user, message: OutboxMessage) -> bool:
    """Try again from scratch (e.g. after the phone number was corrected)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, _failure_filter())
        .values(status=OutboxStatus.PENDING, next_attempt_at=utcnow(), channel=None,
                last_error=None, retry_after_attempt_id=select(func.max(DeliveryAttempt.id))
                .where(DeliveryAttempt.message_id == message.id).scalar_subquery())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def resolve_failure(user, message: OutboxMessage) -> bool:
    """The leader dealt with it another way (phoned, visited): take it off the list."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, _failure_filter())
        .values(resolved_at=utcnow(), resolved_by_id=user.id)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


# --- the development outbox ------------------------------------------------------------------
def dev_outbox_enabled() -> bool:
    return current_app.config["APP_ENV"] != "production"


def recent_messages(limit: int = 100) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)).all()


def recipient_name(message: OutboxMessage) -> str:
    return Recipient.of(message).full_name or "—"
