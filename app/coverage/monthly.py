"""The monthly report: what happened in an area month by month."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import distinct, func, select

from app.clock import to_local, utcnow
from app.coverage import definitions as d
from app.extensions import db
from app.coverage.areas import Area
from app.coverage.figures import local_day_start
from app.models import Enrollment, Group, HelpRequest, Outcome, Resident, Session, SessionStatus


# --- the monthly report ----------------------------------------------------------------------
@dataclass
class MonthActivity:
    label: str
    requests: int = 0
    follow_ups: int = 0
    sessions_done: int = 0
    attendances: int = 0
    residents_helped: int = 0
    newly_reached: int = 0
    hours: float = 0.0

    FIELDS = ("requests", "follow_ups", "sessions_done", "attendances", "residents_helped",
              "newly_reached", "hours")


def parse_month(text: str | None, now: datetime | None = None) -> date:
    """"2026-05" -> 1 May 2026; empty -> this month (Vietnam time). ValueError otherwise."""
    if not text:
        return to_local(now or utcnow()).date().replace(day=1)
    year, _sep, month = text.partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
        raise ValueError(text)
    if not 2000 <= int(year) <= 2100:
        raise ValueError(text)
    return date(int(year), int(month), 1)


def month_range(first: date) -> tuple[datetime, datetime]:
    following = (first + timedelta(days=32)).replace(day=1)
    return local_day_start(first), local_day_start(following)


def monthly_activity(area: Area, first: date) -> tuple[list[MonthActivity], MonthActivity]:
    """What happened in the area's groups during one calendar month (Vietnam time)."""
    start, end = month_range(first)
    groups = area.groups
    infos = db.session.execute(
        select(Group.id, Group.name).where(d.in_groups(Group.id, groups))
        .order_by(Group.ward_id, Group.position, Group.id)).all()
    requests = dict(db.session.execute(
        select(HelpRequest.group_id, func.count(HelpRequest.id))
        .where(HelpRequest.created_at >= start, HelpRequest.created_at < end,
               d.in_groups(HelpRequest.group_id, groups)).group_by(HelpRequest.group_id)).all())
    follow_ups = dict(db.session.execute(
        select(HelpRequest.group_id, func.count(HelpRequest.id))
        .where(HelpRequest.follow_up_of_id.is_not(None), HelpRequest.created_at >= start,
               HelpRequest.created_at < end, d.in_groups(HelpRequest.group_id, groups))
        .group_by(HelpRequest.group_id)).all())
    sessions = dict(db.session.execute(
        select(Session.group_id, func.count(Session.id))
        .where(Session.status == SessionStatus.DONE, Session.starts_at >= start,
               Session.starts_at < end, d.in_groups(Session.group_id, groups))
        .group_by(Session.group_id)).all())
    attendance = {gid: (n, people) for gid, n, people in db.session.execute(
        d.attendances(Resident.group_id, func.count(Outcome.id),
                      func.count(distinct(Enrollment.resident_id)), groups=groups)
        .where(Session.starts_at >= start, Session.starts_at < end)
        .group_by(Resident.group_id))}
    firsts = d.first_reached(groups).subquery("firsts")
    newly = dict(db.session.execute(
        select(Resident.group_id, func.count(Resident.id))
        .join(firsts, firsts.c.resident_id == Resident.id)
        .where(firsts.c.first_at >= start, firsts.c.first_at < end)
        .group_by(Resident.group_id)).all())
    hours = d.volunteer_hours_by_group(groups, start, end)

    rows, total = [], MonthActivity(area.label)
    for gid, name in infos:
        n, people = attendance.get(gid, (0, 0))
        row = MonthActivity(name, requests.get(gid, 0), follow_ups.get(gid, 0),
                            sessions.get(gid, 0), n, people, newly.get(gid, 0),
                            round(hours.get(gid, 0.0), 2))
        rows.append(row)
        for name_ in MonthActivity.FIELDS:
            setattr(total, name_, getattr(total, name_) + getattr(row, name_))
    total.hours = round(total.hours, 2)
    return rows, total
