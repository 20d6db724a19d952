"""What every coverage figure means, exactly — written once, as SQL.

Each figure is a statement here. Its count on a coverage page is a GROUP BY over
the statement, and "the list behind this figure" pages through the rows of the
very same statement, so a number and its list cannot disagree.

The definitions (the page "Cách tính" says the same in Vietnamese):

Residents of an area
    Residents whose residential group is in the area — the group they are
    registered in, not where a session took place. Erased residents stay in the
    counts: erasure anonymises a record so that aggregates stay right.
Adult
    A resident born at least 18 years before the current year, or whose birth
    year is unknown (most residents who ask for help are older adults).
Reached
    A resident with at least one outcome marked "came" (attended).
Skill achieved
    Ticked on an outcome marked "came". Once achieved it stays achieved; only a
    leader's correction of that outcome takes it back.
Topic completed
    Every skill in the topic's checklist achieved, over any number of sessions.
Basic digital skills (docs/architecture.md, "How coverage is counted")
    Every required core topic completed. Required core topics are the topics
    flagged `core` that are active and have at least one skill (a topic without
    a checklist cannot be completed). With no core topic, nobody qualifies.
Households with a member with basic digital skills
    Distinct households of residents (of any age) with basic digital skills.
    Residents not placed in a household are not counted here.
Smartphone / e-payment account
    An adult whose household survey (rà soát) says yes, OR who completed the
    topic that needs one: smartphone basics (slug "dien-thoai") for a
    smartphone, digital banking and QR payment (slug "ngan-hang-so") for an
    e-payment account. Nobody completes those checklists without one.
Shares
    A numerator over the denominator the leader entered for the group (adults,
    or households). A group without a denominator has no share. A roll-up's share
    takes only the groups with a denominator, on both sides of the fraction;
    its counts take every group.
Targets
    The group's own target, else its ward's, else the campaign default (the
    Target row with neither ward nor group). Met when share >= percent, or
    share > percent when the target is "strictly above".
Open requests and waiting time
    Requests with status "open" (waiting for a volunteer). Waiting time is from
    the request's creation to now; the median and the oldest are shown.
Request to first session
    Requests created in the last 90 days that have a session that was not
    cancelled (their own one-to-one session, or a seat in a class): days from
    the request to the start of its first such session; the median is shown.
Volunteer hours this month
    Hours recorded for the volunteers of sessions that are done and started in
    the current calendar month, Vietnam time, in the area's groups. A volunteer
    whose hours were not recorded counts the session's length.
Volunteers serving an area
    Verified (and not revoked) volunteers who serve the group itself or its ward.
Demand and supply per topic
    Demand: open requests naming the topic. Supply: volunteers serving the area
    who teach the topic.
Unserved group
    No volunteer serving it, or an open request waiting more than
    UNSERVED_WAIT_DAYS days (app config, default 7).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (DateTime, Integer, and_, case, cast, distinct, exists, func, literal,
                        or_, select, true, type_coerce, union, union_all)

from app import ages
from app.extensions import db
from app.models import (Enrollment, EnrollmentStatus, Group, HelpRequest, Outcome,
                        RequestStatus, Resident, ResidentProgress, Session, SessionStatus,
                        SessionVolunteer, Skill, Topic, VolunteerArea, VolunteerProfile)
from app.models.outcomes import outcome_skill
from app.models.requests import request_topic
from app.models.types import UTCDateTime
from app.models.volunteers import volunteer_topic

SMARTPHONE_TOPIC_SLUG = "dien-thoai"
EPAYMENT_TOPIC_SLUG = "ngan-hang-so"
FIRST_SESSION_WINDOW_DAYS = 90
DEFAULT_UNSERVED_WAIT_DAYS = 7


# --- portable SQL pieces ---------------------------------------------------------------
def in_groups(column, groups):
    """`column` (a group id) inside the area; `groups` is a select of group ids, None = all."""
    return true() if groups is None else column.in_(groups)


def moment(value: datetime):
    """A bound UTC timestamp usable in date arithmetic on both databases."""
    return literal(value, UTCDateTime())


def days_between(later, earlier):
    """Days (fractional) from `earlier` to `later`, on SQLite and PostgreSQL alike."""
    if db.engine.dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    aware = DateTime(timezone=True)
    return func.extract("epoch", type_coerce(later, aware) - type_coerce(earlier, aware)) / 86400


def whole_weeks_since(column, start: datetime):
    """How many whole weeks after `start` the timestamp `column` lies (0, 1, …)."""
    days = days_between(column, moment(start))
    if db.engine.dialect.name == "sqlite":
        return cast(days / 7, Integer)  # truncates, and the value is never negative here
    return cast(func.floor(days / 7), Integer)


def adult_condition(today: date):
    return or_(Resident.birth_year.is_(None),
               Resident.birth_year <= ages.last_adult_birth_year(today))


def verified_volunteer_condition():
    return and_(VolunteerProfile.verified_at.is_not(None), VolunteerProfile.revoked_at.is_(None))


# --- skills and topics -------------------------------------------------------------------
def required_core_topic_ids():
    """The topics whose completion makes "basic digital skills"."""
    return select(Topic.id).where(
        Topic.core.is_(True), Topic.active.is_(True),
        exists().where(Skill.topic_id == Topic.id))


def _of_residents(stmt, groups, residents):
    """`stmt` (which has Enrollment) cut to the residents named and to the area's residents;
    the resident's row is joined only when an area is given."""
    if residents is not None:
        stmt = stmt.where(Enrollment.resident_id.in_(residents))
    if groups is not None:
        stmt = stmt.join(Resident, Resident.id == Enrollment.resident_id).where(
            Resident.group_id.in_(groups))
    return stmt


