"""Matching: the feed of a volunteer, accept and assign, hand back, suggestions, the batch.

The database decides who gets a request: every taking is one conditional UPDATE
(`WHERE status = 'open' AND volunteer_id IS NULL`), so of many simultaneous accepts
exactly one changes a row. A volunteer's capacity is weighed after locking their
profile row (`lock_volunteers`), so one volunteer's simultaneous accepts queue up.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import timeslots
from app.areas import scope
from app.clock import today_local
from app.extensions import db
from app.matching.scoring import Assessment, RequestFacts, Score, VolunteerFacts
from app.models import (Group, HandBack, HelpRequest, Place, RequestStatus, Resident, Session,
                        SessionStatus, SessionVolunteer, Topic, User, VolunteerArea,
                        VolunteerProfile)
from app.models.requests import request_topic
from app.models.sessions import session_topic
from app.models.volunteers import volunteer_topic
from app.notify.outbox import notify
from app.refusal import Refusal
from app.permissions import load
from app.requests import lifecycle
from app.volunteers.services import lock_volunteers, weekly_load


FEED_LIMIT = 50


OPTIONS_PER_ROW = 6


def refusal_message(reason: str, *, yourself: bool = True) -> str:
    """Kind words for a refusal, to the volunteer themself or to the leader assigning."""
    if yourself:
        messages = {
            "taken": _("Rất tiếc, một bạn tình nguyện viên khác vừa nhận yêu cầu này trước bạn. "
                       "Cảm ơn bạn! Danh sách đã được cập nhật, mời bạn chọn yêu cầu khác."),
            "not_found": _("Yêu cầu này không còn nữa. Danh sách đã được cập nhật."),
            "verified": _("Bạn cần được tổ trưởng hoặc cán bộ phường xác minh trước khi nhận "
                          "hỗ trợ người dân."),
            "active": _("Bạn đang tạm nghỉ. Hãy bỏ tạm nghỉ trong hồ sơ để nhận yêu cầu."),
            "consent": _("Bạn dưới 18 tuổi: cần có sự đồng ý của cha mẹ hoặc nhà trường được "
                         "ghi nhận trước khi nhận yêu cầu."),
            "capacity": _("Tuần này bạn đã đủ số buổi đã đăng ký. Cảm ơn bạn! Bạn có thể tăng "
                          "số buổi mỗi tuần trong hồ sơ."),
            "area": _("Yêu cầu này không thuộc tổ hoặc phường bạn phụ trách."),
            "topic": _("Yêu cầu này không thuộc chủ đề bạn hướng dẫn."),
            "time": _("Bạn không rảnh vào thời gian người dân mong muốn."),
            "home": _("Bạn dưới 18 tuổi nên không đến nhà một mình: cần một tình nguyện viên "
                      "người lớn đi cùng. Hãy nhờ tổ trưởng ghép cặp cho bạn."),
            "not_held": _("Yêu cầu này không do bạn phụ trách."),
            "scheduled": _("Yêu cầu đã có lịch hẹn. Hãy hủy buổi hẹn trước hoặc báo tổ trưởng."),
        }
    else:
        messages = {
            "taken": _("Yêu cầu này vừa được một tình nguyện viên khác nhận."),
            "not_found": _("Không tìm thấy yêu cầu hoặc tình nguyện viên."),
            "verified": _("Tình nguyện viên này chưa được xác minh."),
            "active": _("Tình nguyện viên này đang tạm nghỉ."),
            "consent": _("Tình nguyện viên dưới 18 tuổi chưa có sự đồng ý của cha mẹ hoặc nhà "
                         "trường."),
            "capacity": _("Tình nguyện viên này đã đủ số buổi trong tuần."),
            "area": _("Tình nguyện viên này không phụ trách tổ hoặc phường của yêu cầu."),
            "topic": _("Tình nguyện viên này không hướng dẫn chủ đề của yêu cầu."),
            "time": _("Tình nguyện viên này không rảnh vào thời gian người dân mong muốn."),
            "home": _("Tình nguyện viên dưới 18 tuổi không đến nhà một mình: cần một người lớn "
                      "được ghép cặp đi cùng."),
        }
    return messages.get(reason, messages["not_found"])


# --- facts --------------------------------------------------------------------------------
def request_facts(requests: Sequence[HelpRequest]) -> list[RequestFacts]:
    """Facts of many requests in three queries."""
    ids = [r.id for r in requests]
    topics: dict[int, set[int]] = defaultdict(set)
    wards: dict[int, int] = {}
    if ids:
        for request_id, topic_id in db.session.execute(select(
                request_topic.c.request_id, request_topic.c.topic_id)
                .where(request_topic.c.request_id.in_(ids))):
            topics[request_id].add(topic_id)
        wards = dict(db.session.execute(select(Group.id, Group.ward_id).where(
            Group.id.in_({r.group_id for r in requests}))).all())
    return [facts_of(r, topics[r.id], wards[r.group_id]) for r in requests]


def facts_of(help_request: HelpRequest, topic_ids: Iterable[int], ward_id: int) -> RequestFacts:
    """Facts of one request whose topics and ward are already known."""
    return RequestFacts(id=help_request.id, group_id=help_request.group_id, ward_id=ward_id,
                        topic_ids=frozenset(topic_ids),
                        preferred_times=help_request.preferred_times,
                        at_home=help_request.place == Place.HOME)


def volunteer_facts(profiles: Sequence[VolunteerProfile], *, topic_ids: Iterable[int] = (),
                    today: date | None = None) -> list[VolunteerFacts]:
    """Facts of many volunteers in a handful of queries (areas, topics, load, experience
    with `topic_ids`, and whether a minor's adult partner could come along)."""
    today = today or today_local()
    ids = [p.id for p in profiles]
    if not ids:
        return []
    partner_ids = {p.adult_partner_id for p in profiles
                   if p.adult_partner_id and p.is_minor(today)}
    partners = {p.id: p for p in db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.id.in_(partner_ids))
        .options(selectinload(VolunteerProfile.user)))} if partner_ids else {}
    load = weekly_load(set(ids) | partner_ids, today)

    groups: dict[int, set[int]] = defaultdict(set)
    wards: dict[int, set[int]] = defaultdict(set)
    for volunteer_id, group_id, ward_id in db.session.execute(select(
            VolunteerArea.volunteer_id, VolunteerArea.group_id, VolunteerArea.ward_id)
            .where(VolunteerArea.volunteer_id.in_(ids))):
        if group_id:
            groups[volunteer_id].add(group_id)
        if ward_id:
            wards[volunteer_id].add(ward_id)
    taught: dict[int, set[int]] = defaultdict(set)
    for volunteer_id, topic_id in db.session.execute(select(
            volunteer_topic.c.volunteer_id, volunteer_topic.c.topic_id)
            .where(volunteer_topic.c.volunteer_id.in_(ids))):
        taught[volunteer_id].add(topic_id)
    experience = experience_with(ids, topic_ids)

    def available(partner: VolunteerProfile | None) -> bool:
        return (partner is not None and partner.is_verified and partner.user.active
                and not partner.is_minor(today) and not partner.is_paused(today)
                and load[partner.id] < partner.weekly_capacity)

    return [VolunteerFacts(
        id=p.id, group_ids=frozenset(groups[p.id]), ward_ids=frozenset(wards[p.id]),
        topic_ids=frozenset(taught[p.id]), availability=p.availability,
        capacity=p.weekly_capacity, load=load[p.id], verified=p.is_verified and p.user.active,
        paused=p.is_paused(today), minor=p.is_minor(today), consent=p.has_guardian_consent,
        partner_available=p.is_minor(today) and available(partners.get(p.adult_partner_id)),
        experience=experience.get(p.id, {})) for p in profiles]


