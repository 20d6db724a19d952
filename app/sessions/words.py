"""Sessions in words: times, places and people as each viewer may read them, and a session's series."""
from __future__ import annotations


from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import fmt_datetime, fmt_time
from app.labels import label
from app.models import (Gender, Group, Place, Resident, Session, SessionStatus,
                        VolunteerProfile, VolunteerRole)
from app.privacy import can_see_personal_data
from app.text import clean_name, given_name


# --- words for times, places and people ---------------------------------------------
def time_range(session: Session) -> str:
    """"9:00–10:30" in local time."""
    return f"{fmt_time(session.starts_at)}–{fmt_time(session.ends_at)}"


def when_words(session: Session) -> str:
    """"Thứ Ba, 12/5/2026, 9:00–10:30"."""
    return f"{fmt_datetime(session.starts_at)}–{fmt_time(session.ends_at)}"


def place_name_of(session: Session) -> str:
    """The place as people say it; never a resident's address."""
    if session.place in (Place.COMMUNITY_HOUSE, Place.OTHER) and session.place_name:
        return session.place_name
    if session.place == Place.COMMUNITY_HOUSE and session.group is not None:
        return session.group.community_house or _("Nhà văn hóa %(group)s",
                                                  group=session.group.name)
    return label(session.place, "session_place")


def where_words(session: Session) -> str:
    """"tại nhà văn hóa tổ 3", "tại nhà người dân", "qua điện thoại / gọi video"."""
    if session.place == Place.HOME:
        return _("tại nhà người dân")
    if session.place == Place.REMOTE:
        return _("qua điện thoại / gọi video")
    return _("tại %(place)s", place=place_name_of(session))


def volunteer_words(profile: VolunteerProfile, viewer=None) -> str:
    """"Anh/chị Minh", or "Bạn" when the volunteer reads about themself."""
    if viewer is not None and getattr(viewer, "id", None) == profile.user_id:
        return _("Bạn")
    return _("Anh/chị %(name)s", name=given_name(profile.user.full_name))


def resident_words(resident: Resident, viewer=None) -> str:
    """"Bà Bình" for those allowed to see the name, "Bà B." otherwise."""
    if viewer is not None and can_see_personal_data(viewer, resident):
        prefix = {Gender.FEMALE: _("Bà"), Gender.MALE: _("Ông")}.get(resident.gender, "")
        return f"{prefix} {given_name(resident.full_name)}".strip()
    return resident.masked_name


def lead_volunteer(session: Session) -> VolunteerProfile | None:
    for sv in session.volunteers:
        if sv.role == VolunteerRole.LEAD:
            return sv.volunteer
    return session.volunteers[0].volunteer if session.volunteers else None


def series_of(session: Session, upcoming_only: bool = True) -> list[Session]:
    """The occurrences of the session's series (this one and, by default, the later ones)."""
    if not session.series_id:
        return [session]
    query = select(Session).where(Session.series_id == session.series_id,
                                  Session.status.in_(SessionStatus.ACTIVE))
    if upcoming_only:
        query = query.where(Session.starts_at >= session.starts_at)
    return list(db.session.scalars(query.order_by(Session.starts_at)).all())


def series_position(session: Session) -> tuple[int, int] | None:
    """(n, total) of this occurrence in its series, counting every occurrence."""
    if not session.series_id:
        return None
    ids = db.session.scalars(select(Session.id).where(
        Session.series_id == session.series_id).order_by(Session.starts_at)).all()
    return ids.index(session.id) + 1, len(ids)


def message_context(session: Session, **extra) -> dict:
    """What a message template needs: ids and short words, never a phone or an address."""
    lead = lead_volunteer(session)
    request = session.request
    context = {
        "session_id": session.id, "session_kind": session.kind.value, "title": session.title,
        "starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat(),
        "place": session.place.value, "place_name": place_name_of(session)
        if session.place in (Place.COMMUNITY_HOUSE, Place.OTHER) else None,
        "group": session.group.name if session.group else None,
        "volunteer": given_name(lead.user.full_name) if lead else None,
        "code": request.code if request is not None else None,
    }
    context.update({k: v for k, v in extra.items() if v is not None})
    return context


def place_name_for(place: Place, place_name: str | None, group: Group) -> str | None:
    """Only rooms carry a name; a home visit never stores an address on the session."""
    if place in (Place.HOME, Place.REMOTE):
        return None
    name = clean_name(place_name or "")
    if not name and place == Place.COMMUNITY_HOUSE:
        name = group.community_house or _("Nhà văn hóa %(group)s", group=group.name)
    return name or None
