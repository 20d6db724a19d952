"""The rules of outcomes: logging a session, corrections with history, follow-ups, hours,
household surveys, a resident's progress and volunteer-hour certificates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import distinct, exists, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from app.areas import scope
from app.audit import audit
from app.clock import local_to_utc, to_local, utcnow
from app.coverage import definitions as d
from app.extensions import db
from app.requests import lifecycle
from app.requests.services import insert_with_fresh_code
from app.models import (ConsentMethod, Enrollment, EnrollmentStatus, Group, HelpRequest,
                        Membership, Outcome, OutcomeRevision, RequestStatus, Resident, Role,
                        Session, SessionStatus, SessionVolunteer, Skill, Topic, User,
                        VolunteerArea, VolunteerProfile, Ward)
from app.models.outcomes import outcome_skill
from app.notify.outbox import notify
from app.permissions import load
from app.refusal import Refusal
from app.privacy import can_see_personal_data
from app.text import fold
from app.timeslots import ALL



# --- loaders: one per object -------------------------------------------------------------------
def _volunteer_of(user, session: Session) -> SessionVolunteer | None:
    profile = getattr(user, "volunteer_profile", None)
    if profile is None:
        return None
    return next((sv for sv in session.volunteers if sv.volunteer_id == profile.id), None)


def can_log(user, session: Session) -> bool:
    """The session's volunteers, and whoever manages its group."""
    return _volunteer_of(user, session) is not None or user.can_manage_group(session.group)


def get_session_for_logging(user, session_id: int) -> Session:
    return load(Session, session_id, may=lambda s: can_log(user, s),
                refusal="outcomes: not this session's volunteer or leader")


def get_session_for_hours(user, session_id: int) -> Session:
    """Hours are corrected by the group's leader (or an official of its ward)."""
    return load(Session, session_id, may=lambda s: user.can_manage_group(s.group),
                refusal="outcomes: hours are the leader's")


def get_outcome_for_correction(user, outcome_id: int) -> Outcome:
    return load(Outcome, outcome_id, refusal="outcomes: correction is the leader's",
                may=lambda o: user.can_manage_group(o.enrollment.session.group))


def get_resident_for(user, resident_id: int) -> Resident:
    """A resident whose personal data this person may see (survey, progress)."""
    return load(Resident, resident_id, gone=lambda r: r.erased_at is not None,
                may=lambda r: can_see_personal_data(user, r),
                refusal="outcomes: resident out of scope")


def get_volunteer_for_certificate(user, volunteer_id: int | None) -> VolunteerProfile:
    """Volunteers print their own; leaders and officials those who served in their area."""
    if volunteer_id is None:
        profile = getattr(user, "volunteer_profile", None)
        if profile is None:
            abort(404)
        return profile
    return load(VolunteerProfile, volunteer_id, may=lambda p: _may_certify(user, p),
                refusal="outcomes: certificate of a volunteer out of scope")


def _may_certify(user, profile: VolunteerProfile) -> bool:
    """The volunteer, an administrator, or a leader or official of a group the volunteer
    served in or serves."""
    if profile.user_id == user.id or user.is_admin:
        return True
    managed = scope.managed_group_ids(user)
    if managed is None or not (user.is_leader or user.is_official):
        return False
    served = select(exists().where(
        SessionVolunteer.volunteer_id == profile.id,
        Session.id == SessionVolunteer.session_id, Session.group_id.in_(managed)))
    serves = select(exists().where(
        VolunteerArea.volunteer_id == profile.id,
        or_(VolunteerArea.group_id.in_(managed),
            VolunteerArea.ward_id.in_(user.official_ward_ids() or {-1}))))
    return bool(db.session.scalar(served) or db.session.scalar(serves))


# --- reading a session ---------------------------------------------------------------------------
def attendees(session: Session) -> list[Enrollment]:
    """The residents holding a seat (not the waiting list, not cancelled)."""
    return list(db.session.scalars(
        select(Enrollment).join(Resident, Resident.id == Enrollment.resident_id)
        .where(Enrollment.session_id == session.id,
               Enrollment.status == EnrollmentStatus.ENROLLED)
        .options(joinedload(Enrollment.resident).joinedload(Resident.group),
                 joinedload(Enrollment.outcome))
        .order_by(Resident.name_search, Enrollment.id)))


def session_skills(session: Session) -> list[Skill]:
    return [skill for topic in session.topics for skill in topic.skills]


