"""Edits behind coverage: denominators, targets per area, and the core topics."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from app.coverage import definitions as d
from app.coverage import progress
from app.extensions import db
from app.models import Group, Indicator, Target, Topic, Ward
from app.permissions import deny
from app.coverage.areas import Level, int_or_404
from app.coverage.services import INDICATORS, TargetValue, targets_by_area, resolve_target


# --- edits: denominators, targets, the core topics ---------------------------------------------
def update_denominators(group: Group, adults: int | None, households: int | None,
                        counted_on: date | None) -> None:
    """The leader's own count of the group's adults and households, with its date."""
    group.adults_count = adults
    group.households_count = households
    group.denominators_on = counted_on if (adults is not None or households is not None) \
        else None


@dataclass
class TargetScope:
    """Whose targets are edited: the campaign's (no ward, no group), a ward's or a group's."""

    level: str
    key: int | None
    label: str
    ward: Ward | None = None
    group: Group | None = None

    @property
    def ward_id(self) -> int | None:
        return self.ward.id if self.ward is not None else None

    @property
    def group_id(self) -> int | None:
        return self.group.id if self.group is not None else None

    @property
    def args(self) -> dict:
        return {"level": self.level, "key": self.key} if self.key is not None else {
            "level": self.level}


def get_target_scope_for(user, level: str | None, key) -> TargetScope:
    """Officials set their ward's and its groups' targets; administrators any, and the
    campaign's defaults. Leaders see their targets but do not set them."""
    if level == Level.GROUP:
        group = db.session.get(Group, int_or_404(key))
        if group is None:
            abort(404)
        if not user.can_manage_ward(group.ward):
            deny("targets: group out of scope")
        return TargetScope(level, group.id, group.label, ward=None, group=group)
    if level == Level.WARD:
        ward = db.session.get(Ward, int_or_404(key))
        if ward is None:
            abort(404)
        if not user.can_manage_ward(ward):
            deny("targets: ward out of scope")
        return TargetScope(level, ward.id, ward.name, ward=ward)
    if level in (Level.ALL, None):
        if not user.is_admin:
            deny("targets: campaign defaults")
        return TargetScope(Level.ALL, None, _("Mặc định của phong trào"))
    abort(404)


def targets_of(scope: TargetScope) -> dict[Indicator, Target]:
    stmt = select(Target).where(Target.ward_id.is_(None) if scope.ward_id is None
                                else Target.ward_id == scope.ward_id,
                                Target.group_id.is_(None) if scope.group_id is None
                                else Target.group_id == scope.group_id)
    return {t.indicator: t for t in db.session.scalars(stmt)}


def inherited_targets(scope: TargetScope) -> dict[Indicator, TargetValue | None]:
    """What applies when this scope sets nothing: the ward's, else the campaign's."""
    targets = targets_by_area()
    ward_id = scope.group.ward_id if scope.group is not None else None
    return {indicator: (resolve_target(targets, indicator, ward_id=ward_id)
                        if scope.level != Level.ALL else None)
            for indicator, _f, _dn in INDICATORS}


def save_targets(scope: TargetScope, values: dict[Indicator, tuple[Decimal | None, bool]]
                 ) -> None:
    """Set, change or remove (percent None) this scope's own target per indicator."""
    existing = targets_of(scope)
    for indicator, (percent, strict) in values.items():
        target = existing.get(indicator)
        if percent is None:
            if target is not None:
                db.session.delete(target)
            continue
        if target is None:
            target = Target(indicator=indicator, ward_id=scope.ward_id, group_id=scope.group_id)
            db.session.add(target)
        target.percent = percent
        target.strictly_above = strict


def set_core_topics(topic_ids: set[int]) -> None:
    """Flag exactly these topics as the core of "basic digital skills"."""
    from sqlalchemy import update

    db.session.execute(update(Topic).where(Topic.id.in_(topic_ids)).values(core=True))
    db.session.execute(update(Topic).where(Topic.id.not_in(topic_ids or {-1})).values(core=False))
    progress.rebuild(db.session.connection())  # what "basic digital skills" means changed


def core_topics() -> list[Topic]:
    """The required core topics, as coverage counts them."""
    return list(db.session.scalars(select(Topic).where(Topic.id.in_(d.required_core_topic_ids()))
                                   .order_by(Topic.position, Topic.id)))