def experience_with(volunteer_ids: Iterable[int],
                    topic_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """Finished sessions per volunteer and topic: {volunteer_id: {topic_id: count}}."""
    volunteer_ids, topic_ids = set(volunteer_ids), set(topic_ids)
    result: dict[int, dict[int, int]] = defaultdict(dict)
    if not volunteer_ids or not topic_ids:
        return result
    # Driven by the volunteers' sessions, the session's status checked per row: joined
    # instead, SQLite scans every session and probes the whole list of volunteers for each.
    finished = exists().where(Session.id == SessionVolunteer.session_id,
                              Session.status == SessionStatus.DONE)
    rows = db.session.execute(
        select(SessionVolunteer.volunteer_id, session_topic.c.topic_id, func.count())
        .join(session_topic, session_topic.c.session_id == SessionVolunteer.session_id)
        .where(SessionVolunteer.volunteer_id.in_(volunteer_ids),
               session_topic.c.topic_id.in_(topic_ids), finished)
        .group_by(SessionVolunteer.volunteer_id, session_topic.c.topic_id))
    for volunteer_id, topic_id, count in rows:
        result[volunteer_id][topic_id] = count
    return result


def topic_names(topic_ids: Iterable[int]) -> dict[int, str]:
    ids = set(topic_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Topic.id, Topic.short_name).where(Topic.id.in_(ids)))
                .all())


