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

from flask import abort, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import distinct, func, select

from app.clock import local_to_utc, to_local, utcnow
from app.coverage import definitions as d
from app.coverage import progress
from app.extensions import db
from app.models import Group, Indicator, Target, Topic, Ward
from app.permissions import deny


class Level:
    GROUP = "group"
    WARD = "ward"
    DISTRICT = "district"
    ALL = "all"
    MINE = "mine"  # the groups a leader leads


# The indicators with data behind them, in the order they are shown.
INDICATORS = (
    (Indicator.HOUSEHOLDS_BASIC, "households_basic", "households"),
    (Indicator.ADULTS_BASIC, "adults_basic", "adults"),
    (Indicator.SMARTPHONE, "smartphone", "adults"),
    (Indicator.EPAYMENT, "epayment", "adults"),
)

INDICATOR_LABELS = {
    Indicator.HOUSEHOLDS_BASIC: _l("Hộ có người có kỹ năng số cơ bản"),
    Indicator.ADULTS_BASIC: _l("Người trưởng thành có kỹ năng số cơ bản"),
    Indicator.SMARTPHONE: _l("Người trưởng thành có điện thoại thông minh"),
    Indicator.EPAYMENT: _l("Người trưởng thành có tài khoản thanh toán điện tử"),
    Indicator.WORKERS_BASIC: _l("Người lao động có kỹ năng số cơ bản"),
    Indicator.STUDENTS: _l("Học sinh được trang bị kỹ năng số"),
    Indicator.STAFF_BASIC: _l("Cán bộ phường có kỹ năng số cơ bản"),
}

TARGET_SOURCE_LABELS = {
    "group": _l("chỉ tiêu của tổ"),
    "ward": _l("chỉ tiêu của phường"),
    "campaign": _l("chỉ tiêu chung của phong trào"),
}


# --- areas and who may see them ------------------------------------------------------------
@dataclass
class Area:
    """Where the figures are counted: a set of groups, with a name people recognise."""

    level: str
    key: int | str | None
    label: str
    groups: object  # a select of group ids, or None for every group
    ward: Ward | None = None
    group: Group | None = None

    @property
    def args(self) -> dict:
        return {"level": self.level, "key": self.key} if self.key is not None else {
            "level": self.level}

    @property
    def ward_id(self) -> int | None:
        if self.ward is not None:
            return self.ward.id
        return self.group.ward_id if self.group is not None else None

    @property
    def row_level(self) -> str:
        """What one row of this area's table is."""
        return {Level.WARD: Level.GROUP, Level.MINE: Level.GROUP, Level.GROUP: Level.GROUP,
                Level.DISTRICT: Level.WARD, Level.ALL: Level.WARD}[self.level]


def get_area_for(user, level: str | None, key: str | int | None) -> Area:
    """The one loader of coverage areas: 404 when unknown, 403 when out of the user's scope."""
    if level == Level.GROUP:
        group = db.session.get(Group, _int_or_404(key))
        if group is None:
            abort(404)
        if not user.can_manage_group(group):
            deny("coverage: group out of scope")
        return Area(level, group.id, group.label, select(Group.id).where(Group.id == group.id),
                    ward=None, group=group)
    if level == Level.WARD:
        ward = db.session.get(Ward, _int_or_404(key))
        if ward is None:
            abort(404)
        if not user.can_manage_ward(ward):
            deny("coverage: ward out of scope")
        return Area(level, ward.id, ward.name, select(Group.id).where(Group.ward_id == ward.id),
                    ward=ward)
    if level == Level.DISTRICT:
        label = str(key or "").strip()
        if not label or db.session.scalar(select(Ward.id).where(Ward.district == label)
                                          .limit(1)) is None:
            abort(404)
        wards = select(Ward.id).where(Ward.district == label)
        if not user.is_admin:
            if not (user.official_ward_ids() & set(db.session.scalars(wards))):
                deny("coverage: district out of scope")
            wards = wards.where(Ward.id.in_(user.official_ward_ids()))
        return Area(level, label, label, select(Group.id).where(Group.ward_id.in_(wards)))
    if level == Level.ALL:
        if not user.is_admin:
            deny("coverage: whole installation")
        return Area(level, None, _("Toàn hệ thống"), None)
    if level == Level.MINE:
        led = user.led_group_ids()
        if not led:
            deny("coverage: leads no group")
        return Area(level, None, _("Các tổ tôi phụ trách"),
                    select(Group.id).where(Group.id.in_(led)))
    abort(404)


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        abort(404)


