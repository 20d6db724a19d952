"""The help request's lifecycle: every change of `HelpRequest.status` happens here.

    open ──assign──▶ assigned ──schedule──▶ scheduled ──close──▶ done
     ▲  ◀──release──┘  ▲ ◀──unschedule──────┘  │
     │                 │                       │
     └──schedule (a class seat) ──▶ scheduled ─┘ ──unschedule──▶ open
    open / assigned / scheduled ──cancel──▶ cancelled

A follow-up is not a transition of the old request: `open_follow_up` files a new, open one.

Each transition is one conditional UPDATE: it happens only if the request is still in the
state it leaves (and, where it matters, still held by the same volunteer), and it returns
whether it happened, so that of two people acting at once exactly one wins and the other is
told. Callers lock what their own rules read first (volunteers' weekly load, a class's
seats); the notifications about a transition stay with the caller, who knows who acted.
`tests/test_architecture.py` fails on a write to a request's status anywhere else in app/.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, update

from app.clock import utcnow
from app.extensions import db
from app.models import HelpRequest, RequestStatus


def _transition(where, **values) -> int:
    result = db.session.execute(update(HelpRequest).where(*where).values(**values)
                                .execution_options(synchronize_session=False))
    return result.rowcount


def open_request(**fields) -> HelpRequest:
    """A new request, waiting for a volunteer (filed by a resident or a leader, or a
    follow-up). The caller adds it to the session and gives it a tracking code."""
    return HelpRequest(status=RequestStatus.OPEN, **fields)


def assign(request_id: int, volunteer_id: int, companion_id: int | None = None) -> bool:
    """open → assigned: the volunteer (with the adult companion of a minor's home visit)
    holds the request. False when someone else took it first."""
    return _transition(
        (HelpRequest.id == request_id, HelpRequest.status == RequestStatus.OPEN,
         HelpRequest.volunteer_id.is_(None)),
        volunteer_id=volunteer_id, companion_volunteer_id=companion_id,
        status=RequestStatus.ASSIGNED, assigned_at=utcnow()) == 1


def release(request_id: int, volunteer_id: int, *, as_companion: bool = False) -> bool:
    """assigned → open: the volunteer hands the request back (or loses it when their
    verification is revoked; `as_companion` also releases it from the adult companion).
    False when it is not assigned to them, e.g. already scheduled."""
    holder = HelpRequest.volunteer_id == volunteer_id
    if as_companion:
        holder = or_(holder, HelpRequest.companion_volunteer_id == volunteer_id)
    return _transition(
        (HelpRequest.id == request_id, HelpRequest.status == RequestStatus.ASSIGNED, holder),
        status=RequestStatus.OPEN, volunteer_id=None, companion_volunteer_id=None,
        assigned_at=None) == 1


def drop_volunteer(request_id: int, volunteer_id: int) -> bool:
    """A scheduled request keeps its session but no longer names this volunteer (their
    verification was revoked; a leader finds someone else). The status does not change."""
    dropped = _transition(
        (HelpRequest.id == request_id, HelpRequest.status == RequestStatus.SCHEDULED,
         HelpRequest.volunteer_id == volunteer_id), volunteer_id=None)
    dropped += _transition(
        (HelpRequest.id == request_id, HelpRequest.status == RequestStatus.SCHEDULED,
         HelpRequest.companion_volunteer_id == volunteer_id), companion_volunteer_id=None)
    return dropped > 0


def schedule(request_id: int | None, *, from_states: Iterable[RequestStatus] = (RequestStatus.OPEN,),
             volunteer_id: int | None = None) -> bool:
    """→ scheduled: a one-to-one session was proposed for an assigned request (`from_states`
    ASSIGNED, held by `volunteer_id`), or the resident took a seat in a class (from OPEN,
    or ASSIGNED when the class replaces a planned visit)."""
    if request_id is None:
        return False
    where = [HelpRequest.id == request_id, HelpRequest.status.in_(tuple(from_states))]
    if volunteer_id is not None:
        where.append(HelpRequest.volunteer_id == volunteer_id)
    return _transition(where, status=RequestStatus.SCHEDULED) == 1


def unschedule(request_id: int | None, to_state: RequestStatus) -> bool:
    """scheduled → assigned (its one-to-one session was cancelled: the volunteer still
    holds it) or → open (the resident's class seat was given up)."""
    if request_id is None:
        return False
    if to_state not in (RequestStatus.ASSIGNED, RequestStatus.OPEN):
        raise ValueError(f"a scheduled request goes back to assigned or open, not {to_state}")
    return _transition((HelpRequest.id == request_id,
                        HelpRequest.status == RequestStatus.SCHEDULED), status=to_state) == 1


def close(request_ids: Iterable[int], now: datetime | None = None) -> int:
    """→ done: the outcome of the request's session was logged. Returns how many closed."""
    ids = set(request_ids)
    if not ids:
        return 0
    return _transition((HelpRequest.id.in_(ids), HelpRequest.status.in_(RequestStatus.LIVE)),
                       status=RequestStatus.DONE, closed_at=now or utcnow())


def cancel(request_id: int, reason: str, *, now: datetime | None = None,
           from_states: Iterable[RequestStatus] = RequestStatus.LIVE) -> bool:
    """→ cancelled, with the reason people will read. False when it was already done or
    cancelled (or not in `from_states`, e.g. only an open follow-up is withdrawn)."""
    return _transition(
        (HelpRequest.id == request_id, HelpRequest.status.in_(tuple(from_states))),
        status=RequestStatus.CANCELLED, closed_at=now or utcnow(), cancel_reason=reason) == 1