# --- loaders --------------------------------------------------------------------------------
def profile_of(user) -> VolunteerProfile | None:
    return getattr(user, "volunteer_profile", None)


def get_held_request_for(user, request_id: int) -> HelpRequest:
    """A request this volunteer holds (as the volunteer or the adult companion)."""
    profile = profile_of(user)
    return load(HelpRequest, request_id, refusal=f"request {request_id} not held",
                may=lambda r: profile is not None
                and profile.id in (r.volunteer_id, r.companion_volunteer_id))


def get_request_in_reach_for(user, request_id: int) -> HelpRequest:
    """A request of a group or ward this volunteer serves, the only ones their feed offers:
    404 when there is none, a logged refusal for any other (an id typed into the URL). The
    rules of taking it (verified, capacity, topic, time...) are `take_request`'s."""
    profile = profile_of(user)
    # No profile yet: the volunteer is told to complete it.
    return load(HelpRequest, request_id,
                refusal=f"request {request_id} outside the volunteer's areas",
                may=lambda r: profile is None or any(
                    area.group_id == r.group_id or area.ward_id == r.group.ward_id
                    for area in profile.areas))


def get_request_to_manage(user, request_id: int) -> HelpRequest:
    """A request of a group this leader or official manages."""
    return load(HelpRequest, request_id, refusal=f"request {request_id} out of scope",
                may=lambda r: user.can_manage_group(r.group))


# --- the volunteer's feed -----------------------------------------------------------------
@dataclass
class FeedItem:
    request: HelpRequest
    score: Score


@dataclass
class Feed:
    profile: VolunteerProfile | None
    items: list[FeedItem] = field(default_factory=list)
    held: list[HelpRequest] = field(default_factory=list)
    load: int = 0
    blocked: str | None = None   # "no_profile", "verified", "active", "consent"
    at_capacity: bool = False


def open_requests_near(profile: VolunteerProfile | None) -> Feed:
    """Open requests that fit the volunteer: nearest first (their group, then their ward),
    then the longest waiting. Empty, with the reason, for those who cannot take any."""
    feed = Feed(profile=profile)
    if profile is None:
        feed.blocked = "no_profile"
        return feed
    feed.held = list(db.session.scalars(
        select(HelpRequest).where(or_(HelpRequest.volunteer_id == profile.id,
                                      HelpRequest.companion_volunteer_id == profile.id),
                                  HelpRequest.status.in_(RequestStatus.HELD))
        .order_by(HelpRequest.assigned_at.desc(), HelpRequest.id.desc())
        .options(selectinload(HelpRequest.topics),
                 joinedload(HelpRequest.resident).joinedload(Resident.group))))
    facts = volunteer_facts([profile])
    feed.load = facts[0].load
    personal = Assessment([], facts).volunteer_rules
    for rule in ("verified", "active", "consent"):
        if not personal[rule][0]:
            feed.blocked = rule
            return feed
    feed.at_capacity = not personal["capacity"][0]

    feed.items = _fitting_requests(profile, facts[0])
    return feed