def attendances(*columns, groups):
    """SELECT `columns` FROM every attended outcome of the area's residents, with its
    enrollment, session and resident: the evidence that a resident was reached."""
    return (select(*columns).select_from(Outcome)
            .join(Enrollment, Enrollment.id == Outcome.enrollment_id)
            .join(Session, Session.id == Enrollment.session_id)
            .join(Resident, Resident.id == Enrollment.resident_id)
            .where(Outcome.attended.is_(True), in_groups(Resident.group_id, groups)))


def first_reached(groups):
    """(resident_id, first_at): each reached resident of the area and the start of their
    first attended session, the moment they count as reached."""
    return (attendances(Enrollment.resident_id.label("resident_id"),
                        func.min(Session.starts_at).label("first_at"), groups=groups)
            .group_by(Enrollment.resident_id))


def achieved_skills(groups, topic_condition=None, residents=None):
    """Distinct (resident_id, skill_id) achieved by residents of the area (or of the
    residents named: a list or a select of ids)."""
    stmt = (select(Enrollment.resident_id.label("resident_id"),
                   outcome_skill.c.skill_id.label("skill_id"))
            .select_from(Outcome)
            .join(Enrollment, Enrollment.id == Outcome.enrollment_id)
            .join(outcome_skill, outcome_skill.c.outcome_id == Outcome.id)
            .where(Outcome.attended.is_(True)))
    stmt = _of_residents(stmt, groups, residents)
    if topic_condition is not None:
        stmt = stmt.where(outcome_skill.c.skill_id.in_(
            select(Skill.id).join(Topic, Topic.id == Skill.topic_id).where(topic_condition)))
    return stmt.distinct()


def completed_topics(groups, topic_condition=None, residents=None):
    """(resident_id, topic_id) for every topic a resident of the area completed."""
    # For a bounded area the database should walk from the area's residents to their
    # outcomes; filtering skills early would make it walk every outcome of the city.
    bounded = groups is not None or residents is not None
    achieved = achieved_skills(groups, None if bounded else topic_condition,
                               residents).subquery("achieved")
    sizes = (select(Skill.topic_id.label("topic_id"), func.count(Skill.id).label("size"))
             .group_by(Skill.topic_id).subquery("sizes"))
    stmt = (select(achieved.c.resident_id.label("resident_id"), Skill.topic_id.label("topic_id"))
            .select_from(achieved)
            .join(Skill, Skill.id == achieved.c.skill_id)
            .join(sizes, sizes.c.topic_id == Skill.topic_id))
    if topic_condition is not None:
        stmt = stmt.join(Topic, Topic.id == Skill.topic_id).where(topic_condition)
    return (stmt.group_by(achieved.c.resident_id, Skill.topic_id, sizes.c.size)
            .having(func.count(achieved.c.skill_id) == sizes.c.size))


