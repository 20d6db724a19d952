"""Attendance after a session: the paper sign-in sheet, and no-shows recorded fairly.

Who came is kept where the outcomes are (`Outcome.attended`, one per seat); a person
who did not come also gets a `NoShow` record that they can see and contest and that a
leader can uphold or withdraw.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, select

from app.areas import scope
from app.clock import utcnow
from app.extensions import db
from app.models import (Enrollment, EnrollmentStatus, NoShow, NoShowStatus, Outcome, Resident,
                        Session, SessionStatus, User, VolunteerProfile)
from app.permissions import load
from app.refusal import Refusal
from app.sessions.checks import lock_session
from app.sessions.seats import enroll, find_or_create_walk_in



@dataclass
class WalkIn:
    full_name: str
    phone_e164: str | None


def _outcome_of(seat: Enrollment, actor: User) -> Outcome:
    outcome = db.session.scalar(select(Outcome).where(Outcome.enrollment_id == seat.id))
    if outcome is None:
        outcome = Outcome(enrollment_id=seat.id, attended=False, recorded_by_id=actor.id)
        db.session.add(outcome)
    return outcome


def _no_show_of(session: Session, *, resident_id=None, volunteer_id=None) -> NoShow | None:
    query = select(NoShow).where(NoShow.session_id == session.id)
    if resident_id is not None:
        return db.session.scalar(query.where(NoShow.resident_id == resident_id))
    return db.session.scalar(query.where(NoShow.volunteer_id == volunteer_id))


def record_no_show(actor: User, session: Session, *, resident: Resident | None = None,
                   volunteer: VolunteerProfile | None = None) -> NoShow:
    """Record that someone did not come (again recorded if a leader had withdrawn it)."""
    no_show = _no_show_of(session, resident_id=getattr(resident, "id", None),
                          volunteer_id=getattr(volunteer, "id", None))
    if no_show is None:
        no_show = NoShow(session_id=session.id, resident_id=getattr(resident, "id", None),
                         volunteer_id=getattr(volunteer, "id", None), recorded_by_id=actor.id)
        db.session.add(no_show)
    elif no_show.status == NoShowStatus.WITHDRAWN:
        no_show.status = NoShowStatus.RECORDED
        no_show.recorded_at, no_show.recorded_by_id = utcnow(), actor.id
    return no_show


def _withdraw_if_recorded(actor: User, session: Session, note: str, **who) -> None:
    no_show = _no_show_of(session, **who)
    if no_show is not None and no_show.status != NoShowStatus.WITHDRAWN:
        no_show.status = NoShowStatus.WITHDRAWN
        no_show.resolved_at, no_show.resolved_by_id = utcnow(), actor.id
        no_show.resolution_note = note


def record_sign_in(actor: User, session: Session, *, present_seat_ids: set[int],
                   present_volunteer_ids: set[int], walk_ins: list[WalkIn]) -> None:
    """The leader enters the paper sign-in sheet in one screen: who of the seated came, which
    volunteers came (their hours), and who signed in at the door (seated by `enroll`, within
    capacity). Absences become no-shows; the session is marked as having taken place."""
    locked = lock_session(session.id)
    if locked.status not in SessionStatus.BOOKED:
        raise Refusal(_("Buổi này đã hủy."))
    if locked.starts_at > utcnow():
        raise Refusal(_("Buổi này chưa bắt đầu; hãy điểm danh sau khi buổi diễn ra."))
    walked_in: set[int] = set()
    for walk_in in walk_ins:
        resident = find_or_create_walk_in(actor, locked.group, walk_in.full_name,
                                          walk_in.phone_e164)
        seat = enroll(locked, resident, after_the_fact=True)
        if seat.status != EnrollmentStatus.ENROLLED:
            raise Refusal(field="walk_ins", errors={"walk_ins": [_(
                "Lớp đã đủ %(n)d chỗ nên không thêm được %(name)s. Hãy tăng sức chứa của lớp "
                "trước nếu phòng còn chỗ.", n=locked.capacity, name=walk_in.full_name)]})
        walked_in.add(seat.id)
    present_seat_ids = set(present_seat_ids) | walked_in
    for seat in db.session.scalars(select(Enrollment).where(
            Enrollment.session_id == locked.id,
            Enrollment.status == EnrollmentStatus.ENROLLED)):
        came = seat.id in present_seat_ids
        outcome = _outcome_of(seat, actor)
        outcome.attended = came
        if came:
            _withdraw_if_recorded(actor, locked, _("Điểm danh lại: có mặt."),
                                  resident_id=seat.resident_id)
        else:
            record_no_show(actor, locked, resident=seat.resident)
    length = Decimal(round((locked.ends_at - locked.starts_at).total_seconds() / 3600, 2))
    for sv in locked.volunteers:
        if sv.volunteer_id in present_volunteer_ids:
            if not sv.hours:
                sv.hours = length
            _withdraw_if_recorded(actor, locked, _("Điểm danh lại: có mặt."),
                                  volunteer_id=sv.volunteer_id)
        else:
            sv.hours = Decimal(0)
            record_no_show(actor, locked, volunteer=sv.volunteer)
    if locked.status in SessionStatus.ACTIVE:
        locked.status = SessionStatus.DONE
    db.session.flush()


# --- no-shows ---------------------------------------------------------------------------
def no_shows_of_volunteer(profile: VolunteerProfile) -> list[NoShow]:
    return list(db.session.scalars(select(NoShow).join(Session).where(
        NoShow.volunteer_id == profile.id).order_by(Session.starts_at.desc())).all())


def no_shows_of_resident(resident_id: int) -> list[NoShow]:
    return list(db.session.scalars(select(NoShow).join(Session).where(
        NoShow.resident_id == resident_id).order_by(Session.starts_at.desc())).all())


def no_shows_to_review(user: User, limit: int = 200) -> list[NoShow]:
    """No-shows in the person's groups: contested ones first, then the newest."""
    query = select(NoShow).join(Session).where(NoShow.status != NoShowStatus.WITHDRAWN)
    managed = scope.managed_group_ids(user)
    if managed is not None:
        query = query.where(Session.group_id.in_(managed))
    return list(db.session.scalars(query.order_by(
        case((NoShow.status == NoShowStatus.CONTESTED, 0), else_=1),
        Session.starts_at.desc(), NoShow.id.desc()).limit(limit)).all())