# --- figures -------------------------------------------------------------------------------
@dataclass
class TargetValue:
    percent: Decimal
    strictly_above: bool
    source: str  # group, ward or campaign

    @property
    def source_label(self) -> str:
        return str(TARGET_SOURCE_LABELS[self.source])


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
        return str(INDICATOR_LABELS[self.indicator])

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


def _targets() -> dict[tuple, Target]:
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
    targets = _targets()

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


# --- the lists behind the figures ------------------------------------------------------------
@dataclass(frozen=True)
class FigureDef:
    key: str
    kind: str  # resident, household, request, volunteer, hours, group
    label: object
    explanation: object
    needs_topic: bool = False


FIGURES = {f.key: f for f in (
    FigureDef("denominators", "group", _l("Mẫu số do tổ trưởng nhập"),
              _l("Số người trưởng thành và số hộ của mỗi tổ, do tổ trưởng nhập kèm ngày đếm. "
                 "Tổ chưa nhập không được tính vào tỉ lệ.")),
    FigureDef("reached", "resident", _l("Người dân đã được hỗ trợ"),
              _l("Người dân của tổ đã có mặt ở ít nhất một buổi hỗ trợ hoặc lớp học.")),
    FigureDef("households_basic", "household", INDICATOR_LABELS[Indicator.HOUSEHOLDS_BASIC],
              _l("Hộ gia đình có ít nhất một thành viên đã hoàn thành mọi chủ đề kỹ năng số cơ "
                 "bản. Người dân chưa gắn với hộ nào không được tính.")),
    FigureDef("adults_basic", "resident", INDICATOR_LABELS[Indicator.ADULTS_BASIC],
              _l("Người từ 18 tuổi (hoặc chưa rõ năm sinh) đã đạt mọi kỹ năng của mọi chủ đề "
                 "cơ bản trong danh mục.")),
    FigureDef("smartphone", "resident", INDICATOR_LABELS[Indicator.SMARTPHONE],
              _l("Người trưởng thành được rà soát là có điện thoại thông minh, hoặc đã hoàn "
                 "thành chủ đề “Dùng điện thoại thông minh cơ bản”.")),
    FigureDef("epayment", "resident", INDICATOR_LABELS[Indicator.EPAYMENT],
              _l("Người trưởng thành được rà soát là có tài khoản thanh toán điện tử, hoặc đã "
                 "hoàn thành chủ đề “Ngân hàng số và thanh toán QR”.")),
    FigureDef("open_requests", "request", _l("Yêu cầu đang chờ"),
              _l("Yêu cầu chưa có tình nguyện viên nhận, xếp từ yêu cầu chờ lâu nhất. Thời gian "
                 "chờ tính từ lúc gửi yêu cầu đến nay.")),
    FigureDef("first_session", "first_session", _l("Số ngày từ yêu cầu đến buổi đầu tiên"),
              _l("Yêu cầu gửi trong 90 ngày qua đã có buổi hỗ trợ hoặc lớp học (không bị hủy): "
                 "số ngày từ lúc gửi đến buổi đầu tiên.")),
    FigureDef("hours", "hours", _l("Giờ tình nguyện tháng này"),
              _l("Giờ ghi nhận cho tình nguyện viên ở các buổi đã hoàn thành trong tháng này; "
                 "nếu chưa ghi giờ thì tính theo độ dài buổi.")),
    FigureDef("volunteers", "volunteer", _l("Tình nguyện viên phục vụ"),
              _l("Tình nguyện viên đã được xác minh, phục vụ tổ này hoặc cả phường.")),
    FigureDef("unserved", "group", _l("Tổ chưa được phục vụ"),
              _l("Tổ chưa có tình nguyện viên nào, hoặc có yêu cầu chờ quá số ngày quy định.")),
    FigureDef("demand", "request", _l("Yêu cầu đang chờ theo chủ đề"),
              _l("Yêu cầu đang chờ có chọn chủ đề này."), needs_topic=True),
    FigureDef("supply", "volunteer", _l("Tình nguyện viên dạy chủ đề"),
              _l("Tình nguyện viên đã xác minh, phục vụ khu vực và dạy chủ đề này."),
              needs_topic=True),
)}


