"""Volunteer rules: weekly load, who manages whom, profile, verification and revocation."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from app.areas import scope
from app.clock import local_to_utc, today_local, utcnow
from app.extensions import db
from app.models import (HelpRequest, RequestStatus, Session, SessionStatus, SessionVolunteer,
                        Topic, User, VolunteerArea, VolunteerKind, VolunteerProfile)
from app.notify.outbox import notify
from app.refusal import Refusal
from app.permissions import load
from app.requests import lifecycle

# Requests a volunteer holds: accepted (waiting for a time) or with a session set.


# --- weekly load ---------------------------------------------------------------------------
def week_bounds(today: date | None = None) -> tuple[datetime, datetime]:
    """This local week, Monday 0:00 to the next Monday 0:00 (Asia/Ho_Chi_Minh), in UTC."""
    today = today or today_local()
    monday = today - timedelta(days=today.weekday())
    return (local_to_utc(datetime.combine(monday, time())),
            local_to_utc(datetime.combine(monday + timedelta(days=7), time())))


def weekly_load(volunteer_ids: Iterable[int], today: date | None = None) -> dict[int, int]:
    """How many commitments each volunteer has this week — the number weighed against
    `weekly_capacity`. Each commitment counts once:

    - every session they take part in (lead or helper, any status but cancelled) that
      starts this local week, Monday to Sunday;
    - every request they hold (as the volunteer or as the adult companion of a minor),
      assigned or scheduled, that has no session yet (or only cancelled ones): it will
      take a slot as soon as a time is set, so it counts now.

    A request with a session counts through its session, in the week of the session.
    """
    ids = sorted(set(volunteer_ids))
    load = dict.fromkeys(ids, 0)
    if not ids:
        return load
    start, end = week_bounds(today)
    sessions = db.session.execute(
        select(SessionVolunteer.volunteer_id, func.count(func.distinct(Session.id)))
        .join(Session, Session.id == SessionVolunteer.session_id)
        .where(SessionVolunteer.volunteer_id.in_(ids),
               Session.status != SessionStatus.CANCELLED,
               Session.starts_at >= start, Session.starts_at < end)
        .group_by(SessionVolunteer.volunteer_id))
    for volunteer_id, count in sessions:
        load[volunteer_id] += count
    without_session = ~exists().where(Session.request_id == HelpRequest.id,
                                      Session.status != SessionStatus.CANCELLED)
    held = db.session.execute(
        select(HelpRequest.volunteer_id, HelpRequest.companion_volunteer_id)
        .where(or_(HelpRequest.volunteer_id.in_(ids),
                   HelpRequest.companion_volunteer_id.in_(ids)),
               HelpRequest.status.in_(RequestStatus.HELD), without_session))
    for holders in held:
        for volunteer_id in holders:
            if volunteer_id in load:
                load[volunteer_id] += 1
    return load


def lock_volunteers(volunteer_ids: Iterable[int]) -> dict[int, VolunteerProfile]:
    """Lock these profiles for the rest of the transaction (in id order, so two writers never
    wait on each other in a circle) and reload them fresh.

    Everything that weighs a volunteer's capacity or status before a write takes this lock
    first, so two accepts by one volunteer (or an accept and a pause) run one after the
    other. On SQLite every write transaction is already serialised (BEGIN IMMEDIATE).
    """
    ids = sorted(set(volunteer_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.id.in_(ids))
        .order_by(VolunteerProfile.id).with_for_update()
        .execution_options(populate_existing=True))
    return {p.id: p for p in rows}


# --- scope -----------------------------------------------------------------------------------
def _area_in_scope_clause(user):
    """A VolunteerArea condition: the area lies where this leader or official works.

    A leader of tổ 3 manages volunteers serving tổ 3 and those serving its whole ward;
    an official manages every volunteer serving their ward or any group of it.
    """
    official_wards = user.official_ward_ids() or {-1}
    return or_(
        VolunteerArea.group_id.in_(scope.managed_group_ids(user)),
        VolunteerArea.ward_id.in_(official_wards),
        VolunteerArea.ward_id.in_(scope.led_ward_ids(user) or {-1}),
    )


def manages_volunteer(user, profile: VolunteerProfile) -> bool:
    """A leader or ward official of one of the volunteer's areas (or an administrator)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if not (user.is_leader or user.is_official):
        return False
    return bool(db.session.scalar(select(exists().where(
        VolunteerArea.volunteer_id == profile.id, _area_in_scope_clause(user)))))