def evidence_topic_condition():
    """The topics whose completion some figure needs: the required core topics and the
    smartphone and e-payment topics (one pass over the outcomes serves them all)."""
    return or_(Topic.id.in_(required_core_topic_ids()),
               Topic.slug.in_((SMARTPHONE_TOPIC_SLUG, EPAYMENT_TOPIC_SLUG)))


def basic_skills_residents(groups, done=None):
    """Residents of the area who completed every required core topic.

    `done` may be a completed-topics CTE already computed for the area."""
    required = required_core_topic_ids()
    if done is None:
        done = completed_topics(groups, Topic.id.in_(required)).subquery("core_done")
    how_many = select(func.count()).select_from(required.subquery()).scalar_subquery()
    return (select(done.c.resident_id.label("resident_id"))
            .where(done.c.topic_id.in_(required))
            .group_by(done.c.resident_id).having(func.count(done.c.topic_id) == how_many))


def topic_completers(groups, slug: str, done=None):
    if done is None:
        done = completed_topics(groups, Topic.slug == slug).subquery()
    return (select(done.c.resident_id.label("resident_id"))
            .where(done.c.topic_id.in_(select(Topic.id).where(Topic.slug == slug)))
            .distinct())


def reached_residents(groups, residents=None):
    stmt = (select(Enrollment.resident_id.label("resident_id"))
            .join(Outcome, Outcome.enrollment_id == Enrollment.id)
            .where(Outcome.attended.is_(True)))
    stmt = _of_residents(stmt, groups, residents)
    return stmt.distinct()


def progress_rows(residents=None):
    """(resident_id, basic, smartphone_topic, epayment_topic) for every reached resident
    (or those of `residents`), computed from the outcomes by the definitions above.

    This is what the table `resident_progress` holds (app/coverage/progress.py keeps it
    equal); the figures count the table so that a city need not walk every outcome."""
    done = completed_topics(None, evidence_topic_condition(), residents).cte("done")
    reached = reached_residents(None, residents).subquery("reached")
    basic = basic_skills_residents(None, done).subquery("basic")
    phone = topic_completers(None, SMARTPHONE_TOPIC_SLUG, done).subquery("phone_topic")
    pay = topic_completers(None, EPAYMENT_TOPIC_SLUG, done).subquery("pay_topic")
    return (select(reached.c.resident_id.label("resident_id"),
                   basic.c.resident_id.is_not(None).label("basic"),
                   phone.c.resident_id.is_not(None).label("smartphone_topic"),
                   pay.c.resident_id.is_not(None).label("epayment_topic"))
            .select_from(reached)
            .outerjoin(basic, basic.c.resident_id == reached.c.resident_id)
            .outerjoin(phone, phone.c.resident_id == reached.c.resident_id)
            .outerjoin(pay, pay.c.resident_id == reached.c.resident_id))


class ResidentFigures:
    """The resident figures of an area: one join, one condition per figure.

    `count_by_group()` counts them all in one GROUP BY; `residents(figure)` and
    `households()` list the rows behind each count from the same join.
    """

    RESIDENT_FIGURES = ("reached", "adults_basic", "smartphone", "epayment")

    def __init__(self, groups, today: date):
        self.groups = groups
        adult = adult_condition(today)
        has_basic = ResidentProgress.basic.is_(True)
        self.conditions = {
            "reached": ResidentProgress.resident_id.is_not(None),
            "adults_basic": and_(adult, has_basic),
            "smartphone": and_(adult, or_(Resident.has_smartphone.is_(True),
                                          ResidentProgress.smartphone_topic.is_(True))),
            "epayment": and_(adult, or_(Resident.has_epayment.is_(True),
                                        ResidentProgress.epayment_topic.is_(True))),
            "households_basic": and_(has_basic, Resident.household_id.is_not(None)),
        }

    def _joined(self, stmt):
        return (stmt.outerjoin(ResidentProgress, ResidentProgress.resident_id == Resident.id)
                .where(in_groups(Resident.group_id, self.groups)))

    def count_by_group(self) -> dict[int, dict[str, int]]:
        columns = [func.count(case((self.conditions[name], Resident.id))).label(name)
                   for name in self.RESIDENT_FIGURES]
        columns.append(func.count(distinct(case((self.conditions["households_basic"],
                                                 Resident.household_id)))).label(
            "households_basic"))
        stmt = self._joined(select(Resident.group_id, *columns).select_from(Resident)
                            ).group_by(Resident.group_id)
        return {row.group_id: row._asdict() for row in db.session.execute(stmt)}

    def residents(self, figure: str):
        """The residents behind a resident figure, as a statement to paginate."""
        return (self._joined(select(Resident).select_from(Resident))
                .where(self.conditions[figure])
                .order_by(Resident.group_id, Resident.name_search, Resident.id))

    def households(self):
        """The households behind "households with a member with basic digital skills"."""
        from app.models import Household

        members = self._joined(select(Resident.household_id).select_from(Resident)).where(
            self.conditions["households_basic"])
        return select(Household).where(Household.id.in_(members)).order_by(
            Household.group_id, Household.address_key, Household.id)


