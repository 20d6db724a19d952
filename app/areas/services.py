"""Rules of the areas: finding groups, their households, their leaders and their QR links."""
from __future__ import annotations

import re

import segno
from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Group, Household, Ward
from app.permissions import load
from app.text import fold

ADDRESS_MAX = 200
_NOT_ADDRESS_CHARS = re.compile(r"[^a-z0-9/]+")
# "số 12 ngõ Hàng Gai" and "12 ngõ Hàng Gai" are the same house.
_LEADING_NUMBER_WORD = re.compile(r"^(so|nha so|nha)\s+(?=\d)")


# --- groups --------------------------------------------------------------------------
def get_group_for(user, group_id: int) -> Group:
    """The group, if this person leads or oversees it (404 unknown, 403 out of scope)."""
    return load(Group, group_id, may=user.can_manage_group,
                refusal=f"group {group_id} out of scope")


def group_by_code(code: str | None) -> Group | None:
    """The group with this poster code, however its letters are cased."""
    code = (code or "").strip()
    if not code or len(code) > 16:
        return None
    # Codes are printed in capitals; people may type them in small letters.
    found = db.session.scalar(select(Group).where(Group.code.in_({code, code.upper()})))
    return found or db.session.scalar(select(Group).where(func.upper(Group.code) == code.upper()))


def wards_with_groups(group_ids=None) -> list[Ward]:
    """Wards that have groups (limited to `group_ids`, a select or a set, when given)."""
    ward_ids = select(Group.ward_id)
    if group_ids is not None:
        ward_ids = ward_ids.where(Group.id.in_(group_ids))
    query = select(Ward).where(Ward.id.in_(ward_ids)).order_by(Ward.name, Ward.id)
    return list(db.session.scalars(query))


def groups_of_ward(ward_id: int | None, group_ids=None) -> list[Group]:
    if not ward_id:
        return []
    query = select(Group).where(Group.ward_id == ward_id)
    if group_ids is not None:
        query = query.where(Group.id.in_(group_ids))
    return list(db.session.scalars(query.order_by(Group.position, Group.id)))


# --- households ------------------------------------------------------------------------
def address_key(address: str | None) -> str:
    """A folded address so that "Số 12, ngõ Hàng Gai" matches "12 Ngo hang gai"."""
    key = _NOT_ADDRESS_CHARS.sub(" ", fold(address)).strip()
    key = _LEADING_NUMBER_WORD.sub("", key)
    return " ".join(key.split())[:ADDRESS_MAX]


def find_household(group_id: int, address: str | None) -> Household | None:
    key = address_key(address)
    if not key or not group_id:
        return None
    return db.session.scalar(select(Household).where(
        Household.group_id == group_id, Household.address_key == key))


def household_for(group: Group, address: str) -> Household | None:
    """The household at this address in the group, created on first use.

    Two people typing the same new address at once both end in one household:
    the unique (group, address key) constraint decides, the loser reads the winner's row.
    """
    key = address_key(address)
    if not key:
        return None
    existing = find_household(group.id, address)
    if existing is not None:
        return existing
    household = Household(group_id=group.id, address=" ".join(address.split())[:ADDRESS_MAX],
                          address_key=key)
    try:
        with db.session.begin_nested():
            db.session.add(household)
    except IntegrityError:
        return find_household(group.id, address)
    return household


# --- QR links ----------------------------------------------------------------------------
def group_short_url(group: Group) -> str:
    """The absolute short link printed on the poster (from configuration, never the Host header)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return base + url_for("areas.group_link", code=group.code)


def display_url(url: str) -> str:
    """The link as people type it: without the scheme."""
    return re.sub(r"^https?://", "", url)


def qr_code(url: str):
    return segno.make(url, error="m", micro=False)


def qr_data_uri(url: str, scale: int = 10) -> str:
    """An SVG QR code as a data: URI for an <img> (allowed by the CSP)."""
    return qr_code(url).svg_data_uri(scale=scale, border=2, dark="#000", light="#fff")


def qr_svg(url: str, scale: int = 10) -> bytes:
    import io

    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="svg", scale=scale, border=2, dark="#000", light="#fff")
    return buffer.getvalue()
