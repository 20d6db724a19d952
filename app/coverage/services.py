"""Coverage of an area against its targets: tables, roll-ups, the lists behind each figure.

Every page asks for a fixed number of aggregate queries (GROUP BY in SQL), however
many groups the area holds. Counts that add up (residents, households, requests,
hours) are computed per group and summed into wards, districts and the whole
installation, so a roll-up always equals the sum of its groups. Figures that do
not add up (medians, distinct volunteers) are computed at each level by SQL.
The definitions themselves live in `app.coverage.definitions`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from statistics import median

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from app.clock import local_to_utc, to_local, utcnow
from app.coverage import definitions as d
from app.extensions import db
from app.labels import label
from app.models import Group, Indicator, Target, Topic, Ward
from app.coverage.areas import Area, Level


# The indicators with data behind them, in the order they are shown.
INDICATORS = (
    (Indicator.HOUSEHOLDS_BASIC, "households_basic", "households"),
    (Indicator.ADULTS_BASIC, "adults_basic", "adults"),
    (Indicator.SMARTPHONE, "smartphone", "adults"),
    (Indicator.EPAYMENT, "epayment", "adults"),
)


# --- figures -------------------------------------------------------------------------------
@dataclass
class TargetValue:
    percent: Decimal
    strictly_above: bool
    source: str  # group, ward or campaign

    @property
    def source_label(self) -> str:
        return label(self.source, "target_source")


@dataclass
class IndicatorFigure:
    indicator: Indicator
    figure: str
    count: int = 0          # over every group of the row
    numerator: int = 0      # over the groups with a denominator
    denominator: int | None = None
    target: TargetValue | None = None

    @property
    def label(self) -> str:
        return label(self.indicator)

    @property
    def share(self) -> Fraction | None:
        if not self.denominator:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def percent(self) -> float | None:
        share = self.share
        return None if share is None else round(float(share * 100), 1)

    @property
    def met(self) -> bool | None:
        share, target = self.share, self.target
        if share is None or target is None:
            return None
        value, goal = share * 100, Fraction(target.percent)
        return value > goal if target.strictly_above else value >= goal


@dataclass
class Row:
    level: str
    key: int | str | None
    label: str
    ward_id: int | None = None
    ward_label: str | None = None
    district: str | None = None
    groups: int = 0
    adults: int = 0
    households: int = 0
    groups_missing_adults: int = 0
    groups_missing_households: int = 0
    denominators_on: date | None = None
    reached: int = 0
    indicators: dict[str, IndicatorFigure] = field(default_factory=dict)
    open_requests: int = 0
    oldest_open_at: datetime | None = None
    oldest_wait_days: float | None = None
    median_wait_days: float | None = None
    median_days_to_first_session: float | None = None
    first_session_requests: int = 0
    volunteers: int = 0
    hours_month: float = 0.0
    unserved_groups: int = 0
    no_volunteer: bool = False
    waiting_too_long: bool = False

    @property
    def args(self) -> dict:
        return {"level": self.level, "key": self.key} if self.key is not None else {
            "level": self.level}

    @property
    def unserved(self) -> bool:
        return self.unserved_groups > 0

    @property
    def has_adults(self) -> bool:
        return self.groups_missing_adults < self.groups

    @property
    def has_households(self) -> bool:
        return self.groups_missing_households < self.groups

    def sort_key(self):
        """Worst first: unserved first, then the lowest share of adults with basic skills."""
        share = self.indicators["adults_basic"].share
        return (not self.unserved, -1 if share is None else share, self.label)


@dataclass
class CoverageTable:
    area: Area
    rows: list[Row]
    total: Row
    now: datetime
    month_start: datetime
    unserved_wait_days: int

    @property
    def row_level(self) -> str:
        return self.area.row_level


def unserved_wait_days() -> int:
    return int(current_app.config.get("UNSERVED_WAIT_DAYS", d.DEFAULT_UNSERVED_WAIT_DAYS))


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The current calendar month in Vietnam time, as UTC bounds [start, end)."""
    local = to_local(now).date()
    first = local.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (local_to_utc(datetime.combine(first, time())),
            local_to_utc(datetime.combine(following, time())))


def _values_by_row(values, row_of_group: dict) -> dict:
    """The values of a figure (a statement of gid, value) grouped by the row each group
    belongs to, and all of them under "all": the medians are taken from these lists."""
    grouped: dict = {"all": []}
    for gid, value in db.session.execute(select(values.c.gid, values.c.value)):
        grouped.setdefault(row_of_group[gid], []).append(float(value))
        grouped["all"].append(float(value))
    return grouped