def _fitting_requests(profile: VolunteerProfile, facts: VolunteerFacts) -> list[FeedItem]:
    """The first FEED_LIMIT open requests this volunteer may take, scored.

    SQL applies every rule that depends on the request (area, topic, time, home) to the
    open requests of the groups the volunteer serves, and orders and cuts the list, so
    that only the page's requests are loaded and scored."""
    if not facts.availability & timeslots.ALL:
        return []  # free at no time: no request fits
    served_groups = select(Group.id).where(
        or_(Group.id.in_(facts.group_ids), Group.ward_id.in_(facts.ward_ids)))
    in_my_group = HelpRequest.group_id.in_(facts.group_ids)
    teaches = exists().where(request_topic.c.request_id == HelpRequest.id,
                             request_topic.c.topic_id.in_(facts.topic_ids))
    no_topics = ~exists().where(request_topic.c.request_id == HelpRequest.id)
    free = or_(HelpRequest.preferred_times == 0,
               HelpRequest.preferred_times.op("&")(facts.availability) != 0)
    handed_back = exists().where(HandBack.request_id == HelpRequest.id,
                                 HandBack.volunteer_id == profile.id)
    query = (select(HelpRequest)
             .where(HelpRequest.group_id.in_(served_groups),
                    HelpRequest.status == RequestStatus.OPEN, HelpRequest.volunteer_id.is_(None),
                    teaches | no_topics, free, ~handed_back)
             .order_by(case((in_my_group, 0), else_=1), HelpRequest.created_at, HelpRequest.id)
             .limit(FEED_LIMIT)
             .options(selectinload(HelpRequest.topics), joinedload(HelpRequest.group),
                      joinedload(HelpRequest.resident).joinedload(Resident.group)))
    if facts.minor and not facts.partner_available:
        query = query.where(HelpRequest.place != Place.HOME)
    requests = list(db.session.scalars(query))
    names = {t.id: t.short_name for r in requests for t in r.topics}
    experienced = replace(facts, experience=experience_with([profile.id], names)
                          .get(profile.id, {}))
    assessment = Assessment([facts_of(r, [t.id for t in r.topics], r.group.ward_id)
                             for r in requests], [experienced])
    return [FeedItem(r, assessment.score(i, 0, names)) for i, r in enumerate(requests)
            if assessment.ok(i, 0, ignore=("capacity",))]


# --- taking a request ---------------------------------------------------------------------
def accept_request(profile: VolunteerProfile, request_id: int) -> HelpRequest:
    """The volunteer takes an open request in one tap. Raises `Refusal`."""
    return take_request(request_id, profile.id, by=profile.user)


def assign_request(by: User, request_id: int, volunteer_id: int) -> HelpRequest:
    """A leader gives an open request to a volunteer (same rules as accepting)."""
    return take_request(request_id, volunteer_id, by=by)


def take_request(request_id: int, volunteer_id: int, *, by: User) -> HelpRequest:
    """Give an open request to a volunteer, or raise `Refusal` with the reason.

    A volunteer under 18 takes a home visit only together with the adult volunteer a leader
    paired them with (`VolunteerProfile.adult_partner_id`): that adult is recorded on the
    request as `companion_volunteer_id`, is told, and counts it in their own weekly load.
    """
    help_request = db.session.get(HelpRequest, request_id)
    profile = db.session.get(VolunteerProfile, volunteer_id)
    if help_request is None or profile is None:
        raise Refusal(reason="not_found")
    today = today_local()
    partner_id = (profile.adult_partner_id
                  if help_request.place == Place.HOME and profile.is_minor(today) else None)
    locked = lock_volunteers([volunteer_id] + ([partner_id] if partner_id else []))
    profile = locked[volunteer_id]
    if partner_id and profile.adult_partner_id != partner_id:
        raise Refusal(reason="home")  # the pairing changed while we were deciding
    db.session.refresh(help_request)
    if help_request.status != RequestStatus.OPEN or help_request.volunteer_id is not None:
        raise Refusal(reason="taken")
    request = facts_of(help_request, [t.id for t in help_request.topics],
                       help_request.group.ward_id)
    failure = Assessment([request], volunteer_facts([profile], today=today)).first_failure(0, 0)
    if failure:
        raise Refusal(reason=failure)
    if not assign_and_announce(help_request, profile.id, partner_id, by):
        raise Refusal(reason="taken")
    return help_request


