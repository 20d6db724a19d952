"""Rules of help requests: filing (by the resident or on their behalf), duplicates,
tracking codes, tracking, cancelling, and the leaders' queue."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.areas import scope
from app.areas.services import find_household, household_for
from app.clock import utcnow
from app.extensions import db
from app.labels import PLACE_LABELS, label
from app.models import (ConsentMethod, Enrollment, EnrollmentStatus, Gender, Group, HelpRequest,
                        Place, RequestStatus, Resident, Session, SessionKind, SessionStatus, Topic)
from app.models.requests import request_topic
from app.notify.outbox import notify
from app.permissions import is_manager, is_verified_volunteer, load
from app.phone import InvalidPhone, normalize_phone
from app.privacy import can_see_personal_data, resident_label
from app.requests import lifecycle
from app.residents.services import (fill_blanks, find_or_create_resident, record_consent,
                                    resident_by_phone)
from app.text import given_name
from app.timeslots import ALL, describe

# Tracking codes: no 0/O, 1/I/L, so that they survive being read out over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
CODE_ATTEMPTS = 10
# Where a tracking code may still be typed in full (older codes may be longer).
CODE_MAX = 12
# How many requests one browser remembers having proved access to.
TRACKED_MAX = 5

LONG_WAIT = timedelta(days=7)

PLACE_ICONS = {Place.HOME: "🏠", Place.COMMUNITY_HOUSE: "🏛️", Place.REMOTE: "📞",
               Place.OTHER: "📍"}
# The places a resident can choose on the form.
FORM_PLACES = (Place.HOME, Place.COMMUNITY_HOUSE, Place.REMOTE)

QUEUE_FILTERS = {
    "waiting": (_l("Đang chờ"), (RequestStatus.OPEN,)),
    "in_progress": (_l("Đã có người nhận"), (RequestStatus.ASSIGNED, RequestStatus.SCHEDULED)),
    "active": (_l("Tất cả đang mở"), RequestStatus.LIVE),
}
QUEUE_PER_PAGE = 25


# --- tracking codes ----------------------------------------------------------------------
def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str | None) -> str:
    """What people type ("k7m-4qx", "K7M 4QX") to the stored form ("K7M4QX")."""
    return "".join(ch for ch in (text or "").upper() if ch.isascii() and ch.isalnum())[:CODE_MAX]


def format_code(code: str) -> str:
    """In two halves, to be read out: "K7M 4QX"."""
    if len(code) == CODE_LENGTH:
        return f"{code[:3]} {code[3:]}"
    return code


def insert_with_fresh_code(help_request: HelpRequest) -> None:
    """Give the request an unused code; on the rare collision try another one."""
    for _attempt in range(CODE_ATTEMPTS):
        code = new_tracking_code()
        if db.session.scalar(select(HelpRequest.id).where(HelpRequest.code == code)) is not None:
            continue
        help_request.code = code
        try:
            with db.session.begin_nested():
                db.session.add(help_request)
        except IntegrityError:
            continue  # taken between the check and the insert
        return
    raise RuntimeError("no free tracking code after several attempts")


# --- who files for whom ---------------------------------------------------------------------
def files_for_others(user) -> bool:
    """Leaders, officials, administrators and verified volunteers file "thay mặt người dân"."""
    return bool(user is not None and user.is_authenticated
                and (is_manager(user) or is_verified_volunteer(user)))


def proxy_group_ids(user):
    """The groups this person may file requests for: a select of ids, or None for every group."""
    conditions = []
    if is_manager(user):
        managed = scope.managed_group_ids(user)
        if managed is None:
            return None
        conditions.append(Group.id.in_(managed))
    if is_verified_volunteer(user):
        areas = user.volunteer_profile.areas
        group_ids = {a.group_id for a in areas if a.group_id} or {-1}
        ward_ids = {a.ward_id for a in areas if a.ward_id} or {-1}
        conditions.append(or_(Group.id.in_(group_ids), Group.ward_id.in_(ward_ids)))
    if not conditions:
        return select(Group.id).where(Group.id == -1)
    return select(Group.id).where(or_(*conditions))


def group_open_to(user, group: Group) -> bool:
    """Whether this person may file for this group (everyone may, for themselves)."""
    if not files_for_others(user):
        return True
    scope = proxy_group_ids(user)
    if scope is None:
        return True
    return db.session.scalar(select(Group.id).where(Group.id == group.id, Group.id.in_(scope))
                             ) is not None


def resident_offer(user, phone_text: str | None) -> dict:
    """Filing on someone's behalf: the known resident with this phone, offered instead of a
    new record (named only to those allowed to see who it is)."""
    try:
        resident = resident_by_phone(normalize_phone(phone_text))
    except InvalidPhone:
        return {}
    if resident is None or resident.erased_at is not None:
        return {}
    return {"resident_match": resident,
            "resident_match_label": resident_label(resident, user),
            "resident_match_visible": can_see_personal_data(user, resident)}


def household_offer(user, group: Group | None, address: str | None) -> dict:
    """The household already known at this address of the group (its members are named
    only to those who manage the group)."""
    household = find_household(group.id, address) if group is not None and address else None
    if household is None:
        return {}
    members = []
    if user.is_authenticated and user.can_manage_group(group):
        members = [resident_label(r, user) for r in db.session.scalars(
            select(Resident).where(Resident.household_id == household.id,
                                   Resident.erased_at.is_(None)).order_by(Resident.id).limit(10))]
    return {"household_match": household, "household_members": members}


# --- filing a request --------------------------------------------------------------------------
@dataclass
class Submission:
    full_name: str
    phone_e164: str
    group: Group
    topic_ids: list[int]
    preferred_times: int
    place: Place
    note: str | None = None
    address: str | None = None
    gender: Gender | None = None
    birth_year: int | None = None
    consent_method: ConsentMethod = ConsentMethod.ONLINE
    filed_by: object | None = None  # a leader or volunteer filing on the resident's behalf


@dataclass
class Filed:
    request: HelpRequest
    resident: Resident
    created: bool                 # False: an open request for the same topic already existed
    # The resident was just placed in a household already known at that address.
    joined_household: bool = False


def open_duplicate(resident_id: int, topic_ids) -> HelpRequest | None:
    """An open request of this resident that covers one of these topics."""
    return db.session.scalar(
        select(HelpRequest)
        .join(request_topic, request_topic.c.request_id == HelpRequest.id)
        .where(HelpRequest.resident_id == resident_id,
               HelpRequest.status.in_(RequestStatus.LIVE),
               request_topic.c.topic_id.in_(list(topic_ids)))
        .order_by(HelpRequest.created_at, HelpRequest.id).limit(1))


def submit_request(sub: Submission) -> Filed:
    """File a request: reuse or create the resident, record consent, place them in a
    household, give a tracking code and tell the resident and the group's leaders.

    Requests of one phone number are serialised on the resident's row, so two
    identical forms sent at once give one request and one duplicate answer.
    The caller commits.
    """
    resident, created = find_or_create_resident(
        phone_e164=sub.phone_e164, full_name=sub.full_name, group=sub.group,
        gender=sub.gender, birth_year=sub.birth_year)
    if not created:
        duplicate = open_duplicate(resident.id, sub.topic_ids)
        if duplicate is not None:
            return Filed(request=duplicate, resident=resident, created=False)

    existing_household = find_household(sub.group.id, sub.address) if sub.address else None
    household_before = None if created else resident.household_id
    if created:
        if sub.address:
            household = household_for(sub.group, sub.address)
            resident.household_id = household.id if household else None
    else:
        fill_blanks(resident, gender=sub.gender, birth_year=sub.birth_year,
                    address=sub.address, group=sub.group)
    joined = (existing_household is not None and household_before is None
              and resident.household_id == existing_household.id)

    filed_by = sub.filed_by
    record_consent(resident, sub.consent_method, captured_by=filed_by)
    topics = list(db.session.scalars(select(Topic).where(Topic.id.in_(sub.topic_ids))
                                      .order_by(Topic.position)))
    help_request = lifecycle.open_request(
        resident_id=resident.id, group_id=sub.group.id,
        place=sub.place, preferred_times=sub.preferred_times, note=sub.note or None,
        topics=topics, consent_method=sub.consent_method,
        created_by_id=getattr(filed_by, "id", None))
    insert_with_fresh_code(help_request)

    context = {"code": help_request.code, "request_id": help_request.id}
    notify("request_received", resident=resident, context=context)
    for leader in scope.recipients_of(sub.group):
        if filed_by is not None and leader.id == filed_by.id:
            continue  # they filed it themselves
        notify("request_new_in_group", user=leader,
               context={**context, "group_id": sub.group.id})
    return Filed(request=help_request, resident=resident, created=True, joined_household=joined)


def resend_code(help_request: HelpRequest) -> None:
    """Send the tracking code again to the resident's own phone (at most once a day)."""
    today = utcnow().date().isoformat()
    notify("request_received", resident=help_request.resident,
           context={"code": help_request.code, "request_id": help_request.id, "again": True},
           dedupe_key=f"request_received:again:{help_request.id}:{today}")


