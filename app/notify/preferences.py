"""Who a message goes to and how: the recipient, their preference, the channels to try."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from app.models import NotificationPreference, NotifyChannel, OutboxMessage, OutboxStatus
from app.notify.channels import is_usable
from app.refusal import Refusal
from app.text import given_name

SMS, ZALO, EMAIL, IN_APP = (c.value for c in (NotifyChannel.SMS, NotifyChannel.ZALO,
                                               NotifyChannel.EMAIL, NotifyChannel.IN_APP))
RESIDENT_CHANNELS = (SMS, ZALO)
USER_CHANNELS = (ZALO, SMS, EMAIL, IN_APP)


@dataclass
class Recipient:
    """A user with an account, or a resident who may have none."""

    user: object = None
    resident: object = None

    @classmethod
    def of(cls, message: OutboxMessage) -> "Recipient":
        return cls(user=message.recipient_user, resident=message.recipient_resident)

    @property
    def is_resident(self) -> bool:
        return self.resident is not None

    @property
    def full_name(self) -> str:
        person = self.resident if self.is_resident else self.user
        return person.full_name if person is not None else ""

    @property
    def first_name(self) -> str:
        return given_name(self.full_name)

    @property
    def phone(self) -> str | None:
        return self.resident.phone if self.is_resident else getattr(self.user, "phone", None)

    @property
    def email(self) -> str | None:
        return None if self.is_resident else getattr(self.user, "email", None)

    @property
    def locale(self) -> str:
        if not self.is_resident and getattr(self.user, "locale", None):
            return self.user.locale
        return "vi"

    def unreachable_reason(self) -> str | None:
        """Why nothing at all can be sent, or None."""
        if self.is_resident:
            return "erased" if self.resident.erased_at is not None else None
        if self.user is None:
            return "no_recipient"
        return None if self.user.active else "inactive"

    def address_for(self, channel: str) -> str | None:
        if channel in (SMS, ZALO):
            return self.phone
        if channel == EMAIL:
            return self.email
        return None if self.is_resident else "in-app"


def preference_for(*, user=None, resident=None) -> NotificationPreference:
    """The stored preference, or the default (not added to the session)."""
    if resident is not None:
        stored = db.session.scalar(select(NotificationPreference).where(
            NotificationPreference.resident_id == resident.id))
        default = ZALO if resident.uses_zalo else SMS
    else:
        stored = db.session.scalar(select(NotificationPreference).where(
            NotificationPreference.user_id == user.id))
        default = ZALO
    if stored is not None:
        return stored
    return NotificationPreference(channel=NotifyChannel(default), opted_out=False,
                                  daily_digest=False)


def channel_plan(recipient: Recipient, preference: NotificationPreference) -> list[str]:
    """The channels to try, in order: the preferred one, then the fallbacks.

    Residents fall back between SMS and Zalo; users to the app, where they always
    find their messages. Channels that cannot reach the person, or that have no
    gateway (in production), are left out.
    """
    preferred = NotifyChannel(preference.channel).value
    if recipient.is_resident:
        order = [preferred] + [c for c in RESIDENT_CHANNELS if c != preferred]
    elif preferred == IN_APP:
        order = [IN_APP]
    else:
        order = [preferred, IN_APP]
    return [c for c in order if recipient.address_for(c) and (c == IN_APP or is_usable(c))]


def set_preferences(*, user=None, resident=None, channel: str, opted_out: bool,
                    daily_digest: bool = False, by=None) -> NotificationPreference:
    """Record how a person wants to be told. Turning the digest off releases held messages."""
    allowed = RESIDENT_CHANNELS if resident is not None else USER_CHANNELS
    if channel not in allowed:
        raise Refusal(_("Cách nhận tin này chưa dùng được."), field="channel", reason="channel")
    if resident is not None:
        daily_digest = False
        key = NotificationPreference.resident_id == resident.id
    else:
        key = NotificationPreference.user_id == user.id
        if channel == EMAIL and not user.email:
            raise Refusal(_("Hãy nhập địa chỉ thư điện tử để nhận tin qua thư."), field="email", reason="email")
    preference = db.session.scalar(select(NotificationPreference).where(key).with_for_update())
    if preference is None:
        preference = NotificationPreference(user_id=getattr(user, "id", None),
                                            resident_id=getattr(resident, "id", None))
        db.session.add(preference)
    preference.channel = NotifyChannel(channel)
    preference.opted_out = bool(opted_out)
    preference.daily_digest = bool(daily_digest)
    preference.updated_at = utcnow()
    preference.updated_by_id = getattr(by, "id", None)
    if user is not None and not daily_digest:
        db.session.execute(update(OutboxMessage).where(
            OutboxMessage.recipient_user_id == user.id,
            OutboxMessage.status == OutboxStatus.HELD,
        ).values(status=OutboxStatus.PENDING, next_attempt_at=utcnow()))
    return preference