def assign_and_announce(help_request: HelpRequest, volunteer_id: int,
                        companion_id: int | None, by: User) -> bool:
    """The one assignment step of accepting, a leader's assignment and the batch: the
    request goes to the volunteer if it is still open, and the people concerned are told.
    False when someone else took it first."""
    if not lifecycle.assign(help_request.id, volunteer_id, companion_id):
        return False
    db.session.refresh(help_request)
    _announce_assignment(help_request, by)
    return True


def _announce_assignment(help_request: HelpRequest, by: User) -> None:
    volunteer = help_request.volunteer
    companion = help_request.companion
    verified_by = volunteer.verified_by
    notify("volunteer_assigned", resident=help_request.resident, context={
        "request_id": help_request.id, "request_code": help_request.code,
        "volunteer_name": volunteer.user.full_name,
        "verified_by": verified_by.full_name if verified_by else None,
        "verified_on": volunteer.verified_at.date().isoformat() if volunteer.verified_at else None,
        "companion_name": companion.user.full_name if companion else None})
    to_tell = [companion] if companion else []
    if by.id != volunteer.user_id:
        to_tell.insert(0, volunteer)
    for profile in to_tell:
        notify("volunteer_assigned", user=profile.user, context={
            "request_id": help_request.id, "request_code": help_request.code,
            "assigned_by": by.full_name,
            "companion": profile.id == help_request.companion_volunteer_id})


def hand_back(profile: VolunteerProfile, request_id: int, reason: str) -> HelpRequest:
    """The volunteer gives an accepted request back to the queue; the leaders are told."""
    help_request = db.session.get(HelpRequest, request_id)
    if help_request is None:
        raise Refusal(reason="not_found")
    lock_volunteers([profile.id])
    if not lifecycle.release(request_id, profile.id):
        db.session.refresh(help_request)
        if (help_request.volunteer_id == profile.id
                and help_request.status == RequestStatus.SCHEDULED):
            raise Refusal(reason="scheduled")
        raise Refusal(reason="not_held")
    reason = reason.strip()
    db.session.add(HandBack(request_id=request_id, volunteer_id=profile.id, reason=reason))
    db.session.refresh(help_request)
    for leader in scope.recipients_of(help_request.group_id):
        notify("request_returned", user=leader, context={
            "request_id": help_request.id, "request_code": help_request.code,
            "volunteer": profile.user.full_name, "reason": reason})
    return help_request


# --- suggestions for leaders ------------------------------------------------------------------
@dataclass
class Suggestion:
    volunteer: VolunteerProfile
    score: Score


@dataclass
class Unsuitable:
    volunteer: VolunteerProfile
    reason: str


def volunteers_serving(group_ids: Iterable[int], ward_ids: Iterable[int]):
    """Profiles serving any of these groups or wards, with their accounts loaded."""
    return list(db.session.scalars(
        select(VolunteerProfile).where(exists().where(
            VolunteerArea.volunteer_id == VolunteerProfile.id,
            or_(VolunteerArea.group_id.in_(set(group_ids) or {-1}),
                VolunteerArea.ward_id.in_(set(ward_ids) or {-1}))))
        .order_by(VolunteerProfile.id)
        .options(selectinload(VolunteerProfile.user),
                 selectinload(VolunteerProfile.verified_by))))


def suggestions_for(help_request: HelpRequest) -> tuple[list[Suggestion], list[Unsuitable]]:
    """Eligible volunteers, best first, with reasons in words; and the others with why not."""
    profiles = volunteers_serving([help_request.group_id], [help_request.group.ward_id])
    topic_ids = [t.id for t in help_request.topics]
    assessment = Assessment(request_facts([help_request]),
                            volunteer_facts(profiles, topic_ids=topic_ids))
    names = topic_names(topic_ids)
    good, others = [], []
    for j, profile in enumerate(profiles):
        failure = assessment.first_failure(0, j)
        if failure:
            others.append(Unsuitable(profile, failure))
        else:
            good.append(Suggestion(profile, assessment.score(0, j, names)))
    good.sort(key=lambda s: (-s.score.total, s.volunteer.user.full_name, s.volunteer.id))
    return good, others