# --- tracking -------------------------------------------------------------------------------
def find_for_tracking(code: str, phone_e164: str) -> HelpRequest | None:
    """The request with this code and this phone; None whether the code is unknown or the
    phone is wrong (the caller answers both the same way)."""
    code = normalize_code(code)
    if not code or not phone_e164:
        return None
    return db.session.scalar(
        select(HelpRequest).join(Resident, HelpRequest.resident_id == Resident.id)
        .where(HelpRequest.code == code, Resident.phone == phone_e164,
               Resident.erased_at.is_(None)))


def remember_tracked(session, request_id: int) -> None:
    """This browser proved access to the request (the last few are kept)."""
    tracked = [i for i in session.get("tracked_requests", []) if i != request_id]
    tracked.append(request_id)
    session["tracked_requests"] = tracked[-TRACKED_MAX:]


def forget_tracked(session) -> None:
    session.pop("tracked_requests", None)


def tracked_ids(session) -> list[int]:
    return [i for i in session.get("tracked_requests", []) if isinstance(i, int)]


def get_tracked_request(session, request_id: int) -> HelpRequest | None:
    """The request, if this browser proved access to it (code and phone) recently."""
    if request_id not in tracked_ids(session):
        return None
    help_request = db.session.get(HelpRequest, request_id)
    if help_request is None or help_request.resident.erased_at is not None:
        return None
    return help_request


