"""Routes of the admin area."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from sqlalchemy import func, select

from app.admin import bp
from app.admin.forms import AuditFilterForm
from app.audit import audit_events_for
from app.extensions import db
from app.models import Group, HelpRequest, Resident, Topic, User, Ward
from app.permissions import is_admin, is_official, role_required
from app.privacy import resident_label
from app.web import render

AUDIT_PAGE_SIZE = 50
MAX_PAGE = 100_000


@bp.get("/quan-tri")
@role_required(is_admin)
def index():
    counts = {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in (("wards", Ward), ("groups", Group), ("users", User),
                             ("residents", Resident), ("topics", Topic),
                             ("requests", HelpRequest))
    }
    return render("admin/index.html", counts=counts)


@bp.get("/quan-tri/nhat-ky")
@role_required(is_official)
def audit_log():
    """Who viewed, exported, changed or erased personal data (officials: their wards)."""
    form = AuditFilterForm(request.args)
    valid = form.validate()
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    events = None
    if valid:
        events = db.paginate(audit_events_for(
            current_user, action=form.action.data or None, resident_id=form.resident.data,
            name=form.q.data), page=page, per_page=AUDIT_PAGE_SIZE, error_out=False)
    return render("admin/audit_log.html", block="log", status=200 if valid else 422,
                  form=form, events=events, resident_label=resident_label)