def figure_statement(area: Area, figure: FigureDef, now: datetime, topic_id: int | None = None):
    """The statement whose rows are behind a figure, and whether to page scalars."""
    from sqlalchemy.orm import joinedload, selectinload

    from app.models import (HelpRequest, Household, Resident, Session, SessionVolunteer,
                            VolunteerProfile)

    groups = area.groups
    request_options = (joinedload(HelpRequest.resident).joinedload(Resident.group),
                       joinedload(HelpRequest.group), selectinload(HelpRequest.topics))
    if figure.kind == "resident":
        stmt = d.ResidentFigures(groups, to_local(now).date()).residents(figure.key)
        return stmt.options(joinedload(Resident.group)), True
    if figure.kind == "household":
        stmt = d.ResidentFigures(groups, to_local(now).date()).households()
        return stmt.options(joinedload(Household.group)), True
    if figure.key == "open_requests":
        return (d.open_requests(groups).options(*request_options)
                .order_by(HelpRequest.created_at, HelpRequest.id)), True
    if figure.key == "demand":
        return (d.demand_requests(groups, topic_id).options(*request_options)
                .order_by(HelpRequest.created_at, HelpRequest.id)), True
    if figure.key == "first_session":
        firsts = d.first_sessions(groups, now).subquery("firsts")
        stmt = (select(HelpRequest, firsts.c.first_at,
                       d.days_between(firsts.c.first_at, HelpRequest.created_at).label("days"))
                .join(firsts, firsts.c.request_id == HelpRequest.id)
                .options(*request_options)
                .order_by(HelpRequest.created_at.desc(), HelpRequest.id))
        return stmt, False
    if figure.key == "hours":
        start, end = month_bounds(now)
        stmt = (d.volunteer_hours_rows(groups, start, end)
                .options(joinedload(SessionVolunteer.session).joinedload(Session.group),
                         joinedload(SessionVolunteer.volunteer).joinedload(
                             VolunteerProfile.user))
                .order_by(Session.starts_at, SessionVolunteer.id))
        return stmt, False
    if figure.kind == "volunteer":
        stmt = d.supply_volunteers(groups, topic_id if figure.needs_topic else None)
        return (stmt.options(joinedload(VolunteerProfile.user),
                             selectinload(VolunteerProfile.topics))
                .order_by(VolunteerProfile.id)), True
    if figure.key == "denominators":
        return (select(Group).where(d.in_groups(Group.id, groups))
                .options(joinedload(Group.ward))
                .order_by(Group.ward_id, Group.position, Group.id)), True
    raise ValueError(figure.key)


class _RowPagination(SelectPagination):
    """Pages of rows (an entity with computed columns) rather than of entities."""

    def _query_items(self) -> list:
        select_ = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select_))


def paginate(stmt, page: int, per_page: int, scalars: bool = True):
    """A page of the rows behind a figure; `total` is the figure itself."""
    cls = SelectPagination if scalars else _RowPagination
    return cls(select=stmt, session=db.session(), page=page, per_page=per_page,
               max_per_page=per_page, error_out=False, count=True)


def hours_total(area: Area, now: datetime) -> float:
    start, end = month_bounds(now)
    rows = d.volunteer_hours_rows(area.groups, start, end).subquery()
    return round(float(db.session.scalar(select(func.sum(rows.c.counted_hours))) or 0), 2)


def unserved_group_rows(area: Area, now: datetime) -> list[Row]:
    """The area's unserved groups, with the reason for each."""
    # The same groups, one row each (whatever the area's own rows are).
    group_area = Area(Level.MINE, None, area.label, area.groups, area.ward, area.group)
    table = build_table(group_area, now)
    return [row for row in table.rows if row.unserved]


def local_day_start(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time()))



# --- edits: denominators, targets, the core topics ---------------------------------------------
def update_denominators(group: Group, adults: int | None, households: int | None,
                        counted_on: date | None) -> None:
    """The leader's own count of the group's adults and households, with its date."""
    group.adults_count = adults
    group.households_count = households
    group.denominators_on = counted_on if (adults is not None or households is not None) \
        else None


@dataclass
class TargetScope:
    """Whose targets are edited: the campaign's (no ward, no group), a ward's or a group's."""

    level: str
    key: int | None
    label: str
    ward: Ward | None = None
    group: Group | None = None

    @property
    def ward_id(self) -> int | None:
        return self.ward.id if self.ward is not None else None

    @property
    def group_id(self) -> int | None:
        return self.group.id if self.group is not None else None

    @property
    def args(self) -> dict:
        return {"level": self.level, "key": self.key} if self.key is not None else {
            "level": self.level}


