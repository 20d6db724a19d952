"""Every enum value and coded word as people read it: the one home of labels.

`label(value)` finds the table by the value's enum type; values that are plain strings
(message kinds, audit actions, notification channels, export values, target sources)
or that have a second wording (a session's place) name their table:
`label(value, "message_kind")`. Templates use the same function as the `label` filter:
`{{ r.status|label }}`, `{{ s.place|label("session_place") }}`.

Enums without a table here (roles, session kinds, seat statuses, volunteer roles, reply
answers, competence areas) are never shown to people as such; `label` gives their value.
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from app.models import (ConsentMethod, Gender, Indicator, NoShowStatus, NotifyChannel,
                        OutboxStatus, Place, RequestStatus, SessionStatus, VolunteerKind)

# --- enums --------------------------------------------------------------------------------
REQUEST_STATUS_LABELS = {
    RequestStatus.OPEN: _l("Đang chờ tình nguyện viên"),
    RequestStatus.ASSIGNED: _l("Đã có tình nguyện viên nhận"),
    RequestStatus.SCHEDULED: _l("Đã hẹn lịch"),
    RequestStatus.DONE: _l("Đã hoàn thành"),
    RequestStatus.CANCELLED: _l("Đã hủy"),
}
# Where a resident wants help, as a request names it.
PLACE_LABELS = {
    Place.HOME: _l("Tại nhà"),
    Place.COMMUNITY_HOUSE: _l("Tại nhà văn hóa"),
    Place.REMOTE: _l("Qua điện thoại / gọi video"),
    Place.OTHER: _l("Nơi khác"),
}
# Where a session takes place, as a session names it.
SESSION_PLACE_LABELS = {
    Place.HOME: _l("Tại nhà người dân"),
    Place.COMMUNITY_HOUSE: _l("Nhà văn hóa"),
    Place.REMOTE: _l("Qua điện thoại / gọi video"),
    Place.OTHER: _l("Địa điểm khác"),
}
SESSION_STATUS_LABELS = {
    SessionStatus.PROPOSED: _l("Chờ xác nhận"),
    SessionStatus.CONFIRMED: _l("Đã xác nhận"),
    SessionStatus.CANCELLED: _l("Đã hủy"),
    SessionStatus.DONE: _l("Đã diễn ra"),
}
NO_SHOW_LABELS = {
    NoShowStatus.RECORDED: _l("Ghi nhận vắng mặt"),
    NoShowStatus.CONTESTED: _l("Đang khiếu nại, chờ tổ trưởng xem xét"),
    NoShowStatus.UPHELD: _l("Tổ trưởng giữ ghi nhận"),
    NoShowStatus.WITHDRAWN: _l("Đã hủy ghi nhận"),
}
CONSENT_METHOD_LABELS = {
    ConsentMethod.ONLINE: _l("tự đánh dấu trên biểu mẫu"),
    ConsentMethod.IN_PERSON: _l("trực tiếp"),
    ConsentMethod.PHONE: _l("qua điện thoại"),
}
# How to address a resident (the form's "Xưng hô").
GENDER_LABELS = {
    Gender.FEMALE: _l("Bà / cô / chị"),
    Gender.MALE: _l("Ông / chú / anh"),
    Gender.OTHER: _l("Khác"),
}
VOLUNTEER_KIND_LABELS = {
    VolunteerKind.YOUTH_UNION: _l("Đoàn viên thanh niên"),
    VolunteerKind.TEACHER: _l("Giáo viên"),
    VolunteerKind.STUDENT: _l("Học sinh / sinh viên"),
    VolunteerKind.BUSINESS: _l("Nhân viên doanh nghiệp"),
    VolunteerKind.OTHER: _l("Khác"),
}
OUTBOX_STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Đang chờ gửi"),
    OutboxStatus.SENDING: _l("Đang gửi"),
    OutboxStatus.SENT: _l("Đã gửi"),
    OutboxStatus.HELD: _l("Chờ tin tổng hợp"),
    OutboxStatus.FAILED: _l("Gửi không được"),
    OutboxStatus.SKIPPED: _l("Không gửi"),
}
# Keyed by the enum; a channel stored as a plain string ("sms") finds its label too.
CHANNEL_LABELS = {
    NotifyChannel.SMS: _l("Tin nhắn SMS"),
    NotifyChannel.ZALO: _l("Zalo"),
    NotifyChannel.EMAIL: _l("Thư điện tử"),
    NotifyChannel.IN_APP: _l("Trong ứng dụng"),
}
INDICATOR_LABELS = {
    Indicator.HOUSEHOLDS_BASIC: _l("Hộ có người có kỹ năng số cơ bản"),
    Indicator.ADULTS_BASIC: _l("Người trưởng thành có kỹ năng số cơ bản"),
    Indicator.SMARTPHONE: _l("Người trưởng thành có điện thoại thông minh"),
    Indicator.EPAYMENT: _l("Người trưởng thành có tài khoản thanh toán điện tử"),
    Indicator.WORKERS_BASIC: _l("Người lao động có kỹ năng số cơ bản"),
    Indicator.STUDENTS: _l("Học sinh được trang bị kỹ năng số"),
    Indicator.STAFF_BASIC: _l("Cán bộ phường có kỹ năng số cơ bản"),
}

# --- coded words that are plain strings -------------------------------------------------
# The kinds of message (app.notify.outbox.KINDS).
MESSAGE_KIND_LABELS = {
    "request_received": _l("Đã nhận yêu cầu"),
    "request_new_in_group": _l("Yêu cầu mới trong tổ"),
    "volunteer_assigned": _l("Đã có tình nguyện viên"),
    "request_returned": _l("Tình nguyện viên trả lại yêu cầu"),
    "session_proposed": _l("Đề xuất buổi hỗ trợ"),
    "session_confirmed": _l("Buổi hỗ trợ đã xác nhận"),
    "session_rescheduled": _l("Buổi hỗ trợ đổi giờ"),
    "session_cancelled": _l("Buổi hỗ trợ bị hủy"),
    "reminder": _l("Nhắc lịch"),
    "cannot_come": _l("Báo không đến được"),
    "verification_done": _l("Đã xác minh tình nguyện viên"),
    "verification_revoked": _l("Thu hồi xác minh"),
    "replacement_needed": _l("Cần người thay"),
    "follow_up_opened": _l("Hỗ trợ thêm"),
    "daily_digest": _l("Tin tổng hợp trong ngày"),
}
# What the audit log records (the `action` column).
AUDIT_ACTION_LABELS = {
    "view": _l("Xem thông tin cá nhân"),
    "export": _l("Xuất dữ liệu"),
    "change": _l("Thay đổi thông tin"),
    "erase": _l("Xóa dữ liệu (ẩn danh hóa)"),
    "consent_withdrawn": _l("Rút lại sự đồng ý"),
    "denied": _l("Bị từ chối truy cập"),
}
# Where a coverage target comes from.
TARGET_SOURCE_LABELS = {
    "group": _l("chỉ tiêu của tổ"),
    "ward": _l("chỉ tiêu của phường"),
    "campaign": _l("chỉ tiêu chung của phong trào"),
}
# Coded values in a resident's data export, with the export's own wording.
EXPORT_VALUE_LABELS = {
    "female": _l("Nữ"), "male": _l("Nam"), "other": _l("Khác"),
    "online": _l("Trực tuyến"), "in_person": _l("Trực tiếp"), "phone": _l("Qua điện thoại"),
    "open": _l("Đang chờ tình nguyện viên"), "assigned": _l("Đã có tình nguyện viên"),
    "scheduled": _l("Đã hẹn lịch"), "done": _l("Đã xong"), "cancelled": _l("Đã hủy"),
    "home": _l("Tại nhà"), "community_house": _l("Nhà văn hóa"),
    "remote": _l("Qua điện thoại / gọi video"),
    "one_to_one": _l("Hỗ trợ một kèm một"), "class": _l("Lớp học"),
    "proposed": _l("Đang đề xuất"), "confirmed": _l("Đã xác nhận"),
    "enrolled": _l("Đã đăng ký"), "waiting": _l("Danh sách chờ"),
    "pending": _l("Chờ gửi"), "sending": _l("Đang gửi"), "sent": _l("Đã gửi"),
    "failed": _l("Gửi không được"), "skipped": _l("Không gửi"),
}

# The table of each enum, and of each named wording.
LABELS_BY_ENUM: dict[type[enum.Enum], dict] = {
    RequestStatus: REQUEST_STATUS_LABELS,
    Place: PLACE_LABELS,
    SessionStatus: SESSION_STATUS_LABELS,
    NoShowStatus: NO_SHOW_LABELS,
    ConsentMethod: CONSENT_METHOD_LABELS,
    Gender: GENDER_LABELS,
    VolunteerKind: VOLUNTEER_KIND_LABELS,
    OutboxStatus: OUTBOX_STATUS_LABELS,
    NotifyChannel: CHANNEL_LABELS,
    Indicator: INDICATOR_LABELS,
}
LABELS_BY_KIND: dict[str, dict] = {
    "session_place": SESSION_PLACE_LABELS,
    "channel": CHANNEL_LABELS,
    "message_kind": MESSAGE_KIND_LABELS,
    "audit_action": AUDIT_ACTION_LABELS,
    "target_source": TARGET_SOURCE_LABELS,
    "export_value": EXPORT_VALUE_LABELS,
}


def label(value, kind: str | None = None) -> str:
    """`value` as people read it, in the current language.

    Without `kind` the table is that of the value's enum; `kind` names another wording
    (see LABELS_BY_KIND). None reads as ""; a value without a label reads as itself."""
    if value is None:
        return ""
    table = LABELS_BY_KIND[kind] if kind is not None else LABELS_BY_ENUM.get(type(value), {})
    text = table.get(value)
    if text is not None:
        return str(text)
    return str(value.value if isinstance(value, enum.Enum) else value)
