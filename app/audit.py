"""Recording reads, exports, changes and erasures of personal data, and reading them back."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import Select, select

from app.extensions import db
from app.models.audit import AuditEvent


def audit(action: str, subject: str, *, resident=None, ward_id: int | None = None,
          detail: str | None = None, actor=None) -> AuditEvent:
    """Add an audit event to the current transaction (commit with the change or the read)."""
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user
    if ward_id is None and resident is not None and resident.group is not None:
        ward_id = resident.group.ward_id
    event = AuditEvent(action=action, subject=subject[:80], actor_id=getattr(actor, "id", None),
                       resident_id=getattr(resident, "id", None), ward_id=ward_id,
                       detail=detail[:300] if detail else None)
    db.session.add(event)
    return event


def audit_events_for(user, *, action: str | None = None, resident_id: int | None = None,
                     name: str | None = None) -> Select:
    """The events this person may read, newest first: a ward official those of their
    wards, an administrator all of them (including refusals that concern no ward)."""
    from app.models import Resident
    from app.text import fold

    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if not user.is_admin:
        query = query.where(AuditEvent.ward_id.in_(user.official_ward_ids() or {-1}))
    if action:
        query = query.where(AuditEvent.action == action)
    if resident_id:
        query = query.where(AuditEvent.resident_id == resident_id)
    if name and fold(name):
        query = query.join(Resident, Resident.id == AuditEvent.resident_id).where(
            Resident.name_search.contains(fold(name), autoescape=True))
    return query