def get_no_show_for(user: User, no_show_id: int, need: str = "view") -> NoShow:
    """A no-show this person may `contest` (the volunteer concerned) or `manage` (a leader)."""
    profile = getattr(user, "volunteer_profile", None)

    def may(no_show: NoShow) -> bool:
        own = profile is not None and no_show.volunteer_id == profile.id
        manager = user.can_manage_group(no_show.session.group)
        return {"contest": own, "manage": manager}.get(need, own or manager)

    return load(NoShow, no_show_id, may=may, refusal=f"no-show {no_show_id}: {need}")


def contest_no_show(no_show: NoShow, text: str) -> None:
    """The person says the record is wrong; a leader will read why."""
    if no_show.status not in (NoShowStatus.RECORDED,):
        raise Refusal(_("Ghi nhận này đã được khiếu nại hoặc đã được xem xét."))
    no_show.status = NoShowStatus.CONTESTED
    no_show.contest_text = text.strip()[:1000]
    no_show.contested_at = utcnow()


def resolve_no_show(actor: User, no_show: NoShow, decision: str, note: str | None = None,
                    attended: bool = False) -> None:
    """A leader keeps ("uphold") or corrects ("withdraw") a no-show; when the person did in
    fact come, their attendance is corrected too."""
    if decision not in ("uphold", "withdraw"):
        raise Refusal(_("Vui lòng chọn giữ hoặc hủy ghi nhận."))
    no_show.status = NoShowStatus.UPHELD if decision == "uphold" else NoShowStatus.WITHDRAWN
    no_show.resolved_at, no_show.resolved_by_id = utcnow(), actor.id
    no_show.resolution_note = (note or "").strip()[:300] or None
    if decision == "withdraw" and attended:
        if no_show.resident_id is not None:
            seat = db.session.scalar(select(Enrollment).where(
                Enrollment.session_id == no_show.session_id,
                Enrollment.resident_id == no_show.resident_id))
            if seat is not None:
                _outcome_of(seat, actor).attended = True
        else:
            for sv in no_show.session.volunteers:
                if sv.volunteer_id == no_show.volunteer_id and not sv.hours:
                    session = no_show.session
                    sv.hours = Decimal(round(
                        (session.ends_at - session.starts_at).total_seconds() / 3600, 2))