def live_sessions(help_request: HelpRequest) -> list[Session]:
    """The request's sessions that are not cancelled, soonest first."""
    return list(help_request.sessions.filter(Session.status != SessionStatus.CANCELLED)
                .order_by(Session.starts_at))


def volunteer_first_name(help_request: HelpRequest) -> str | None:
    if help_request.volunteer is None:
        return None
    return given_name(help_request.volunteer.user.full_name)


def verified_by_words(help_request: HelpRequest) -> str | None:
    """"Nguyễn Văn Thắng, tổ trưởng Tổ dân phố số 3" — who vouched for the volunteer."""
    profile = help_request.volunteer
    if profile is None or not profile.is_verified or profile.verified_by is None:
        return None
    verifier, group = profile.verified_by, help_request.group
    if group.id in verifier.led_group_ids():
        return _("%(name)s, tổ trưởng %(group)s", name=verifier.full_name, group=group.name)
    if group.ward_id in verifier.official_ward_ids():
        return _("%(name)s, cán bộ %(ward)s", name=verifier.full_name, ward=group.ward.name)
    return verifier.full_name


def times_words(mask: int) -> list[str]:
    """The preferred times in words; every slot means "whenever suits"."""
    if mask & ALL == ALL:
        return [str(_l("Lúc nào cũng được"))]
    return describe(mask)


def place_words(place: Place, place_name: str | None = None) -> str:
    words = label(Place(place) if place in PLACE_LABELS else Place.OTHER)
    return f"{words}: {place_name}" if place_name else words


