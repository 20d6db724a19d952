"""Role checks for views, and the one way a view loads an object a URL names (`load`):
404 when there is none, then a logged and audited 403 when the person may not have it.
Each area's loaders (`get_request_for`, `get_session_for`, …) say only who may."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user, login_required


def deny(reason: str, *, resident=None, ward_id: int | None = None):
    """Refuse with 403; log it and write it to the audit log (action "denied").

    Give the `resident` (or `ward_id`) the refused request was about, so that the
    ward's officials see the attempt in their audit log. Nothing the refused request
    changed is kept: its transaction is rolled back before the denial is written.
    """
    user_id = current_user.id if current_user.is_authenticated else None
    if resident is not None:
        ward_id = ward_id or (resident.group.ward_id if resident.group else None)
    resident_id = getattr(resident, "id", None)
    current_app.logger.warning("access denied: user=%s %s %s (%s)", user_id or "-",
                               request.method, request.path, reason)
    _audit_denial(user_id, reason, resident_id, ward_id)
    abort(403)


Model = TypeVar("Model")


def load(model: type[Model], object_id, *, may: Callable[[Model], bool], refusal: str,
         gone: Callable[[Model], bool] | None = None,
         resident_of: Callable[[Model], object] | None = None) -> Model:
    """The object of this class and id for the signed-in person: 404 when there is none
    (or it is `gone`, e.g. an erased record), then 403 — logged and written to the audit
    log with `refusal` — when `may(object)` is false. `resident_of` names the resident the
    object is about, so that the ward's officials see a refused attempt in their log."""
    from app.extensions import db

    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None or (gone is not None and gone(found)):
        abort(404)
    if not may(found):
        deny(refusal, resident=resident_of(found) if resident_of else None)
    return found


def _audit_denial(user_id, reason: str, resident_id, ward_id) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from app.extensions import db
    from app.models.audit import AuditEvent

    try:
        db.session.rollback()
        db.session.add(AuditEvent(
            action="denied", subject=f"{request.method} {request.path}"[:80],
            actor_id=user_id, resident_id=resident_id, ward_id=ward_id, detail=reason[:300]))
        db.session.commit()
    except SQLAlchemyError:
        # A refusal stays a refusal even when it cannot be written down.
        db.session.rollback()
        current_app.logger.exception("could not write a denial to the audit log")


def role_required(*predicates):
    """Allow the view when any predicate (a function of the user) holds."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(p(current_user) for p in predicates):
                deny(f"role: {view.__name__}")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def is_admin(user) -> bool:
    return user.is_admin


def is_manager(user) -> bool:
    """Leader of some group, official of some ward, or administrator."""
    return user.is_leader or user.is_official or user.is_admin


def is_official(user) -> bool:
    return user.is_official or user.is_admin


def is_volunteer(user) -> bool:
    return user.is_volunteer


def is_verified_volunteer(user) -> bool:
    profile = getattr(user, "volunteer_profile", None)
    return profile is not None and profile.is_verified
