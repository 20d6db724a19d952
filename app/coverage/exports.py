"""CSV and Excel files of the coverage tables, with Vietnamese headers.

The files hold exactly the numbers of the page: the same rows, the same totals,
shares rounded to one decimal as shown.
"""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from app.coverage.areas import Level
from app.coverage.services import INDICATORS, CoverageTable, Row, TopicBalance


def _target_text(fig) -> str:
    if fig.target is None:
        return ""
    sign = ">" if fig.target.strictly_above else "≥"
    return f"{sign} {fig.target.percent.normalize():f}%"


def _met_text(fig) -> str:
    if fig.met is None:
        return ""
    return _("Đạt") if fig.met else _("Chưa đạt")


def headers(table: CoverageTable) -> list[str]:
    first = {Level.GROUP: _("Tổ dân phố"), Level.WARD: _("Phường / xã")}.get(
        table.row_level, _("Khu vực"))
    columns = [first, _("Phường / xã") if table.row_level == Level.GROUP else _("Quận (nhãn)"),
               _("Số tổ"), _("Người trưởng thành (mẫu số)"), _("Số hộ (mẫu số)"),
               _("Tổ chưa nhập mẫu số"), _("Người dân đã được hỗ trợ")]
    for _indicator, figure, _denominator in INDICATORS:
        label = {"households_basic": _("Hộ có người có kỹ năng số cơ bản"),
                 "adults_basic": _("Người có kỹ năng số cơ bản"),
                 "smartphone": _("Có điện thoại thông minh"),
                 "epayment": _("Có tài khoản thanh toán điện tử")}[figure]
        columns += [label, _("%(name)s — tỉ lệ (%%)", name=label),
                    _("%(name)s — chỉ tiêu", name=label), _("%(name)s — đánh giá", name=label)]
    columns += [_("Yêu cầu đang chờ"), _("Thời gian chờ trung vị (ngày)"),
                _("Chờ lâu nhất (ngày)"), _("Từ yêu cầu đến buổi đầu, trung vị (ngày)"),
                _("Tình nguyện viên phục vụ"), _("Giờ tình nguyện tháng này"),
                _("Tổ chưa được phục vụ")]
    return columns


def _round(value, places=1):
    return None if value is None else round(value, places)


def row_values(row: Row, table: CoverageTable, total: bool = False) -> list:
    second = "" if total else (row.ward_label if table.row_level == Level.GROUP
                               else (row.district or ""))
    values = [row.label if not total else _("Tổng: %(area)s", area=row.label), second,
              row.groups, row.adults if row.has_adults else None,
              row.households if row.has_households else None,
              row.groups_missing_adults, row.reached]
    for _indicator, figure, _denominator in INDICATORS:
        fig = row.indicators[figure]
        values += [fig.count, fig.percent, _target_text(fig), _met_text(fig)]
    values += [row.open_requests, _round(row.median_wait_days), _round(row.oldest_wait_days),
               _round(row.median_days_to_first_session), row.volunteers, row.hours_month,
               row.unserved_groups]
    return values


def table_rows(table: CoverageTable) -> list[list]:
    rows = [headers(table)]
    rows += [row_values(row, table) for row in table.rows]
    rows.append(row_values(table.total, table, total=True))
    return rows


def topic_rows(balances: list[TopicBalance]) -> list[list]:
    rows = [[_("Chủ đề"), _("Yêu cầu đang chờ"), _("Tình nguyện viên dạy chủ đề"),
             _("Thiếu (yêu cầu − tình nguyện viên)")]]
    rows += [[b.topic.name, b.demand, b.supply, b.gap] for b in balances]
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is written as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows the Vietnamese letters right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(sheets: list[tuple[str, list[list], bool]], title: str) -> bytes:
    """One sheet per (name, rows, whether the last row is a total in bold)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    for name, rows, has_total in sheets:
        sheet = workbook.create_sheet(title=name[:31])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if has_total and len(rows) > 1:
            for cell in sheet[len(rows)]:
                cell.font = Font(bold=True)
        for index, _header in enumerate(rows[0] if rows else [], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 16 if index > 1 else 28
        sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