# --- cancelling -----------------------------------------------------------------------------
def cancel_request(request_id: int, *, reason: str | None = None, by_user=None) -> bool:
    """Cancel a request that is still open; its planned one-to-one sessions are cancelled and
    its seats in classes given back. False if it was already done or cancelled."""
    now = utcnow()
    reason = (reason or "").strip()[:300] or (
        _("Người dân tự hủy") if by_user is None else _("Hủy bởi %(name)s", name=by_user.full_name))
    if not lifecycle.cancel(request_id, reason, now=now):
        return False
    sessions = db.session.scalars(select(Session).where(
        Session.request_id == request_id, Session.kind == SessionKind.ONE_TO_ONE,
        Session.status.in_(SessionStatus.ACTIVE)).with_for_update())
    for session in sessions:
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = reason
        for seat in session.volunteers:
            notify("session_cancelled", user=seat.volunteer.user,
                   context={"session_id": session.id, "request_id": request_id},
                   dedupe_key=f"session_cancelled:{session.id}:{seat.volunteer_id}")
    db.session.execute(
        update(Enrollment).where(Enrollment.request_id == request_id,
                                 Enrollment.status != EnrollmentStatus.CANCELLED)
        .values(status=EnrollmentStatus.CANCELLED).execution_options(synchronize_session=False))
    db.session.expire_all()
    return True


def can_cancel(help_request: HelpRequest) -> bool:
    return help_request.status in RequestStatus.LIVE


# --- leaders and officials ----------------------------------------------------------------------
def get_request_for(user, request_id: int) -> HelpRequest:
    """A request, for the leaders and officials of its group and its assigned volunteer."""
    profile = getattr(user, "volunteer_profile", None)
    return load(HelpRequest, request_id, refusal=f"request {request_id} out of scope",
                may=lambda r: user.can_manage_group(r.group)
                or (profile is not None and r.volunteer_id == profile.id))


def queue_for(user, *, state: str = "waiting", group_id: int | None = None, page: int = 1,
              per_page: int = QUEUE_PER_PAGE):
    """A page of the open requests of the person's groups, the longest-waiting first."""
    states = QUEUE_FILTERS.get(state, QUEUE_FILTERS["waiting"])[1]
    query = (select(HelpRequest).where(HelpRequest.status.in_(states))
             .options(selectinload(HelpRequest.resident).selectinload(Resident.group),
                      selectinload(HelpRequest.topics))
             .order_by(HelpRequest.created_at, HelpRequest.id))
    query = _in_scope(query, user, group_id)
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)


def queue_counts(user, group_id: int | None = None) -> dict[str, int]:
    rows = db.session.execute(_in_scope(
        select(HelpRequest.status, func.count()).where(HelpRequest.status.in_(RequestStatus.LIVE))
        .group_by(HelpRequest.status), user, group_id)).all()
    by_state = {status: n for status, n in rows}
    return {key: sum(by_state.get(s, 0) for s in states)
            for key, (_label, states) in QUEUE_FILTERS.items()}


def _in_scope(query, user, group_id):
    managed = scope.managed_group_ids(user)
    if managed is not None:
        query = query.where(HelpRequest.group_id.in_(managed))
    if group_id is not None:
        query = query.where(HelpRequest.group_id == group_id)
    return query


def waited(since: datetime, now: datetime | None = None) -> timedelta:
    return (now or utcnow()) - since


def told_words(group: Group) -> str:
    """Who was told of a request filed in this group, as the resident reads it: the
    group's leader, else the ward's officials (`scope.recipients_for`), else nobody yet."""
    if scope.group_leaders(group.id):
        return _("Tổ trưởng %(group)s đã nhận được yêu cầu.", group=group.name)
    if scope.recipients_of(group):
        return _("Cán bộ %(ward)s đã nhận được yêu cầu (tổ chưa có tổ trưởng trên ứng dụng).",
                 ward=group.ward.name)
    return _("Yêu cầu đã được ghi lại, nhưng tổ chưa có người phụ trách trên ứng dụng. Hãy báo "
             "trực tiếp tổ trưởng hoặc phường.")


def waited_words(since: datetime, now: datetime | None = None) -> str:
    """How long a request has waited, in words: "dưới 1 giờ", "5 giờ", "3 ngày"."""
    delta = waited(since, now)
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return _("dưới 1 giờ")
    if hours < 24:
        return _("%(n)d giờ", n=hours)
    return _("%(n)d ngày", n=delta.days)


def waited_long(since: datetime, now: datetime | None = None) -> bool:
    return waited(since, now) >= LONG_WAIT