def _key_column(level: str):
    return {Level.GROUP: Group.id, Level.WARD: Group.ward_id,
            Level.DISTRICT: Ward.district}.get(level)


def _volunteers_by(groups, level: str) -> dict:
    served = d.serving_volunteers(groups).subquery("serving")
    key = _key_column(level)
    count = func.count(distinct(served.c.volunteer_id))
    if key is None:
        return {"all": db.session.scalar(select(count).select_from(served)) or 0}
    stmt = select(key, count).select_from(served).join(Group, Group.id == served.c.gid)
    if level == Level.DISTRICT:
        stmt = stmt.join(Ward, Ward.id == Group.ward_id)
    return dict(db.session.execute(stmt.group_by(key)).all())


def targets_by_area() -> dict[tuple, Target]:
    wanted = [indicator for indicator, _f, _dn in INDICATORS]
    return {(t.indicator, t.ward_id, t.group_id): t
            for t in db.session.scalars(select(Target).where(Target.indicator.in_(wanted)))}


def resolve_target(targets: dict, indicator: Indicator, *, group_id: int | None = None,
                   ward_id: int | None = None) -> TargetValue | None:
    """The group's own target, else its ward's, else the campaign default."""
    candidates = []
    if group_id is not None:
        candidates.append(((indicator, None, group_id), "group"))
    if ward_id is not None:
        candidates.append(((indicator, ward_id, None), "ward"))
    candidates.append(((indicator, None, None), "campaign"))
    for lookup, source in candidates:
        target = targets.get(lookup)
        if target is not None:
            return TargetValue(Decimal(target.percent), target.strictly_above, source)
    return None


def _key_of(level: str, info) -> tuple:
    if level == Level.GROUP:
        return info.id, f"{info.name}"
    if level == Level.WARD:
        return info.ward_id, info.ward_name
    if level == Level.DISTRICT:
        return info.district, info.district or _("Chưa có quận")
    return None, ""


def build_table(area: Area, now: datetime | None = None) -> CoverageTable:
    """Every indicator for each row of the area (groups or wards) and for the area itself."""
    now = now or utcnow()
    today = to_local(now).date()
    month_start, month_end = month_bounds(now)
    wait_limit = unserved_wait_days()
    groups = area.groups

    group_infos = db.session.execute(
        select(Group.id, Group.name, Group.ward_id, Group.adults_count, Group.households_count,
               Group.denominators_on, Ward.name.label("ward_name"), Ward.district)
        .join(Ward, Ward.id == Group.ward_id)
        .where(d.in_groups(Group.id, groups))
        .order_by(Ward.name, Group.position, Group.id)).all()
    residents = d.ResidentFigures(groups, today).count_by_group()
    requests = d.open_requests_by_group(groups)
    hours = d.volunteer_hours_by_group(groups, month_start, month_end)
    volunteers_by_group = _volunteers_by(groups, Level.GROUP)
    targets = targets_by_area()

    row_level = area.row_level
    rows: dict = {}
    total = Row(area.level, area.key, area.label, ward_id=area.ward_id)
    for info in group_infos:
        key, label = _key_of(row_level, info)
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(row_level, key, label, ward_id=info.ward_id,
                                  ward_label=info.ward_name, district=info.district)
            if row_level == Level.GROUP:
                row.denominators_on = info.denominators_on
        oldest = requests.get(info.id, (0, None))[1]
        no_volunteer = volunteers_by_group.get(info.id, 0) == 0
        waiting_too_long = oldest is not None and (now - oldest) > timedelta(days=wait_limit)
        for target_row in (row, total):
            _add_group(target_row, info, residents.get(info.id, {}),
                       requests.get(info.id, (0, None)), hours.get(info.id, 0.0),
                       no_volunteer or waiting_too_long)
        if row_level == Level.GROUP:
            row.no_volunteer, row.waiting_too_long = no_volunteer, waiting_too_long

    # Figures that do not add up: medians over each row's values and over all of them
    # (one query each), distinct volunteers for the rows' level and for the area.
    row_of_group = {info.id: _key_of(row_level, info)[0] for info in group_infos}
    waits = _values_by_row(d.open_request_waits(groups, now).subquery("waits"), row_of_group)
    firsts = _values_by_row(d.days_to_first_session(groups, now).subquery("firsts"),
                            row_of_group)
    for level, keyed in ((row_level, rows), (Level.ALL, {"all": total})):
        volunteers = volunteers_by_group if level == Level.GROUP else _volunteers_by(groups, level)
        for key, row in keyed.items():
            row.median_wait_days = median(waits[key]) if waits.get(key) else None
            row.first_session_requests = len(firsts.get(key, ()))
            row.median_days_to_first_session = median(firsts[key]) if firsts.get(key) else None
            row.volunteers = volunteers.get(key, 0)

    for row in [*rows.values(), total]:
        if row.oldest_open_at is not None:
            row.oldest_wait_days = round((now - row.oldest_open_at).total_seconds() / 86400, 1)
        row.hours_month = round(row.hours_month, 2)
        if row is total or row_level != Level.GROUP:
            row.no_volunteer = row.volunteers == 0
            row.waiting_too_long = row.oldest_open_at is not None and (
                now - row.oldest_open_at) > timedelta(days=wait_limit)
        _attach_targets(row, targets)
    ordered = sorted(rows.values(), key=Row.sort_key)
    return CoverageTable(area, ordered, total, now, month_start, wait_limit)