def get_target_scope_for(user, level: str | None, key) -> TargetScope:
    """Officials set their ward's and its groups' targets; administrators any, and the
    campaign's defaults. Leaders see their targets but do not set them."""
    if level == Level.GROUP:
        group = db.session.get(Group, _int_or_404(key))
        if group is None:
            abort(404)
        if not user.can_manage_ward(group.ward):
            deny("targets: group out of scope")
        return TargetScope(level, group.id, group.label, ward=None, group=group)
    if level == Level.WARD:
        ward = db.session.get(Ward, _int_or_404(key))
        if ward is None:
            abort(404)
        if not user.can_manage_ward(ward):
            deny("targets: ward out of scope")
        return TargetScope(level, ward.id, ward.name, ward=ward)
    if level in (Level.ALL, None):
        if not user.is_admin:
            deny("targets: campaign defaults")
        return TargetScope(Level.ALL, None, _("Mặc định của phong trào"))
    abort(404)


def targets_of(scope: TargetScope) -> dict[Indicator, Target]:
    stmt = select(Target).where(Target.ward_id.is_(None) if scope.ward_id is None
                                else Target.ward_id == scope.ward_id,
                                Target.group_id.is_(None) if scope.group_id is None
                                else Target.group_id == scope.group_id)
    return {t.indicator: t for t in db.session.scalars(stmt)}


def inherited_targets(scope: TargetScope) -> dict[Indicator, TargetValue | None]:
    """What applies when this scope sets nothing: the ward's, else the campaign's."""
    targets = _targets()
    ward_id = scope.group.ward_id if scope.group is not None else None
    return {indicator: (resolve_target(targets, indicator, ward_id=ward_id)
                        if scope.level != Level.ALL else None)
            for indicator, _f, _dn in INDICATORS}


def save_targets(scope: TargetScope, values: dict[Indicator, tuple[Decimal | None, bool]]
                 ) -> None:
    """Set, change or remove (percent None) this scope's own target per indicator."""
    existing = targets_of(scope)
    for indicator, (percent, strict) in values.items():
        target = existing.get(indicator)
        if percent is None:
            if target is not None:
                db.session.delete(target)
            continue
        if target is None:
            target = Target(indicator=indicator, ward_id=scope.ward_id, group_id=scope.group_id)
            db.session.add(target)
        target.percent = percent
        target.strictly_above = strict


def set_core_topics(topic_ids: set[int]) -> None:
    """Flag exactly these topics as the core of "basic digital skills"."""
    from sqlalchemy import update

    db.session.execute(update(Topic).where(Topic.id.in_(topic_ids)).values(core=True))
    db.session.execute(update(Topic).where(Topic.id.not_in(topic_ids or {-1})).values(core=False))
    progress.rebuild(db.session.connection())  # what "basic digital skills" means changed


def core_topics() -> list[Topic]:
    """The required core topics, as coverage counts them."""
    return list(db.session.scalars(select(Topic).where(Topic.id.in_(d.required_core_topic_ids()))
                                   .order_by(Topic.position, Topic.id)))


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
    from app.models import (Enrollment, HelpRequest, Outcome, Resident, Session,
                            SessionStatus)

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
        select(Resident.group_id, func.count(Outcome.id),
               func.count(distinct(Enrollment.resident_id)))
        .select_from(Outcome)
        .join(Enrollment, Enrollment.id == Outcome.enrollment_id)
        .join(Session, Session.id == Enrollment.session_id)
        .join(Resident, Resident.id == Enrollment.resident_id)
        .where(Outcome.attended.is_(True), Session.starts_at >= start, Session.starts_at < end,
               d.in_groups(Resident.group_id, groups))
        .group_by(Resident.group_id))}
    firsts = (select(Enrollment.resident_id.label("resident_id"),
                     func.min(Session.starts_at).label("first_at"))
              .select_from(Outcome)
              .join(Enrollment, Enrollment.id == Outcome.enrollment_id)
              .join(Session, Session.id == Enrollment.session_id)
              .join(Resident, Resident.id == Enrollment.resident_id)
              .where(Outcome.attended.is_(True), d.in_groups(Resident.group_id, groups))
              .group_by(Enrollment.resident_id)).subquery("firsts")
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
