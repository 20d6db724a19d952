"""Who may see a resident's personal data — the one place this rule lives.

The privacy rule: a volunteer sees a resident's phone number and address only after
being verified and only for requests or sessions assigned to them; leaders and
officials see the residents of their area; everyone else sees "Bà B. · tổ 3".
"""
from __future__ import annotations

from flask import g
from sqlalchemy import exists, select

from app.extensions import db
from app.models import (Enrollment, EnrollmentStatus, HelpRequest, RequestStatus, Resident,
                        Session, SessionStatus, SessionVolunteer)



def _assignment_clauses(profile, resident_id):
    by_request = exists().where(
        HelpRequest.resident_id == resident_id,
        (HelpRequest.volunteer_id == profile.id)
        | (HelpRequest.companion_volunteer_id == profile.id),  # the adult on a minor's visit
        HelpRequest.status.in_(RequestStatus.HELD))
    by_session = exists().where(
        SessionVolunteer.volunteer_id == profile.id,
        SessionVolunteer.session_id == Session.id,
        Session.status.in_(SessionStatus.ACTIVE),
        Enrollment.session_id == Session.id, Enrollment.resident_id == resident_id,
        Enrollment.status != EnrollmentStatus.CANCELLED)
    return by_request, by_session


def volunteer_is_assigned_to(profile, resident: Resident) -> bool:
    """An open assignment links this volunteer and this resident (a request or a session)."""
    known = g.get("_privacy_assigned", {}).get(profile.id)
    if known is not None and resident.id in known[0]:
        return resident.id in known[1]
    by_request, by_session = _assignment_clauses(profile, resident.id)
    return bool(db.session.scalar(select(by_request | by_session)))


def prefetch_assignments(user, residents) -> None:
    """Answer `volunteer_is_assigned_to` for a whole list in one query, for the rest of this
    request: call it just before rendering a list of residents (nothing written after it)."""
    profile = getattr(user, "volunteer_profile", None) if user is not None else None
    ids = {r.id for r in residents}
    if profile is None or not ids:
        return
    by_request, by_session = _assignment_clauses(profile, Resident.id)
    assigned = set(db.session.scalars(
        select(Resident.id).where(Resident.id.in_(ids), by_request | by_session)))
    cache = g.setdefault("_privacy_assigned", {})
    checked, known = cache.get(profile.id, (set(), set()))
    cache[profile.id] = (checked | ids, (known - ids) | assigned)


def can_see_personal_data(user, resident: Resident) -> bool:
    """Phone, address, birth year and notes of this resident."""
    if user is None or not user.is_authenticated or resident.erased_at is not None:
        return False
    if resident.user_id is not None and resident.user_id == user.id:
        return True
    if user.can_manage_group(resident.group):
        return True
    profile = getattr(user, "volunteer_profile", None)
    return bool(profile and profile.is_verified and volunteer_is_assigned_to(profile, resident))


def resident_label(resident: Resident, user=None) -> str:
    """Full name for those allowed; otherwise "Bà B. · Tổ dân phố số 3 · 72 tuổi"."""
    if user is not None and can_see_personal_data(user, resident):
        return resident.full_name
    parts = [resident.masked_name, resident.group.name]
    age = resident.age()
    if age:
        from flask_babel import gettext as _
        parts.append(_("%(age)d tuổi", age=age))
    return " · ".join(parts)
