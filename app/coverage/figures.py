"""The lists behind each figure of the coverage table: one statement per figure, paginated."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import func, select

from app.clock import local_to_utc, to_local
from app.coverage import definitions as d
from app.extensions import db
from app.labels import INDICATOR_LABELS
from app.models import Group, Indicator
from app.coverage.areas import Area, Level
from app.coverage.services import Row, build_table, month_bounds


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