# --- requests ----------------------------------------------------------------------------
def open_requests(groups):
    return select(HelpRequest).where(HelpRequest.status == RequestStatus.OPEN,
                                     in_groups(HelpRequest.group_id, groups))


def open_request_waits(groups, now: datetime):
    """(gid, value): days each open request of the area has waited."""
    return select(HelpRequest.group_id.label("gid"),
                  days_between(moment(now), HelpRequest.created_at).label("value")).where(
        HelpRequest.status == RequestStatus.OPEN, in_groups(HelpRequest.group_id, groups))


def open_requests_by_group(groups) -> dict[int, tuple[int, datetime | None]]:
    stmt = (select(HelpRequest.group_id, func.count(HelpRequest.id),
                   func.min(HelpRequest.created_at))
            .where(HelpRequest.status == RequestStatus.OPEN,
                   in_groups(HelpRequest.group_id, groups))
            .group_by(HelpRequest.group_id))
    return {gid: (n, oldest) for gid, n, oldest in db.session.execute(stmt)}


def first_sessions(groups, now: datetime):
    """(request_id, first_at) for the area's requests of the window that have a session."""
    since = now - timedelta(days=FIRST_SESSION_WINDOW_DAYS)
    in_window = and_(HelpRequest.created_at >= since, in_groups(HelpRequest.group_id, groups))
    own = (select(Session.request_id.label("request_id"), Session.starts_at.label("starts_at"))
           .join(HelpRequest, HelpRequest.id == Session.request_id)
           .where(Session.status != SessionStatus.CANCELLED, in_window))
    seat = (select(Enrollment.request_id.label("request_id"), Session.starts_at.label("starts_at"))
            .join(Session, Session.id == Enrollment.session_id)
            .join(HelpRequest, HelpRequest.id == Enrollment.request_id)
            .where(Session.status != SessionStatus.CANCELLED,
                   Enrollment.status != EnrollmentStatus.CANCELLED, in_window))
    both = union_all(own, seat).subquery("sessions_of_requests")
    return (select(both.c.request_id.label("request_id"),
                   func.min(both.c.starts_at).label("first_at"))
            .group_by(both.c.request_id))


def days_to_first_session(groups, now: datetime):
    """(gid, request_id, value): days from each request of the window to its first session."""
    firsts = first_sessions(groups, now).subquery("firsts")
    return (select(HelpRequest.group_id.label("gid"), HelpRequest.id.label("request_id"),
                   days_between(firsts.c.first_at, HelpRequest.created_at).label("value"))
            .join(firsts, firsts.c.request_id == HelpRequest.id))


