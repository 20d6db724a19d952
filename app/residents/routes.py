"""Routes of the residents area: the leaders' directory and a resident's record."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from sqlalchemy import func, select

from app.areas.scope import managed_groups
from app.areas.services import get_group_for
from app.audit import audit
from app.extensions import db
from app.models import HelpRequest, RequestStatus, Resident
from app.outcomes.progress import resident_progress
from app.permissions import is_manager, role_required
from app.privacy import resident_label
from app.residents import bp, services
from app.web import render


@bp.get("/nguoi-dan")
@role_required(is_manager)
def directory():
    """Residents of the person's groups; the list follows the search as it is typed."""
    groups = managed_groups(current_user)
    group_id = request.args.get("to", type=int)
    if group_id is not None:
        get_group_for(current_user, group_id)  # 403 outside the person's groups
    text = (request.args.get("q") or "")[:services.SEARCH_MAX]
    page = services.search_residents(current_user, text, group_id=group_id,
                                     page=request.args.get("trang", 1, type=int))
    ids = [r.id for r in page.items]
    open_counts = dict(db.session.execute(
        select(HelpRequest.resident_id, func.count()).where(
            HelpRequest.resident_id.in_(ids), HelpRequest.status.in_(RequestStatus.LIVE))
        .group_by(HelpRequest.resident_id)).all()) if ids else {}
    return render("residents/directory.html", block="results", page=page, q=text,
                  groups=groups, group_id=group_id, open_counts=open_counts,
                  label=lambda r: resident_label(r, current_user))


@bp.get("/nguoi-dan/<int:resident_id>")
@role_required(is_manager)
def detail(resident_id: int):
    """A resident's record: contact, household, consents, requests and history."""
    resident = services.get_resident_for(current_user, resident_id)
    audit("view", f"resident:{resident.id}", resident=resident)
    db.session.commit()
    requests = db.session.scalars(select(HelpRequest).where(
        HelpRequest.resident_id == resident.id).order_by(HelpRequest.created_at.desc())).all()
    household_members = []
    if resident.household_id is not None:
        household_members = db.session.scalars(select(Resident).where(
            Resident.household_id == resident.household_id, Resident.id != resident.id,
            Resident.erased_at.is_(None)).order_by(Resident.id)).all()
    return render("residents/detail.html", resident=resident, requests=requests,
                  household_members=household_members, history=services.history_of(resident),
                  progress=resident_progress(resident),
                  label=lambda r: resident_label(r, current_user))
