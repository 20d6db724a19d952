"""Role checks for views, in one place. Object checks live on the loaders of each area."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user, login_required


def deny(reason: str):
    """Refuse with 403 and log who was refused what (never the personal data itself)."""
    user_id = current_user.get_id().split(":")[0] if current_user.is_authenticated else "-"
    current_app.logger.warning("access denied: user=%s %s %s (%s)", user_id, request.method,
                               request.path, reason)
    abort(403)


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