def achieved_skill_ids(resident_ids) -> dict[int, set[int]]:
    """Skills each resident already achieved, at any session."""
    ids = list(resident_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Enrollment.resident_id, outcome_skill.c.skill_id)
        .join(Outcome, Outcome.enrollment_id == Enrollment.id)
        .join(outcome_skill, outcome_skill.c.outcome_id == Outcome.id)
        .where(Outcome.attended.is_(True), Enrollment.resident_id.in_(ids)).distinct())
    achieved: dict[int, set[int]] = {i: set() for i in ids}
    for resident_id, skill_id in rows:
        achieved[resident_id].add(skill_id)
    return achieved


def session_hours(session: Session) -> Decimal:
    """A session's length in hours, to two decimals."""
    seconds = (session.ends_at - session.starts_at).total_seconds()
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- logging ------------------------------------------------------------------------------------
@dataclass
class AttendeeEntry:
    enrollment_id: int
    attended: bool
    skill_ids: set[int] = field(default_factory=set)
    confidence: int | None = None
    follow_up: bool = False
    note: str | None = None


def _snapshot(outcome: Outcome, number: int, user, reason: str | None) -> OutcomeRevision:
    return OutcomeRevision(
        outcome=outcome, number=number, attended=outcome.attended,
        confidence=outcome.confidence, follow_up=outcome.follow_up, note=outcome.note,
        skill_ids=sorted(s.id for s in outcome.skills), changed_by_id=getattr(user, "id", None),
        reason=reason)