def volunteers_in_scope(user) -> list[VolunteerProfile]:
    """Volunteers this leader or official manages: waiting for verification first."""
    query = select(VolunteerProfile).join(User, User.id == VolunteerProfile.user_id)
    if not user.is_admin:
        query = query.where(exists().where(VolunteerArea.volunteer_id == VolunteerProfile.id,
                                           _area_in_scope_clause(user)))
    pending_first = (VolunteerProfile.verified_at.is_(None)
                     & VolunteerProfile.revoked_at.is_(None))
    query = query.order_by(pending_first.desc(), VolunteerProfile.revoked_at.is_not(None),
                           User.full_name, VolunteerProfile.id)
    # The directory shows each one's name, topics and areas: load them in a fixed few queries.
    query = query.options(selectinload(VolunteerProfile.user).selectinload(User.memberships),
                          selectinload(VolunteerProfile.topics),
                          selectinload(VolunteerProfile.areas).selectinload(VolunteerArea.group),
                          selectinload(VolunteerProfile.areas).selectinload(VolunteerArea.ward))
    return list(db.session.scalars(query))


def get_volunteer_for(user, volunteer_id: int, *, manage: bool = False) -> VolunteerProfile:
    """The one loader for a volunteer profile: 404 when missing; the volunteer themself may
    look, managers of one of their areas may look and act."""
    return load(VolunteerProfile, volunteer_id, refusal=f"volunteer {volunteer_id} out of scope",
                may=lambda p: (not manage and p.user_id == user.id)
                or manages_volunteer(user, p))


# --- profile -----------------------------------------------------------------------------
def area_key(area: VolunteerArea) -> str:
    return f"g{area.group_id}" if area.group_id else f"w{area.ward_id}"


def save_profile(user: User, *, kind: str, organisation: str | None, birth_year: int | None,
                 zalo: str | None, topic_ids: Iterable[int], availability: int,
                 area_keys: Iterable[str], weekly_capacity: int, paused_until: date | None,
                 guardian_consent_by: str | None = None,
                 guardian_consent_on: date | None = None) -> VolunteerProfile:
    """Create or update the volunteer's own profile.

    Birth year and a minor's guardian consent are what a leader checks in person, so once
    the volunteer is verified only a leader changes them (at verification).
    """
    profile = user.volunteer_profile
    if profile is None:
        if birth_year is None:
            raise Refusal(reason="birth_year_required")
        profile = VolunteerProfile(user_id=user.id, kind=VolunteerKind(kind),
                                   birth_year=birth_year)
        db.session.add(profile)
        db.session.flush()
    else:
        profile = lock_volunteers([profile.id])[profile.id]
    profile.kind = VolunteerKind(kind)
    profile.organisation = (organisation or "").strip() or None
    profile.zalo = (zalo or "").strip() or None
    profile.availability = availability
    profile.weekly_capacity = weekly_capacity
    profile.paused_until = paused_until
    if not profile.is_verified:
        if birth_year is not None:
            profile.birth_year = birth_year
        profile.guardian_consent_by = (guardian_consent_by or "").strip() or None
        profile.guardian_consent_on = guardian_consent_on
    profile.topics = list(db.session.scalars(
        select(Topic).where(Topic.id.in_(set(topic_ids) or {-1})).order_by(Topic.position)))
    wanted = set(area_keys)
    for area in list(profile.areas):
        if area_key(area) not in wanted:
            profile.areas.remove(area)
    have = {area_key(a) for a in profile.areas}
    for key in sorted(wanted - have):
        number = int(key[1:])
        profile.areas.append(VolunteerArea(group_id=number) if key[0] == "g"
                             else VolunteerArea(ward_id=number))
    db.session.flush()
    return profile


# --- verification --------------------------------------------------------------------------
def verify_volunteer(profile: VolunteerProfile, by: User, *,
                     guardian_consent_by: str | None = None,
                     guardian_consent_on: date | None = None) -> VolunteerProfile:
    """A leader or official who met the volunteer and saw their ID or youth-union card.

    A volunteer under 18 needs the consent of a parent or their school on record; the
    verifier can record it here. Verifying again after a revocation reinstates them.
    """
    if not manages_volunteer(by, profile):
        raise Refusal(reason="not_in_scope")
    profile = lock_volunteers([profile.id])[profile.id]
    if guardian_consent_by:
        profile.guardian_consent_by = guardian_consent_by.strip()
        profile.guardian_consent_on = guardian_consent_on or today_local()
    if profile.is_minor(today_local()) and not profile.has_guardian_consent:
        raise Refusal(reason="consent_required")
    if not profile.areas:
        raise Refusal(reason="no_areas")
    profile.verified_at = utcnow()
    profile.verified_by_id = by.id
    profile.revoked_at = None
    profile.revoked_by_id = None
    profile.revoked_reason = None
    notify("verification_done", user=profile.user, context={
        "verified_by": by.full_name, "verified_on": today_local().isoformat()})
    return profile


@dataclass
class Revocation:
    """What a revocation undid: sessions and requests that need someone else."""

    sessions: list[Session] = field(default_factory=list)
    reopened: list[HelpRequest] = field(default_factory=list)
    scheduled: list[HelpRequest] = field(default_factory=list)
    unpaired_minors: list[VolunteerProfile] = field(default_factory=list)


