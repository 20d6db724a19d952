"""Recording reads, exports, changes and erasures of personal data."""
from __future__ import annotations

from flask_login import current_user

from app.extensions import db
from app.models.audit import AuditEvent


def audit(action: str, subject: str, *, resident=None, ward_id: int | None = None,
          detail: str | None = None, actor=None) -> AuditEvent:
    """Add an audit event to the current transaction (commit with the change or the read)."""
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user
    if ward_id is None and resident is not None and resident.group is not None:
        ward_id = resident.group.ward_id
    event = AuditEvent(action=action, subject=subject, actor_id=getattr(actor, "id", None),
                       resident_id=getattr(resident, "id", None), ward_id=ward_id,
                       detail=detail)
    db.session.add(event)
    return event
