"""Routes of the admin area."""
from __future__ import annotations

from sqlalchemy import func, select

from app.admin import bp
from app.extensions import db
from app.models import Group, HelpRequest, Resident, Topic, User, Ward
from app.permissions import is_admin, role_required
from app.web import render


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