def revoke_verification(profile: VolunteerProfile, by: User, reason: str) -> Revocation:
    """Take the volunteer off everything ahead and tell the leaders what to refill.

    - their place in future sessions (proposed or confirmed, not started) is removed;
    - requests they hold that have no session yet go back to the open queue (and so do
      a minor's home visits where they were the adult companion);
    - scheduled requests keep their session, which is listed for a replacement;
    - minors they were paired with lose the pairing.
    """
    if not manages_volunteer(by, profile):
        raise Refusal(reason="not_in_scope")
    profile = lock_volunteers([profile.id])[profile.id]
    now = utcnow()
    profile.revoked_at = now
    profile.revoked_by_id = by.id
    profile.revoked_reason = reason.strip()
    result = Revocation()

    result.sessions = list(db.session.scalars(
        select(Session).join(SessionVolunteer, SessionVolunteer.session_id == Session.id)
        .where(SessionVolunteer.volunteer_id == profile.id, Session.starts_at > now,
               Session.status.in_(SessionStatus.ACTIVE))
        .order_by(Session.starts_at)))
    if result.sessions:
        db.session.execute(delete(SessionVolunteer).where(
            SessionVolunteer.volunteer_id == profile.id,
            SessionVolunteer.session_id.in_([s.id for s in result.sessions]))
            .execution_options(synchronize_session=False))

    held = list(db.session.scalars(select(HelpRequest).where(
        or_(HelpRequest.volunteer_id == profile.id,
            HelpRequest.companion_volunteer_id == profile.id),
        HelpRequest.status.in_(RequestStatus.HELD)).order_by(HelpRequest.id)))
    for help_request in held:
        if lifecycle.release(help_request.id, profile.id, as_companion=True):
            result.reopened.append(help_request)
        elif lifecycle.drop_volunteer(help_request.id, profile.id):
            result.scheduled.append(help_request)
        db.session.expire(help_request)

    result.unpaired_minors = list(db.session.scalars(select(VolunteerProfile).where(
        VolunteerProfile.adult_partner_id == profile.id)))
    if result.unpaired_minors:
        db.session.execute(update(VolunteerProfile)
                           .where(VolunteerProfile.adult_partner_id == profile.id)
                           .values(adult_partner_id=None)
                           .execution_options(synchronize_session=False))
    db.session.flush()

    notify("verification_revoked", user=profile.user, context={"reason": profile.revoked_reason})
    _tell_leaders_about_revocation(profile, result)
    return result


def _tell_leaders_about_revocation(profile: VolunteerProfile, result: Revocation) -> None:
    per_group: dict[int, dict[str, list]] = defaultdict(lambda: {"sessions": [], "requests": []})
    for s in result.sessions:
        per_group[s.group_id]["sessions"].append({
            "id": s.id, "title": s.title, "starts_at": s.starts_at.isoformat()})
    for r in result.reopened + result.scheduled:
        per_group[r.group_id]["requests"].append({
            "id": r.id, "code": r.code, "status": r.status.value})
    per_leader: dict[int, tuple[User, dict[str, list]]] = {}
    for group_id, users in scope.recipients_for(per_group).items():
        for leader in users:
            _user, lists = per_leader.setdefault(leader.id, (leader, {"sessions": [],
                                                                      "requests": []}))
            lists["sessions"].extend(per_group[group_id]["sessions"])
            lists["requests"].extend(per_group[group_id]["requests"])
    for leader, lists in per_leader.values():
        notify("replacement_needed", user=leader, context={
            "volunteer": profile.user.full_name, "reason": profile.revoked_reason, **lists})


# --- minors' adult partner ------------------------------------------------------------------
def partner_candidates(user, minor: VolunteerProfile) -> list[VolunteerProfile]:
    """Verified adult volunteers this leader manages, who could accompany a minor."""
    today = today_local()
    return [p for p in volunteers_in_scope(user)
            if p.id != minor.id and p.is_verified and not p.is_minor(today)]


def set_adult_partner(minor: VolunteerProfile, partner: VolunteerProfile | None,
                      by: User) -> VolunteerProfile:
    """Pair a volunteer under 18 with the adult who goes along on home visits."""
    if not manages_volunteer(by, minor):
        raise Refusal(reason="not_in_scope")
    if partner is None:
        minor.adult_partner_id = None
        return minor
    today = today_local()
    if not minor.is_minor(today):
        raise Refusal(reason="not_minor")
    if partner.id == minor.id or partner.is_minor(today) or not partner.is_verified:
        raise Refusal(reason="partner_not_adult")
    if not manages_volunteer(by, partner):
        raise Refusal(reason="not_in_scope")
    minor.adult_partner_id = partner.id
    return minor