# --- volunteers --------------------------------------------------------------------------
def serving_volunteers(groups):
    """(gid, volunteer_id) for every verified volunteer serving a group of the area."""
    direct = select(VolunteerArea.volunteer_id.label("volunteer_id"),
                    VolunteerArea.group_id.label("gid")).where(
        VolunteerArea.group_id.is_not(None), in_groups(VolunteerArea.group_id, groups))
    through_ward = (select(VolunteerArea.volunteer_id.label("volunteer_id"),
                           Group.id.label("gid"))
                    .join(Group, Group.ward_id == VolunteerArea.ward_id)
                    .where(in_groups(Group.id, groups)))
    served = union(direct, through_ward).subquery("served")
    return (select(served.c.gid.label("gid"), served.c.volunteer_id.label("volunteer_id"))
            .join(VolunteerProfile, VolunteerProfile.id == served.c.volunteer_id)
            .where(verified_volunteer_condition()))


def hours_expression():
    """A volunteer's hours for a session: as recorded, else the session's length."""
    return func.coalesce(SessionVolunteer.hours,
                         days_between(Session.ends_at, Session.starts_at) * 24)


def volunteer_hours_rows(groups, start: datetime, end: datetime):
    """SessionVolunteer rows counted in "volunteer hours" between `start` and `end` (UTC)."""
    return (select(SessionVolunteer, hours_expression().label("counted_hours"))
            .join(Session, Session.id == SessionVolunteer.session_id)
            .where(Session.status == SessionStatus.DONE, Session.starts_at >= start,
                   Session.starts_at < end, in_groups(Session.group_id, groups)))


def volunteer_hours_by_group(groups, start: datetime, end: datetime) -> dict[int, float]:
    stmt = (select(Session.group_id, func.sum(hours_expression()))
            .select_from(SessionVolunteer)
            .join(Session, Session.id == SessionVolunteer.session_id)
            .where(Session.status == SessionStatus.DONE, Session.starts_at >= start,
                   Session.starts_at < end, in_groups(Session.group_id, groups))
            .group_by(Session.group_id))
    return {gid: float(total or 0) for gid, total in db.session.execute(stmt)}


# --- topics ------------------------------------------------------------------------------
def demand_by_topic(groups) -> dict[int, int]:
    stmt = (select(request_topic.c.topic_id, func.count(HelpRequest.id))
            .join(HelpRequest, HelpRequest.id == request_topic.c.request_id)
            .where(HelpRequest.status == RequestStatus.OPEN,
                   in_groups(HelpRequest.group_id, groups))
            .group_by(request_topic.c.topic_id))
    return dict(db.session.execute(stmt).all())


def supply_by_topic(groups) -> dict[int, int]:
    serving = serving_volunteers(groups).subquery("serving")
    stmt = (select(volunteer_topic.c.topic_id,
                   func.count(distinct(volunteer_topic.c.volunteer_id)))
            .where(volunteer_topic.c.volunteer_id.in_(select(serving.c.volunteer_id)))
            .group_by(volunteer_topic.c.topic_id))
    return dict(db.session.execute(stmt).all())


def demand_requests(groups, topic_id: int):
    return open_requests(groups).where(HelpRequest.id.in_(
        select(request_topic.c.request_id).where(request_topic.c.topic_id == topic_id)))


def supply_volunteers(groups, topic_id: int | None = None):
    serving = serving_volunteers(groups).subquery("serving")
    stmt = select(VolunteerProfile).where(VolunteerProfile.id.in_(select(serving.c.volunteer_id)))
    if topic_id is not None:
        stmt = stmt.where(VolunteerProfile.id.in_(
            select(volunteer_topic.c.volunteer_id).where(volunteer_topic.c.topic_id == topic_id)))
    return stmt


# --- weekly activity -----------------------------------------------------------------------
def requests_per_week(groups, start: datetime) -> dict[int, int]:
    week = whole_weeks_since(HelpRequest.created_at, start)
    stmt = (select(week, func.count(HelpRequest.id))
            .where(HelpRequest.created_at >= start, in_groups(HelpRequest.group_id, groups))
            .group_by(week))
    return {int(w): n for w, n in db.session.execute(stmt)}


def sessions_per_week(groups, start: datetime, end: datetime) -> dict[int, int]:
    week = whole_weeks_since(Session.starts_at, start)
    stmt = (select(week, func.count(Session.id))
            .where(Session.starts_at >= start, Session.starts_at < end,
                   Session.status != SessionStatus.CANCELLED,
                   in_groups(Session.group_id, groups))
            .group_by(week))
    return {int(w): n for w, n in db.session.execute(stmt)}
