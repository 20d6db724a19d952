"""Writing to the outbox. Delivery (channels, retries, digests) lives beside it.

notify() is the one place a message is queued, so the rule "no message to an erased
resident or one who withdrew consent" is kept here (`accepts_messages`)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models.notify import OutboxMessage, OutboxStatus
from app.models.residents import Consent, Resident

# The kinds of message other areas raise; each has a translatable template
# (templates/notify/messages/<kind>.txt) with a long form and a short SMS form.
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
    "daily_digest",          # raised by delivery itself: the day's messages in one
)


# Events that can wait for a daily digest; the others are about the next hours.
DIGESTIBLE_KINDS = frozenset({
    "request_new_in_group", "volunteer_assigned", "request_returned", "session_proposed",
    "session_confirmed", "verification_done", "follow_up_opened",
})

# Set on the database session when a message is queued, so that the commit can wake
# the background worker (see app.notify.queue).
SESSION_FLAG = "outbox_messages_added"


def notify(kind: str, *, user=None, resident=None, context: dict | None = None,
           dedupe_key: str | None = None) -> OutboxMessage | None:
    """Queue a message in the current transaction: it is sent only if the cause commits.

    A message to a resident who was erased or withdrew consent is kept as SKIPPED ("no
    consent"), never sent.

    Give a `dedupe_key` when the same cause may run twice (a reminder job run twice):
    the second call returns None and queues nothing.

    `context` holds ids and short strings; the text is written at delivery time and
    anything missing is looked up from the ids or left out. Keys the templates use:
    request_id, session_id, code, starts_at (ISO, UTC), place, volunteer_name, topic,
    reason, name (who could not come), count (replacement_needed), group_id.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown message kind: {kind}")
    if user is None and resident is None:
        raise ValueError("a message needs a recipient")
    context = dict(context or {})
    if dedupe_key is not None:
        exists = db.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.dedupe_key == dedupe_key))
        if exists is not None:
            return None
    message = OutboxMessage(kind=kind, recipient_user_id=getattr(user, "id", None),
                            recipient_resident_id=getattr(resident, "id", None),
                            group_id=_group_of(resident, context), context=context,
                            dedupe_key=dedupe_key)
    if message.recipient_resident_id is not None:
        # Without autoflush: the caller's unfinished changes are not written early.
        with db.session.no_autoflush:
            if not accepts_messages(message.recipient_resident_id):
                # Recorded, not dropped: the resident's export and the leaders see it was held.
                message.status = OutboxStatus.SKIPPED
                message.last_error = "no consent"
    db.session.add(message)
    db.session.info[SESSION_FLAG] = True
    return message


def accepts_messages(resident_id: int) -> bool:
    """Messages may go to this resident: not erased, and consent not withdrawn (a resident
    with no consent on record yet is not blocked here; the request form records it)."""
    row = db.session.execute(
        select(Resident.erased_at, func.count(Consent.id), func.count(Consent.withdrawn_at))
        .outerjoin(Consent, Consent.resident_id == Resident.id)
        .where(Resident.id == resident_id).group_by(Resident.id, Resident.erased_at)).first()
    if row is None:
        return True
    erased_at, given, withdrawn = row
    return erased_at is None and (given == 0 or withdrawn < given)


def _group_of(resident, context: dict) -> int | None:
    """The group the message is about: its leaders see the message if delivery fails."""
    from app.models import HelpRequest, Session

    if resident is not None and getattr(resident, "group_id", None):
        return resident.group_id
    for key, model in (("session_id", Session), ("request_id", HelpRequest)):
        value = context.get(key)
        if isinstance(value, int):
            group_id = db.session.scalar(select(model.group_id).where(model.id == value))
            if group_id is not None:
                return group_id
    value = context.get("group_id")
    return value if isinstance(value, int) else None