def _add_group(row: Row, info, residents: dict, requests: tuple, hours: float,
               unserved: bool) -> None:
    row.groups += 1
    has_adults = info.adults_count is not None
    has_households = info.households_count is not None
    row.adults += info.adults_count or 0
    row.households += info.households_count or 0
    row.groups_missing_adults += 0 if has_adults else 1
    row.groups_missing_households += 0 if has_households else 1
    row.reached += residents.get("reached", 0)
    for indicator, figure, denominator in INDICATORS:
        fig = row.indicators.setdefault(figure, IndicatorFigure(indicator, figure))
        value = residents.get(figure, 0)
        fig.count += value
        if has_adults if denominator == "adults" else has_households:
            fig.numerator += value
    count, oldest = requests
    row.open_requests += count
    if oldest is not None and (row.oldest_open_at is None or oldest < row.oldest_open_at):
        row.oldest_open_at = oldest
    row.hours_month += hours
    row.unserved_groups += 1 if unserved else 0


def _attach_targets(row: Row, targets: dict) -> None:
    if row.level == Level.GROUP:
        group_id, ward_id = row.key, row.ward_id
    elif row.level == Level.WARD:
        group_id, ward_id = None, row.key
    else:
        group_id = ward_id = None
    for indicator, figure, denominator in INDICATORS:
        fig = row.indicators.setdefault(figure, IndicatorFigure(indicator, figure))
        present = row.has_adults if denominator == "adults" else row.has_households
        fig.denominator = (row.adults if denominator == "adults" else row.households
                           ) if present else None
        fig.target = resolve_target(targets, indicator, group_id=group_id, ward_id=ward_id)


# --- topics and weeks ----------------------------------------------------------------------
@dataclass
class TopicBalance:
    topic: Topic
    demand: int
    supply: int

    @property
    def gap(self) -> int:
        return self.demand - self.supply


def topic_balance(area: Area) -> list[TopicBalance]:
    """Open requests against serving volunteers per topic, biggest shortfall first."""
    demand = d.demand_by_topic(area.groups)
    supply = d.supply_by_topic(area.groups)
    topics = db.session.scalars(select(Topic).where(Topic.active.is_(True))
                                .order_by(Topic.position, Topic.id))
    balances = [TopicBalance(t, demand.get(t.id, 0), supply.get(t.id, 0)) for t in topics]
    return sorted(balances, key=lambda b: (-b.gap, -b.demand, b.topic.position))


@dataclass
class WeekActivity:
    start: date
    requests: int
    sessions: int


WEEKS_SHOWN = 12


def weekly_activity(area: Area, now: datetime | None = None,
                    weeks: int = WEEKS_SHOWN) -> list[WeekActivity]:
    """Requests received and sessions held (not cancelled) per week, Monday to Sunday."""
    now = now or utcnow()
    today = to_local(now).date()
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    start = local_to_utc(datetime.combine(first_monday, time()))
    end = local_to_utc(datetime.combine(first_monday + timedelta(weeks=weeks), time()))
    requests = d.requests_per_week(area.groups, start)
    sessions = d.sessions_per_week(area.groups, start, end)
    return [WeekActivity(first_monday + timedelta(weeks=i), requests.get(i, 0),
                         sessions.get(i, 0)) for i in range(weeks)]