def log_outcomes(user, session: Session, entries: list[AttendeeEntry],
                 hours: dict[int, Decimal] | None = None,
                 now: datetime | None = None) -> list[HelpRequest]:
    """Record each attendee's outcome, the volunteers' hours, close the session and its
    requests, and open follow-up requests — all in the caller's transaction.

    Exactly one logging of a session succeeds, even when two volunteers send at once:
    the session turns DONE by a conditional UPDATE and the loser is told.
    Coverage (each attendee's resident_progress) follows through the progress listener
    (app.coverage.progress), in the same transaction.
    """
    now = now or utcnow()
    if session.status == SessionStatus.CANCELLED:
        raise Refusal(_("Buổi này đã bị hủy nên không ghi kết quả."))
    if session.starts_at > now:
        raise Refusal(_("Buổi này chưa diễn ra. Hãy ghi kết quả sau buổi học."))
    done = db.session.execute(
        update(Session).where(Session.id == session.id, Session.status.in_(SessionStatus.ACTIVE))
        .values(status=SessionStatus.DONE).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Refusal(_("Buổi này đã được ghi kết quả rồi. Nếu cần sửa, hãy báo tổ trưởng."))
    db.session.refresh(session)

    seats = {e.id: e for e in attendees(session)}
    allowed = {s.id: s for s in session_skills(session)}
    created: list[tuple[Outcome, AttendeeEntry]] = []
    for entry in entries:
        enrollment = seats.get(entry.enrollment_id)
        if enrollment is None:
            raise Refusal(_("Có người không thuộc buổi này. Vui lòng tải lại trang."))
        # Attendance may already have been entered (a sign-in sheet): complete that outcome.
        outcome = enrollment.outcome
        fresh = outcome is None
        if fresh:
            outcome = Outcome(enrollment_id=enrollment.id)
        outcome.recorded_by_id, outcome.recorded_at = user.id, now
        _apply(outcome, entry, allowed)
        if fresh:
            db.session.add(outcome)
        number = max((r.number for r in outcome.revisions), default=0) + 1
        outcome.revisions.append(_snapshot(outcome, number, user, None))
        created.append((outcome, entry))

    for sv in session.volunteers:
        if hours and sv.id in hours and hours[sv.id] is not None:
            sv.hours = hours[sv.id]
        elif sv.hours is None:
            sv.hours = session_hours(session)

    _close_requests(session, seats.values(), now)
    db.session.flush()
    follow_ups = [open_follow_up(user, outcome, now=now)
                  for outcome, entry in created if entry.follow_up]
    return follow_ups


def _apply(outcome: Outcome, entry: AttendeeEntry, allowed: dict[int, Skill]) -> None:
    if not entry.attended and entry.skill_ids:
        raise Refusal(_("Người không đến thì không đánh dấu kỹ năng."))
    unknown = set(entry.skill_ids) - set(allowed)
    if unknown:
        raise Refusal(_("Có kỹ năng không thuộc chủ đề của buổi này."))
    outcome.attended = entry.attended
    outcome.skills = [allowed[i] for i in sorted(entry.skill_ids)]
    outcome.confidence = entry.confidence if entry.attended else None
    outcome.follow_up = entry.follow_up
    outcome.note = (entry.note or "").strip() or None


def _close_requests(session: Session, seats, now: datetime) -> None:
    """The session's own request and the requests its seats came from are done."""
    ids = {e.request_id for e in seats if e.request_id is not None}
    if session.request_id is not None:
        ids.add(session.request_id)
    lifecycle.close(ids, now)


def remaining_topics(session: Session, resident_id: int) -> list[Topic]:
    """The session's topics with skills the resident has not achieved yet."""
    achieved = achieved_skill_ids([resident_id])[resident_id]
    return [t for t in session.topics if any(s.id not in achieved for s in t.skills)]


def open_follow_up(user, outcome: Outcome, now: datetime | None = None) -> HelpRequest:
    """A new open request for the skills still to learn, and the messages about it."""
    now = now or utcnow()
    enrollment = outcome.enrollment
    session = enrollment.session
    resident = enrollment.resident
    original = enrollment.request or session.request
    topics = remaining_topics(session, resident.id) or list(session.topics)
    request = lifecycle.open_request(
        resident_id=resident.id,
        group_id=original.group_id if original is not None else resident.group_id,
        place=original.place if original is not None else session.place,
        preferred_times=original.preferred_times if original is not None else ALL,
        note=_("Học tiếp sau buổi “%(title)s” ngày %(day)s.", title=session.title,
               day=to_local(session.starts_at).strftime("%d/%m/%Y")),
        created_at=now, created_by_id=getattr(user, "id", None),
        consent_method=original.consent_method if original is not None
        else ConsentMethod.IN_PERSON,
        follow_up_of_id=original.id if original is not None else None,
        topics=topics)
    insert_with_fresh_code(request)  # the same readable tracking codes as the request form
    db.session.flush()
    outcome.follow_up_request_id = request.id
    context = {"request_id": request.id, "request_code": request.code,
               "group_id": request.group_id, "session_id": session.id,
               "topics": [t.short_name for t in topics]}
    notify("follow_up_opened", resident=resident, context=context,
           dedupe_key=f"follow_up_opened:{request.id}:resident")
    for leader in scope.recipients_of(request.group_id):
        notify("follow_up_opened", user=leader, context=context,
               dedupe_key=f"follow_up_opened:{request.id}:leader:{leader.id}")
    return request


# --- corrections ---------------------------------------------------------------------------------
def correct_outcome(user, outcome: Outcome, entry: AttendeeEntry, reason: str,
                    now: datetime | None = None) -> HelpRequest | None:
    """A leader's correction: the outcome takes the new values, the history keeps both.

    Coverage (the resident's resident_progress) follows through the progress listener
    (app.coverage.progress), in the same transaction.
    """
    now = now or utcnow()
    locked = db.session.scalar(select(Outcome).where(Outcome.id == outcome.id)
                               .with_for_update()
                               .execution_options(populate_existing=True))
    session = locked.enrollment.session
    had_follow_up = locked.follow_up
    if not locked.revisions:  # logged before history existed: keep the first version too
        locked.revisions.append(_snapshot(locked, 1, locked.recorded_by, None))
        db.session.flush()
    _apply(locked, entry, {s.id: s for s in session_skills(session)})
    number = max(r.number for r in locked.revisions) + 1
    locked.revisions.append(_snapshot(locked, number, user, reason.strip()))
    audit("change", f"outcome:{locked.id}", resident=locked.enrollment.resident,
          detail=reason.strip()[:300])
    opened = None
    follow_up_request = locked.follow_up_request
    if entry.follow_up and (not had_follow_up or follow_up_request is None
                            or follow_up_request.status == RequestStatus.CANCELLED):
        opened = open_follow_up(user, locked, now=now)
    elif not entry.follow_up and follow_up_request is not None \
            and follow_up_request.status == RequestStatus.OPEN:
        lifecycle.cancel(follow_up_request.id,
                         _("Tổ trưởng sửa kết quả: không cần học tiếp."), now=now,
                         from_states=(RequestStatus.OPEN,))
        db.session.expire(follow_up_request)
    return opened


def revision_skill_names(revisions) -> dict[int, list[str]]:
    """Skill names of each revision (one query for all of them)."""
    ids = {i for r in revisions for i in (r.skill_ids or [])}
    names = dict(db.session.execute(select(Skill.id, Skill.name).where(Skill.id.in_(ids)))
                 .all()) if ids else {}
    return {r.id: [names.get(i, "?") for i in (r.skill_ids or [])] for r in revisions}


# --- hours -----------------------------------------------------------------------------------------
def set_hours(session: Session, hours: dict[int, Decimal]) -> None:
    for sv in session.volunteers:
        if sv.id in hours:
            sv.hours = hours[sv.id]


# --- household survey --------------------------------------------------------------------------------
SURVEY_FIELDS = ("has_smartphone", "has_epayment", "vneid_level2", "uses_zalo")


def record_survey(user, resident: Resident, answers: dict[str, bool | None],
                  surveyed_on: date) -> None:
    """The baseline of a household survey (rà soát): yes, no or unknown per question."""
    for name in SURVEY_FIELDS:
        setattr(resident, name, answers.get(name))
    resident.surveyed_on = surveyed_on
    audit("change", f"resident:{resident.id}", resident=resident, detail="survey",
          actor=user)


# --- sessions waiting for their outcome ----------------------------------------------------------------
def sessions_to_log(user, now: datetime | None = None, limit: int = 50) -> list[Session]:
    """Sessions that have started, are not logged yet, and this person may log."""
    now = now or utcnow()
    mine = []
    profile = getattr(user, "volunteer_profile", None)
    if profile is not None:
        mine.append(Session.id.in_(select(SessionVolunteer.session_id).where(
            SessionVolunteer.volunteer_id == profile.id)))
    managed = scope.managed_group_ids(user)
    if user.is_admin:
        mine.append(Session.id.is_not(None))
    elif user.is_leader or user.is_official:
        mine.append(Session.group_id.in_(managed))
    if not mine:
        return []
    return list(db.session.scalars(
        select(Session).where(Session.status.in_(SessionStatus.ACTIVE), Session.starts_at <= now,
                              or_(*mine))
        .options(joinedload(Session.group), selectinload(Session.topics))
        .order_by(Session.starts_at.desc()).limit(limit)))


# --- certificates ---------------------------------------------------------------------------------
@dataclass
class CertificateLine:
    ward: Ward
    sessions: int
    hours: Decimal


@dataclass
class Certificate:
    profile: VolunteerProfile
    start: date
    end: date
    lines: list[CertificateLine]
    signer: User | None
    signer_ward: Ward | None

    @property
    def sessions(self) -> int:
        return sum(line.sessions for line in self.lines)

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal("0"))

    @property
    def number(self) -> str:
        return f"CHS-{self.profile.id:05d}-{self.start:%Y%m%d}-{self.end:%Y%m%d}"


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (local_to_utc(datetime.combine(start, time())),
            local_to_utc(datetime.combine(end + timedelta(days=1), time())))


