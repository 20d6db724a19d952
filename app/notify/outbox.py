"""Writing to the outbox. Delivery (channels, retries, digests) lives beside it."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.notify import OutboxMessage

# The kinds of message other areas raise; each has a translatable template per channel.
KINDS = (
    "request_received",      # to the resident: tracking code
    "request_new_in_group",  # to the group's leaders
    "volunteer_assigned",    # to the resident and the volunteer
    "request_returned",      # to the leaders: a volunteer handed a request back
    "session_proposed", "session_confirmed", "session_rescheduled", "session_cancelled",
    "reminder",              # the day before, asks for a reply
    "cannot_come",           # to the leaders: someone replied "I can't come"
    "verification_done", "verification_revoked",
    "replacement_needed",    # to the leaders: sessions left without a volunteer
    "follow_up_opened",
)


def notify(kind: str, *, user=None, resident=None, context: dict | None = None,
           dedupe_key: str | None = None) -> OutboxMessage | None:
    """Queue a message in the current transaction: it is sent only if the cause commits.

    Give a `dedupe_key` when the same cause may run twice (a reminder job run twice):
    the second call returns None and queues nothing.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown message kind: {kind}")
    if user is None and resident is None:
        raise ValueError("a message needs a recipient")
    if dedupe_key is not None:
        exists = db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.dedupe_key == dedupe_key))
        if exists is not None:
            return None
    message = OutboxMessage(kind=kind, recipient_user_id=getattr(user, "id", None),
                            recipient_resident_id=getattr(resident, "id", None),
                            context=dict(context or {}), dedupe_key=dedupe_key)
    db.session.add(message)
    return message
