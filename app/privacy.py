"""Who may see a resident's personal data — the one place this rule lives.

DESIGN.md: a volunteer sees a resident's phone number and address only after
being verified and only for requests or sessions assigned to them; leaders and
officials see the residents of their area; everyone else sees "Bà B. · tổ 3".
"""
from __future__ import annotations

from sqlalchemy import exists, select

from app.extensions import db
from app.models import (Enrollment, EnrollmentStatus, HelpRequest, RequestStatus, Resident,
                        Session, SessionStatus, SessionVolunteer)

ASSIGNED_REQUEST_STATES = (RequestStatus.ASSIGNED, RequestStatus.SCHEDULED)
ACTIVE_SESSION_STATES = (SessionStatus.PROPOSED, SessionStatus.CONFIRMED)


def volunteer_is_assigned_to(profile, resident: Resident) -> bool:
    """An open assignment links this volunteer and this resident (a request or a session)."""
    by_request = exists().where(
        HelpRequest.resident_id == resident.id,
        (HelpRequest.volunteer_id == profile.id)
        | (HelpRequest.companion_volunteer_id == profile.id),  # the adult on a minor's visit
        HelpRequest.status.in_(ASSIGNED_REQUEST_STATES))
    by_session = exists().where(
        SessionVolunteer.volunteer_id == profile.id,
        SessionVolunteer.session_id == Session.id,
        Session.status.in_(ACTIVE_SESSION_STATES),
        Enrollment.session_id == Session.id, Enrollment.resident_id == resident.id,
        Enrollment.status != EnrollmentStatus.CANCELLED)
    return bool(db.session.scalar(select(by_request | by_session)))


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