def certificate_lines(profile: VolunteerProfile, start: date, end: date) -> list[CertificateLine]:
    """Sessions done and hours per ward in the period (hours as in coverage)."""
    since, until = period_bounds(start, end)
    rows = db.session.execute(
        select(Ward, func.count(distinct(Session.id)), func.sum(d.hours_expression()))
        .select_from(SessionVolunteer)
        .join(Session, Session.id == SessionVolunteer.session_id)
        .join(Group, Group.id == Session.group_id)
        .join(Ward, Ward.id == Group.ward_id)
        .where(SessionVolunteer.volunteer_id == profile.id,
               Session.status == SessionStatus.DONE,
               Session.starts_at >= since, Session.starts_at < until)
        .group_by(Ward.id)).all()
    lines = [CertificateLine(ward, n, Decimal(str(total or 0)).quantize(Decimal("0.01")))
             for ward, n, total in rows]
    return sorted(lines, key=lambda line: fold(line.ward.name))


def possible_signers(lines: list[CertificateLine]) -> list[tuple[User, Ward]]:
    """Officials of the wards where the volunteer served."""
    ward_ids = [line.ward.id for line in lines]
    if not ward_ids:
        return []
    rows = db.session.execute(
        select(User, Ward).join(Membership, Membership.user_id == User.id)
        .join(Ward, Ward.id == Membership.ward_id)
        .where(Membership.role == Role.OFFICIAL, Membership.ward_id.in_(ward_ids),
               User.active.is_(True)).order_by(Ward.name, User.full_name)).all()
    return [(user, ward) for user, ward in rows]


def certificate_for(profile: VolunteerProfile, start: date, end: date,
                    signer_id: int | None, viewer=None) -> tuple[Certificate, list]:
    lines = certificate_lines(profile, start, end)
    signers = possible_signers(lines)
    chosen = next(((u, w) for u, w in signers if u.id == signer_id), None)
    if chosen is None and viewer is not None:
        chosen = next(((u, w) for u, w in signers if u.id == viewer.id), None)
    if chosen is None and signers:
        chosen = signers[0]
    signer, ward = chosen if chosen else (None, None)
    return Certificate(profile, start, end, lines, signer, ward), signers
