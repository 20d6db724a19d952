"""The area a coverage page is about (a group, a ward, a district, mine, everything) and who may see it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Group, Ward
from app.permissions import deny, load


class Level:
    GROUP = "group"
    WARD = "ward"
    DISTRICT = "district"
    ALL = "all"
    MINE = "mine"  # the groups a leader leads


# --- areas and who may see them ------------------------------------------------------------
@dataclass
class Area:
    """Where the figures are counted: a set of groups, with a name people recognise."""

    level: str
    key: int | str | None
    label: str
    groups: object  # a select of group ids, or None for every group
    ward: Ward | None = None
    group: Group | None = None

    @property
    def args(self) -> dict:
        return {"level": self.level, "key": self.key} if self.key is not None else {
            "level": self.level}

    @property
    def ward_id(self) -> int | None:
        if self.ward is not None:
            return self.ward.id
        return self.group.ward_id if self.group is not None else None

    @property
    def row_level(self) -> str:
        """What one row of this area's table is."""
        return {Level.WARD: Level.GROUP, Level.MINE: Level.GROUP, Level.GROUP: Level.GROUP,
                Level.DISTRICT: Level.WARD, Level.ALL: Level.WARD}[self.level]


def get_area_for(user, level: str | None, key: str | int | None) -> Area:
    """The one loader of coverage areas: 404 when unknown, 403 when out of the user's scope."""
    if level == Level.GROUP:
        group = load(Group, int_or_404(key), may=user.can_manage_group,
                     refusal="coverage: group out of scope")
        return Area(level, group.id, group.label, select(Group.id).where(Group.id == group.id),
                    ward=None, group=group)
    if level == Level.WARD:
        ward = load(Ward, int_or_404(key), may=user.can_manage_ward,
                    refusal="coverage: ward out of scope")
        return Area(level, ward.id, ward.name, select(Group.id).where(Group.ward_id == ward.id),
                    ward=ward)
    if level == Level.DISTRICT:
        label = str(key or "").strip()
        if not label or db.session.scalar(select(Ward.id).where(Ward.district == label)
                                          .limit(1)) is None:
            abort(404)
        wards = select(Ward.id).where(Ward.district == label)
        if not user.is_admin:
            if not (user.official_ward_ids() & set(db.session.scalars(wards))):
                deny("coverage: district out of scope")
            wards = wards.where(Ward.id.in_(user.official_ward_ids()))
        return Area(level, label, label, select(Group.id).where(Group.ward_id.in_(wards)))
    if level == Level.ALL:
        if not user.is_admin:
            deny("coverage: whole installation")
        return Area(level, None, _("Toàn hệ thống"), None)
    if level == Level.MINE:
        led = user.led_group_ids()
        if not led:
            deny("coverage: leads no group")
        return Area(level, None, _("Các tổ tôi phụ trách"),
                    select(Group.id).where(Group.id.in_(led)))
    abort(404)


def int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        abort(404)
