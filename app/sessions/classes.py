"""Group classes: planning, checking, creating and editing a class or a weekly series."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from app.clock import local_to_utc, to_local, today_local
from app.extensions import db
from app.i18n import fmt_datetime
from app.models import (EnrollmentStatus, Group, Place, Resident, Session, SessionKind,
                        SessionStatus, SessionVolunteer, Topic, User, VolunteerArea, VolunteerProfile,
                        VolunteerRole, Ward)
from app.notify.outbox import notify
from app.refusal import Refusal
from app.sessions.checks import (Checks, lock_rows, lock_session, check_times,
                                 find_conflicts, place_key)
from app.sessions.seats import announce, promote_waiting, reset_replies, seats_taken
from app.sessions.words import message_context, place_name_for, series_of, volunteer_words
from app.text import clean_name


# --- classes -------------------------------------------------------------------------
@dataclass
class ClassPlan:
    """What a leader filled in for a class (already parsed; times in UTC)."""

    group: Group
    title: str
    topics: list[Topic]
    place: Place
    place_name: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    lead: VolunteerProfile | None
    helpers: list[VolunteerProfile]
    weeks: int = 1

    @property
    def volunteers(self) -> list[VolunteerProfile]:
        seen, result = set(), []
        for v in [self.lead, *self.helpers]:
            if v is not None and v.id not in seen:
                seen.add(v.id)
                result.append(v)
        return result

    @property
    def room_name(self) -> str | None:
        return place_name_for(self.place, self.place_name, self.group)

    @property
    def room_key(self) -> str | None:
        return place_key(self.group.ward_id, self.room_name)


def eligible_class_volunteers(group: Group, include_ids: Iterable[int] = ()) -> list[VolunteerProfile]:
    """Verified volunteers, not paused, who serve the group or its ward (and those already
    on the class)."""
    serving = exists().where(VolunteerArea.volunteer_id == VolunteerProfile.id, or_(
        VolunteerArea.group_id == group.id, VolunteerArea.ward_id == group.ward_id))
    available = or_(VolunteerProfile.paused_until.is_(None),
                    VolunteerProfile.paused_until < today_local())
    query = select(VolunteerProfile).join(User, User.id == VolunteerProfile.user_id).where(
        or_(serving & VolunteerProfile.verified_at.is_not(None)
            & VolunteerProfile.revoked_at.is_(None) & available,
            VolunteerProfile.id.in_(list(include_ids) or [-1])),
        User.active.is_(True)).order_by(User.full_name)
    return list(db.session.scalars(query).all())


def occurrences(starts_at: datetime, ends_at: datetime, weeks: int) -> list[tuple[datetime, datetime]]:
    """Weekly occurrences at the same local wall-clock time (Vietnam has no daylight saving,
    but adding days to local times keeps this right wherever it runs)."""
    start_local, end_local = to_local(starts_at), to_local(ends_at)
    result = []
    for week in range(weeks):
        shift = timedelta(days=7 * week)
        result.append((local_to_utc((start_local + shift).replace(tzinfo=None)),
                       local_to_utc((end_local + shift).replace(tzinfo=None))))
    return result


def check_class(plan: ClassPlan, *, targets: list[tuple[Session | None, datetime, datetime]] | None = None,
                viewer=None, checks: Checks | None = None) -> Checks:
    """Every rule of a class (or each occurrence of a series): times, capacity, volunteers
    eligible and free, the room free. Errors sit beside "starts", "volunteers", "place",
    "capacity", "lead_id"."""
    checks = Checks() if checks is None else checks
    if plan.lead is None:
        checks.add("lead_id", _("Vui lòng chọn tình nguyện viên phụ trách."))
    eligible = {v.id for v in eligible_class_volunteers(plan.group)}
    existing = set()
    for session, _s, _e in targets or []:
        if session is not None:
            existing |= {sv.volunteer_id for sv in session.volunteers}
    for v in plan.volunteers:
        if v.id not in eligible and v.id not in existing:
            checks.add("lead_id" if v is plan.lead else "helper_ids", _(
                "%(who)s chưa được xác minh hoặc không phụ trách khu vực này.",
                who=volunteer_words(v)))
    if plan.place == Place.OTHER and not clean_name(plan.place_name or ""):
        checks.add("place_name", _("Vui lòng nhập tên địa điểm."))
    if plan.starts_at is None or plan.ends_at is None:
        return checks
    if targets is None:
        targets = [(None, s, e) for s, e in occurrences(plan.starts_at, plan.ends_at, plan.weeks)]
    if not check_times(checks, targets[0][1], targets[0][2]):
        return checks
    excluded = [s.id for s, _a, _b in targets if s is not None]
    several = len(targets) > 1
    for session, starts_at, ends_at in targets:
        if session is not None and plan.capacity is not None:
            taken = seats_taken(session)
            if plan.capacity < taken:
                checks.add("capacity", _("Đã có %(n)d người có chỗ; sức chứa không thể nhỏ hơn.",
                                         n=taken))
        residents = ([seat.resident for seat in session.enrollments if seat.status in EnrollmentStatus.SEATED]
                     if session is not None else [])
        found = find_conflicts(starts_at, ends_at, volunteers=plan.volunteers,
                               place=plan.room_key, residents=residents, exclude=excluded,
                               viewer=viewer)
        for conflict in found:
            message = conflict.message
            if several:
                message = _("%(day)s: %(message)s", day=fmt_datetime(starts_at).rsplit(",", 1)[0],
                            message=message)
            if conflict.field == "volunteers":
                name = ("lead_id" if plan.lead is not None
                        and conflict.subject_id == plan.lead.id else "helper_ids")
            else:
                name = {"place": "place", "resident": "starts"}[conflict.field]
            checks.add(name, message)
    return checks


def _lock_for_class(plan: ClassPlan) -> None:
    lock_rows(Ward, [plan.group.ward_id])
    lock_rows(VolunteerProfile, [v.id for v in plan.volunteers])


def create_class(actor: User, plan: ClassPlan) -> list[Session]:
    """A class for a residential group, or a weekly series of `weeks` occurrences; refused
    as a whole when any occurrence conflicts."""
    _lock_for_class(plan)
    checks = check_class(plan, viewer=actor)
    if plan.capacity is None or plan.capacity < 1:
        checks.add("capacity", _("Sức chứa ít nhất là 1 người."))
    checks.raise_if_any()
    series_id = str(uuid.uuid4()) if plan.weeks > 1 else None
    sessions = []
    for starts_at, ends_at in occurrences(plan.starts_at, plan.ends_at, plan.weeks):
        session = Session(kind=SessionKind.CLASS, title=plan.title, group_id=plan.group.id,
                          place=plan.place, place_name=plan.room_name, place_key=plan.room_key,
                          starts_at=starts_at, ends_at=ends_at, capacity=plan.capacity,
                          status=SessionStatus.CONFIRMED, series_id=series_id,
                          created_by_id=actor.id, topics=list(plan.topics))
        _set_volunteers(session, plan)
        db.session.add(session)
        sessions.append(session)
    db.session.flush()
    for session in sessions:
        for sv in session.volunteers:
            if sv.volunteer.user_id != actor.id:
                notify("session_confirmed", user=sv.volunteer.user,
                       context=message_context(session, series_weeks=plan.weeks))
    return sessions


def _set_volunteers(session: Session, plan: ClassPlan) -> None:
    """Keep the rows of volunteers who stay (their recorded hours), add and remove others."""
    wanted = {v.id: (VolunteerRole.LEAD if v is plan.lead else VolunteerRole.HELPER)
              for v in plan.volunteers}
    for sv in list(session.volunteers):
        if sv.volunteer_id not in wanted:
            session.volunteers.remove(sv)
        else:
            sv.role = wanted.pop(sv.volunteer_id)
    for volunteer_id, role in wanted.items():
        session.volunteers.append(SessionVolunteer(volunteer_id=volunteer_id, role=role))


def edit_targets(session: Session, plan: ClassPlan, members: list[Session]):
    """Where each occurrence goes: shifted like the edited one, with the new length."""
    shift = plan.starts_at - session.starts_at
    length = plan.ends_at - plan.starts_at
    targets = []
    for member in members:
        new_start = local_to_utc((to_local(member.starts_at) + shift).replace(tzinfo=None))
        targets.append((member, new_start, new_start + length))
    return targets


def update_class(actor: User, session: Session, plan: ClassPlan, scope: str = "one") -> list[Session]:
    """Edit one occurrence, or this and every later occurrence of its series ("series").

    For a series the time moves by the same shift as this occurrence and takes the new
    length; title, topics, place, capacity and volunteers apply to each. Refused as a
    whole if any occurrence would conflict; people whose time or place changed are told.
    """
    if session.kind != SessionKind.CLASS:
        raise Refusal(_("Đây không phải lớp học."))
    _lock_for_class(plan)
    members = series_of(session) if scope == "series" else [session]
    for member in members:
        lock_session(member.id)
    if session.status not in SessionStatus.ACTIVE:
        raise Refusal(_("Lớp này đã hủy hoặc đã diễn ra, không sửa được."))
    lock_rows(Resident, [seat.resident_id for m in members for seat in m.enrollments])
    targets = edit_targets(session, plan, members)
    checks = check_class(plan, targets=targets, viewer=actor)
    if plan.capacity is None or plan.capacity < 1:
        checks.add("capacity", _("Sức chứa ít nhất là 1 người."))
    checks.raise_if_any()
    for member, new_start, new_end in targets:
        moved = (member.starts_at != new_start or member.ends_at != new_end
                 or member.place_key != plan.room_key or member.place != plan.place)
        grew = plan.capacity > member.capacity
        member.title = plan.title
        member.topics = list(plan.topics)
        member.place, member.place_name, member.place_key = (plan.place, plan.room_name,
                                                             plan.room_key)
        member.starts_at, member.ends_at = new_start, new_end
        member.capacity = plan.capacity
        _set_volunteers(member, plan)
        db.session.flush()
        if moved:
            reset_replies(member)
            context = message_context(member)
            announce(member, "session_rescheduled", context, actor=actor)
        if grew:
            promote_waiting(member)
    return members
