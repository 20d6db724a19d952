"""Scale data: `flask --app wsgi seed-scale --profile district|city`.

Generates a realistic district (or city) for benchmarks: wards, residential
groups, households and residents with Vietnamese names, volunteers, two years
of help requests, one-to-one sessions, group classes, enrollments and outcomes.

Rows are built in memory one ward at a time and written in bulk: COPY on
PostgreSQL, SQLAlchemy Core `insert()` with lists of rows elsewhere. Primary
keys are assigned here (the sequences are moved past them afterwards), so no
row is read back. The same seed and the same `today` give the same data.

States are kept consistent with the rules of the app:
- an OPEN request has no volunteer and no session;
- ASSIGNED has a volunteer and no session yet; SCHEDULED has a future session
  (one-to-one, or a seat in a class) with the resident enrolled;
- DONE has a DONE session where the resident attended and an outcome exists;
- a volunteer is never booked twice at the same time, a community house never
  hosts two classes at once, a volunteer under 18 never leads a home visit,
  only verified volunteers are assigned (after they were verified).
"""
from __future__ import annotations

import base64
import bisect
import math
import random
import time as clock
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, text

from app.extensions import db
from app.text import fold
from app.timeslots import COARSE_CHOICES, bit

UTC = timezone.utc
LOCAL_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving time
SPAN_DAYS = 730                    # two years of activity
CONSENT_WORDING_VERSION = "2026-01"


@dataclass(frozen=True)
class Profile:
    wards: int
    groups: int
    residents: int
    volunteers: int
    requests: int
    sessions: int
    # Requests waiting for a volunteer. None: what the history leaves (a few percent asked
    # lately and not taken yet). A number: the recent backlog tops the history's waiting
    # requests up to exactly that many (split over the wards like the residents).
    open_requests: int | None = None


PROFILES = {
    "tiny": Profile(wards=2, groups=6, residents=240, volunteers=24, requests=480, sessions=720),
    "district": Profile(wards=20, groups=600, residents=50_000, volunteers=3_000,
                        requests=100_000, sessions=150_000),
    "city": Profile(wards=200, groups=6_000, residents=500_000, volunteers=30_000,
                    requests=1_000_000, sessions=1_500_000),
    # One ward after a campaign drive: 2,000 requests waiting and 500 volunteers to match
    # them with (the batch matching benchmark).
    "ward": Profile(wards=1, groups=60, residents=6_000, volunteers=500, requests=8_000,
                    sessions=9_000, open_requests=2_000),
}

# Accounts with known phones (the shared password is printed) so benchmarks can sign in.
# key, phone, name, what the account is
KNOWN_ACCOUNTS = [
    ("admin", "+84900000001", "Phạm Quốc Anh", "Quản trị viên (mọi phường)"),
    ("official", "+84900000002", "Đỗ Thị Hương", "Cán bộ phường thứ nhất"),
    ("official2", "+84900000003", "Hoàng Thị Lan", "Cán bộ phường thứ hai"),
    ("leader", "+84900000004", "Nguyễn Văn Thắng", "Tổ trưởng tổ dân phố số 1 của phường thứ nhất"),
    ("volunteer", "+84900000005", "Trần Văn Minh",
     "Tình nguyện viên đã xác minh, phục vụ cả phường thứ nhất"),
]

SOLE_WARD_OFFICIAL2 = "Cán bộ thứ hai của phường (khi chỉ có một phường)"


def known_in_ward(known: dict, index: int, wards: int) -> dict | None:
    """{account key in the ward: (phone, name)}: the first ward has the official, the leader
    and the volunteer; the second official is the second ward's first official, or the
    first ward's second official when there is only one ward."""
    if index == 0:
        keys = ("official", "leader", "volunteer") + (("official2",) if wards == 1 else ())
        return {k: known[k] for k in keys}
    if index == 1:
        return {"official": known["official2"]}
    return None


# Ordered so that every foreign key points to a table written before it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "ward": ("id", "name", "code", "district", "province"),
    "residential_group": ("id", "ward_id", "name", "code", "position", "community_house",
                          "adults_count", "households_count", "denominators_on"),
    "household": ("id", "group_id", "address", "address_key"),
    "user_account": ("id", "phone", "full_name", "email", "password_hash", "session_token",
                     "locale", "active", "created_at", "last_login_at"),
    "membership": ("id", "user_id", "role", "ward_id", "group_id"),
    "resident": ("id", "full_name", "name_search", "phone", "birth_year", "gender", "group_id",
                 "household_id", "user_id", "note", "created_at", "has_smartphone",
                 "has_epayment", "vneid_level2", "uses_zalo", "surveyed_on", "erased_at"),
    "consent": ("id", "resident_id", "given_at", "wording_version", "method", "captured_by_id",
                "withdrawn_at"),
    "volunteer_profile": ("id", "user_id", "kind", "organisation", "birth_year", "zalo",
                          "availability", "weekly_capacity", "paused_until",
                          "guardian_consent_by", "guardian_consent_on", "verified_at",
                          "verified_by_id", "revoked_at", "revoked_reason", "created_at"),
    "volunteer_topic": ("volunteer_id", "topic_id"),
    "volunteer_area": ("id", "volunteer_id", "ward_id", "group_id"),
    "help_request": ("id", "code", "resident_id", "group_id", "status", "place",
                     "preferred_times", "note", "created_at", "created_by_id", "consent_method",
                     "volunteer_id", "assigned_at", "closed_at", "cancel_reason",
                     "follow_up_of_id"),
    "request_topic": ("request_id", "topic_id"),
    "session": ("id", "kind", "title", "group_id", "request_id", "place", "place_name",
                "starts_at", "ends_at", "capacity", "status", "series_id", "created_by_id",
                "created_at", "cancel_reason"),
    "session_topic": ("session_id", "topic_id"),
    "session_volunteer": ("id", "session_id", "volunteer_id", "role", "hours"),
    "enrollment": ("id", "session_id", "resident_id", "request_id", "status", "created_at"),
    "outcome": ("id", "enrollment_id", "attended", "confidence", "follow_up", "note",
                "recorded_by_id", "recorded_at"),
    "outcome_skill": ("outcome_id", "skill_id"),
}
TABLES = tuple(COLUMNS)

# --- Vietnamese names ----------------------------------------------------------
FAMILY_NAMES = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 45), ("Phan", 35),
    ("Vũ", 39), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 8), ("Ngô", 13), ("Dương", 10),
    ("Đinh", 10), ("Đào", 10), ("Trịnh", 8), ("Lý", 5), ("Mai", 5), ("Lương", 5), ("Tạ", 4),
    ("Cao", 4), ("Phùng", 4), ("Hà", 6), ("Chu", 3), ("Lưu", 4), ("Tô", 3), ("Vương", 3),
    ("Kiều", 2), ("Quách", 2), ("Nghiêm", 2), ("Khuất", 1), ("Võ", 8), ("Huỳnh", 5),
]
MIDDLE_FEMALE = ["Thị"] * 6 + ["Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Bích", "Thúy",
                               "Phương", "Mai", "Hải", "Diệu", "Lan", "Quỳnh", "Khánh"]
MIDDLE_MALE = ["Văn"] * 5 + ["Đức", "Minh", "Quang", "Hữu", "Xuân", "Công", "Đình", "Ngọc",
                             "Mạnh", "Tuấn", "Quốc", "Trọng", "Thế", "Duy", "Hoàng", "Bá", "Tiến"]
GIVEN_FEMALE = ["Bình", "Lan", "Hoa", "Mai", "Hạnh", "Hương", "Thu", "Hà", "Nga", "Hằng",
                "Tuyết", "Loan", "Dung", "Yến", "Phượng", "Oanh", "Thủy", "Hồng", "Liên", "Nhung",
                "Ngọc", "Vân", "Thảo", "Trang", "Linh", "Huyền", "Quyên", "Hiền", "Thoa", "Tâm",
                "Xuân", "Lý", "Cúc", "Đào", "Lụa", "Nguyệt", "Sen", "Thắm", "Giang", "Anh",
                "Chi", "Ngân", "Phương", "Diệp", "Thư", "Vy", "My", "Hậu", "Thơm", "Gấm"]
GIVEN_MALE = ["Hùng", "Dũng", "Minh", "Tuấn", "Hải", "Sơn", "Long", "Nam", "Quang", "Thắng",
              "Đức", "Bình", "Tâm", "Cường", "Phúc", "Lộc", "Thành", "Trung", "Hiếu", "Khánh",
              "Huy", "Kiên", "Toàn", "Vinh", "Hưng", "Tùng", "Lâm", "Phong", "Đạt", "Nghĩa",
              "Thịnh", "Hòa", "Tiến", "Thanh", "Chiến", "Quý", "Bảo", "Khoa", "Việt", "Anh",
              "Hoàng", "Tài", "Hậu", "Định", "Đông", "Sáng", "Tú", "Thông", "Khải", "Luân"]

# Wards and communes of Hà Nội after the July 2025 reform, with a former district as label.
WARD_NAMES = [
    ("Phường", "Hoàn Kiếm", "Quận Hoàn Kiếm"), ("Phường", "Cửa Nam", "Quận Hoàn Kiếm"),
    ("Phường", "Ba Đình", "Quận Ba Đình"), ("Phường", "Ngọc Hà", "Quận Ba Đình"),
    ("Phường", "Giảng Võ", "Quận Ba Đình"), ("Phường", "Hai Bà Trưng", "Quận Hai Bà Trưng"),
    ("Phường", "Vĩnh Tuy", "Quận Hai Bà Trưng"), ("Phường", "Bạch Mai", "Quận Hai Bà Trưng"),
    ("Phường", "Đống Đa", "Quận Đống Đa"), ("Phường", "Kim Liên", "Quận Đống Đa"),
    ("Phường", "Văn Miếu - Quốc Tử Giám", "Quận Đống Đa"), ("Phường", "Láng", "Quận Đống Đa"),
    ("Phường", "Ô Chợ Dừa", "Quận Đống Đa"), ("Phường", "Hồng Hà", "Quận Hoàn Kiếm"),
    ("Phường", "Lĩnh Nam", "Quận Hoàng Mai"), ("Phường", "Hoàng Mai", "Quận Hoàng Mai"),
    ("Phường", "Vĩnh Hưng", "Quận Hoàng Mai"), ("Phường", "Tương Mai", "Quận Hoàng Mai"),
    ("Phường", "Định Công", "Quận Hoàng Mai"), ("Phường", "Hoàng Liệt", "Quận Hoàng Mai"),
    ("Phường", "Yên Sở", "Quận Hoàng Mai"), ("Phường", "Thanh Xuân", "Quận Thanh Xuân"),
    ("Phường", "Khương Đình", "Quận Thanh Xuân"), ("Phường", "Phương Liệt", "Quận Thanh Xuân"),
    ("Phường", "Cầu Giấy", "Quận Cầu Giấy"), ("Phường", "Nghĩa Đô", "Quận Cầu Giấy"),
    ("Phường", "Yên Hòa", "Quận Cầu Giấy"), ("Phường", "Tây Hồ", "Quận Tây Hồ"),
    ("Phường", "Phú Thượng", "Quận Tây Hồ"), ("Phường", "Tây Tựu", "Quận Bắc Từ Liêm"),
    ("Phường", "Phú Diễn", "Quận Bắc Từ Liêm"), ("Phường", "Xuân Đỉnh", "Quận Bắc Từ Liêm"),
    ("Phường", "Đông Ngạc", "Quận Bắc Từ Liêm"), ("Phường", "Thượng Cát", "Quận Bắc Từ Liêm"),
    ("Phường", "Từ Liêm", "Quận Nam Từ Liêm"), ("Phường", "Xuân Phương", "Quận Nam Từ Liêm"),
    ("Phường", "Tây Mỗ", "Quận Nam Từ Liêm"), ("Phường", "Đại Mỗ", "Quận Nam Từ Liêm"),
    ("Phường", "Long Biên", "Quận Long Biên"), ("Phường", "Bồ Đề", "Quận Long Biên"),
    ("Phường", "Việt Hưng", "Quận Long Biên"), ("Phường", "Phúc Lợi", "Quận Long Biên"),
    ("Phường", "Hà Đông", "Quận Hà Đông"), ("Phường", "Dương Nội", "Quận Hà Đông"),
    ("Phường", "Yên Nghĩa", "Quận Hà Đông"), ("Phường", "Phú Lương", "Quận Hà Đông"),
    ("Phường", "Kiến Hưng", "Quận Hà Đông"), ("Phường", "Thanh Liệt", "Huyện Thanh Trì"),
    ("Phường", "Chương Mỹ", "Huyện Chương Mỹ"), ("Phường", "Sơn Tây", "Thị xã Sơn Tây"),
    ("Phường", "Tùng Thiện", "Thị xã Sơn Tây"), ("Xã", "Thanh Trì", "Huyện Thanh Trì"),
    ("Xã", "Đại Thanh", "Huyện Thanh Trì"), ("Xã", "Nam Phù", "Huyện Thanh Trì"),
    ("Xã", "Ngọc Hồi", "Huyện Thanh Trì"), ("Xã", "Gia Lâm", "Huyện Gia Lâm"),
    ("Xã", "Thuận An", "Huyện Gia Lâm"), ("Xã", "Bát Tràng", "Huyện Gia Lâm"),
    ("Xã", "Phù Đổng", "Huyện Gia Lâm"), ("Xã", "Đông Anh", "Huyện Đông Anh"),
    ("Xã", "Phúc Thịnh", "Huyện Đông Anh"), ("Xã", "Thư Lâm", "Huyện Đông Anh"),
    ("Xã", "Thiên Lộc", "Huyện Đông Anh"), ("Xã", "Vĩnh Thanh", "Huyện Đông Anh"),
    ("Xã", "Sóc Sơn", "Huyện Sóc Sơn"), ("Xã", "Kim Anh", "Huyện Sóc Sơn"),
    ("Xã", "Trung Giã", "Huyện Sóc Sơn"), ("Xã", "Đa Phúc", "Huyện Sóc Sơn"),
    ("Xã", "Nội Bài", "Huyện Sóc Sơn"), ("Xã", "Mê Linh", "Huyện Mê Linh"),
    ("Xã", "Yên Lãng", "Huyện Mê Linh"), ("Xã", "Tiến Thắng", "Huyện Mê Linh"),
    ("Xã", "Quang Minh", "Huyện Mê Linh"), ("Xã", "Thường Tín", "Huyện Thường Tín"),
    ("Xã", "Thượng Phúc", "Huyện Thường Tín"), ("Xã", "Chương Dương", "Huyện Thường Tín"),
    ("Xã", "Hồng Vân", "Huyện Thường Tín"), ("Xã", "Phú Xuyên", "Huyện Phú Xuyên"),
    ("Xã", "Chuyên Mỹ", "Huyện Phú Xuyên"), ("Xã", "Đại Xuyên", "Huyện Phú Xuyên"),
    ("Xã", "Ứng Hòa", "Huyện Ứng Hòa"), ("Xã", "Vân Đình", "Huyện Ứng Hòa"),
    ("Xã", "Hòa Xá", "Huyện Ứng Hòa"), ("Xã", "Mỹ Đức", "Huyện Mỹ Đức"),
    ("Xã", "Hương Sơn", "Huyện Mỹ Đức"), ("Xã", "Phúc Sơn", "Huyện Mỹ Đức"),
    ("Xã", "Thanh Oai", "Huyện Thanh Oai"), ("Xã", "Bình Minh", "Huyện Thanh Oai"),
    ("Xã", "Tam Hưng", "Huyện Thanh Oai"), ("Xã", "Dân Hòa", "Huyện Thanh Oai"),
    ("Xã", "Quốc Oai", "Huyện Quốc Oai"), ("Xã", "Kiều Phú", "Huyện Quốc Oai"),
    ("Xã", "Hưng Đạo", "Huyện Quốc Oai"), ("Xã", "Thạch Thất", "Huyện Thạch Thất"),
    ("Xã", "Hạ Bằng", "Huyện Thạch Thất"), ("Xã", "Tây Phương", "Huyện Thạch Thất"),
    ("Xã", "Hoài Đức", "Huyện Hoài Đức"), ("Xã", "Dương Hòa", "Huyện Hoài Đức"),
    ("Xã", "Sơn Đồng", "Huyện Hoài Đức"), ("Xã", "An Khánh", "Huyện Hoài Đức"),
    ("Xã", "Đan Phượng", "Huyện Đan Phượng"), ("Xã", "Ô Diên", "Huyện Đan Phượng"),
    ("Xã", "Liên Minh", "Huyện Đan Phượng"), ("Xã", "Phúc Thọ", "Huyện Phúc Thọ"),
    ("Xã", "Phúc Lộc", "Huyện Phúc Thọ"), ("Xã", "Hát Môn", "Huyện Phúc Thọ"),
    ("Xã", "Ba Vì", "Huyện Ba Vì"), ("Xã", "Quảng Oai", "Huyện Ba Vì"),
    ("Xã", "Cổ Đô", "Huyện Ba Vì"), ("Xã", "Minh Châu", "Huyện Ba Vì"),
    ("Xã", "Yên Bài", "Huyện Ba Vì"), ("Xã", "Suối Hai", "Huyện Ba Vì"),
]
# Beyond the real list (the city profile has more units than Hà Nội): same names, a quarter added.
WARD_SUFFIXES = ["Bắc", "Nam", "Đông", "Tây", "Trung", "Thượng", "Hạ"]
STREETS = ["Hàng Gai", "Hàng Bông", "Lê Duẩn", "Kim Mã", "Nguyễn Trãi", "Giải Phóng",
           "Trường Chinh", "Láng Hạ", "Xuân Thủy", "Tôn Đức Thắng", "Nguyễn Văn Cừ",
           "Lạc Long Quân", "Âu Cơ", "Thụy Khuê", "Hoàng Hoa Thám", "Đội Cấn", "Tây Sơn",
           "Chùa Bộc", "Phạm Ngọc Thạch", "Bạch Mai", "Minh Khai", "Tam Trinh", "Kim Giang",
           "Nguyễn Xiển", "Hồ Tùng Mậu", "Phạm Văn Đồng", "Ngọc Lâm", "Quang Trung", "Trần Phú",
           "Lê Trọng Tấn", "Định Công", "Hoàng Quốc Việt", "Nguyễn Chí Thanh", "Yên Phụ"]
VILLAGE_NAMES = ["Đông", "Đoài", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Cao", "Lai", "Phú",
                 "An", "Yên", "Hòa", "Thịnh", "Lộc", "Tiền", "Hậu"]
SCHOOLS = ["Trường THPT Trần Phú", "Trường THPT Việt Đức", "Trường THPT Chu Văn An",
           "Trường THPT Kim Liên", "Trường THPT Yên Hòa", "Trường THPT Nguyễn Trãi",
           "Đại học Bách khoa Hà Nội", "Học viện Công nghệ Bưu chính Viễn thông",
           "Đại học Quốc gia Hà Nội", "Đại học Sư phạm Hà Nội", "Trường THCS Trưng Vương"]
TEACHER_SCHOOLS = ["Trường THCS Trưng Vương", "Trường Tiểu học Điện Biên",
                   "Trường THCS Ngô Sĩ Liên",
                   "Trường THPT Phan Đình Phùng", "Trường Tiểu học Kim Đồng",
                   "Trung tâm giáo dục thường xuyên"]
BUSINESSES = ["Viettel Hà Nội", "VNPT Hà Nội", "Bưu điện thành phố Hà Nội", "FPT Telecom",
              "Ngân hàng Vietcombank", "Ngân hàng Agribank", "Hợp tác xã dịch vụ nông nghiệp",
              "MobiFone", "Thế Giới Di Động"]
OTHER_ORGS = [None, "Hội Cựu chiến binh", "Hội Phụ nữ", "Hội Người cao tuổi", "Hội Chữ thập đỏ"]
REQUEST_NOTES = [
    "Bà muốn trả tiền điện bằng điện thoại.", "Ông cần cài lại Zalo sau khi đổi điện thoại.",
    "Con cháu ở xa, muốn gọi video cho cháu.", "Muốn biết cách nhận ra cuộc gọi lừa đảo.",
    "Cần làm định danh điện tử mức 2.", "Nhờ hướng dẫn đặt lịch khám ở bệnh viện.",
    "Mắt kém, cần chỉnh chữ to.", "Chỉ rảnh buổi sáng, chiều đi đón cháu.",
    "Điện thoại mới mua, chưa biết dùng.", "Muốn đóng học phí cho cháu qua ngân hàng.",
    "Nhờ gọi trước khi đến, nhà ở cuối ngõ.", "Bán rau ở chợ, muốn nhận tiền bằng mã QR.",
]
REQUEST_CANCEL_REASONS = ["Người dân không còn nhu cầu", "Con cháu đã hướng dẫn",
                          "Người dân chuyển nơi ở", "Trùng với yêu cầu khác",
                          "Không liên lạc được với người dân"]
SESSION_CANCEL_REASONS = ["Tình nguyện viên bận đột xuất", "Trời mưa to", "Người dân bị ốm",
                          "Nhà văn hóa có việc", "Mất điện cả khu"]
OUTCOME_NOTES = ["Bà đã tự gọi video cho con.", "Cần ôn lại lần sau.",
                 "Ông đã chuyển khoản thử thành công.", "Đã cài VNeID, chờ duyệt mức 2.",
                 "Đã chặn hai số lạ hay gọi đến.", "Tự đặt được lịch khám tuần sau.",
                 "Còn run tay khi quét mã, cần luyện thêm."]
NO_SHOW_NOTE = "Người dân vắng mặt."
RESIDENT_PHONE_PREFIXES = ["+8491", "+8494", "+8498", "+8497", "+8496", "+8486", "+8488",
                           "+8432", "+8435", "+8437", "+8439", "+8470", "+8477", "+8478",
                           "+8479", "+8481", "+8483", "+8485", "+8456"]
# Topic popularity among residents (slugs from the catalogue; unknown slugs get weight 1).
TOPIC_DEMAND = {"zalo": 24, "ngan-hang-so": 20, "lua-dao": 16, "dien-thoai": 15, "vneid": 12,
                "hoa-don": 10, "kham-benh": 8, "dich-vu-cong": 7, "bao-mat": 4, "mua-sam": 4,
                "tim-kiem": 3, "ban-hang": 3, "tro-ly-ai": 2}
COARSE_DEMAND = [("weekday_morning", 35), ("weekend_morning", 30), ("weekday_afternoon", 20),
                 ("weekend_afternoon", 14), ("weekday_evening", 7), ("weekend_evening", 4)]
COARSE_SUPPLY = [("weekday_morning", 10), ("weekend_morning", 30), ("weekday_afternoon", 12),
                 ("weekend_afternoon", 26), ("weekday_evening", 30), ("weekend_evening", 14)]

# Two-hour windows sessions are placed in: (slot, local start hour). A session starts at the
# window's start or half an hour later and ends inside it, so windows never overlap.
WINDOWS = ((0, 8), (0, 10), (1, 14), (1, 16), (2, 19))
WINDOWS_PER_DAY = len(WINDOWS)


def _weighted(pairs):
    values = [v for v, _w in pairs]
    cum = []
    total = 0
    for _v, w in pairs:
        total += w
        cum.append(total)
    return values, cum


class Picker:
    """Fast weighted choice from a fixed table."""

    def __init__(self, pairs):
        self.values, self.cum = _weighted(pairs)
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


FAMILY = Picker(FAMILY_NAMES)
_FOLDED: dict[str, str] = {}


def person_name(rng: random.Random, female: bool, elderly: bool) -> tuple[str, str]:
    """A Vietnamese full name and its folded search form (app.text.fold, memoised)."""
    family = FAMILY(rng)
    if female:
        middle = "Thị" if elderly and rng.random() < 0.75 else rng.choice(MIDDLE_FEMALE)
        given = rng.choice(GIVEN_FEMALE)
    else:
        middle = "Văn" if elderly and rng.random() < 0.55 else rng.choice(MIDDLE_MALE)
        given = rng.choice(GIVEN_MALE)
    full = f"{family} {middle} {given}"
    folded = _FOLDED.get(full)
    if folded is None:
        folded = _FOLDED[full] = fold(full)
    return full, folded


def scramble7(n: int) -> str:
    """Seven digits, unique for every n below ten million, that do not look sequential."""
    return f"{(n * 7_654_321 + 1_234_567) % 10_000_000:07d}"


CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, no 1/I: read out over the phone


def request_code(request_id: int) -> str:
    """A six-character tracking code, unique per id (a bijection of 30 bits)."""
    x = (request_id * 0x2545F491 + 0x1D872B41) & ((1 << 30) - 1)
    chars = []
    for _ in range(6):
        chars.append(CODE_ALPHABET[x & 31])
        x >>= 5
    return "".join(chars)


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[:rest]:
        out[i] += 1
    return out


def to_utc(local: datetime) -> datetime:
    """A naive Asia/Ho_Chi_Minh wall-clock time to an aware UTC datetime."""
    return (local - LOCAL_OFFSET).replace(tzinfo=UTC)


# --- ids -----------------------------------------------------------------------------
class Ids:
    """Primary keys handed out here, table by table, starting after what exists."""

    def __init__(self, start: dict[str, int]):
        self.last = dict(start)

    def next(self, table: str) -> int:
        value = self.last.get(table, 0) + 1
        self.last[table] = value
        return value


# --- writers -------------------------------------------------------------------------
class CoreWriter:
    """SQLAlchemy Core `insert()` with lists of rows, in batches (SQLite and others)."""

    batch = 20_000

    def __init__(self, conn):
        self.conn = conn

    def write(self, table_name: str, rows: list[tuple]) -> None:
        if not rows:
            return
        table = db.metadata.tables[table_name]
        cols = COLUMNS[table_name]
        stmt = table.insert()
        for start in range(0, len(rows), self.batch):
            chunk = rows[start:start + self.batch]
            self.conn.execute(stmt, [dict(zip(cols, row)) for row in chunk])


class CopyWriter:
    """PostgreSQL COPY FROM STDIN through the connection's psycopg driver."""

    def __init__(self, conn):
        self.conn = conn
        self.raw = conn.connection.driver_connection

    def write(self, table_name: str, rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in COLUMNS[table_name])
        with self.raw.cursor() as cur:
            with cur.copy(f'COPY "{table_name}" ({cols}) FROM STDIN') as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)


def check_columns() -> None:
    """Fail clearly if a model gained a required column this generator does not fill."""
    for name, cols in COLUMNS.items():
        table = db.metadata.tables[name]
        unknown = set(cols) - set(table.c.keys())
        if unknown:
            raise RuntimeError(f"seed-scale: {name} has no column(s) {sorted(unknown)}")
        for column in table.c:
            if column.name in cols:
                continue
            if not column.nullable and column.server_default is None:
                raise RuntimeError(
                    f"seed-scale does not fill the required column {name}.{column.name}; "
                    "add it to app/admin/scale.py")


# --- the generator for one ward ---------------------------------------------------------
@dataclass
class Vol:
    id: int
    user_id: int
    minor: bool
    topics: frozenset
    availability: int
    verified_at: datetime | None
    groups: list = field(default_factory=list)


@dataclass
class GroupInfo:
    id: int
    index: int
    name: str
    community_house: str
    target_residents: int = 0
    residents: list = field(default_factory=list)
    leaders: list = field(default_factory=list)
    eligible: list = field(default_factory=list)      # Vol, sorted by verified_at
    eligible_at: list = field(default_factory=list)   # their verified_at
    underserved: bool = False


class Context:
    """What every ward shares: ids, topics, clock, password hash, the seeded root."""

    def __init__(self, seed: int, today: date, topics: dict, topic_names: dict, skills: dict,
                 password_hash: str, ids: Ids):
        self.seed = seed
        self.today = today
        self.midnight = datetime.combine(today, time())  # local, naive
        self.now = to_utc(self.midnight)
        self.topics = topics            # slug -> id
        self.topic_names = topic_names  # id -> short name
        self.skills = skills            # topic id -> [skill ids]
        self.topic_ids = sorted(topics.values())
        self.demand = Picker([(tid, TOPIC_DEMAND.get(slug, 1)) for slug, tid in topics.items()])
        self.core = [topics[s] for s in ("dien-thoai", "zalo", "ngan-hang-so", "lua-dao")
                     if s in topics]
        self.password_hash = password_hash
        self.ids = ids
        self.coarse_demand = Picker([(COARSE_CHOICES[k][1], w) for k, w in COARSE_DEMAND])
        self.coarse_supply = Picker([(COARSE_CHOICES[k][1], w) for k, w in COARSE_SUPPLY])
        self.window_cache: dict[tuple[int, int], tuple[int, ...]] = {}
        self.user_seq = 0
        self.resident_seq = 0

    def windows(self, mask: int, weekday: int) -> tuple[int, ...]:
        key = (mask, weekday)
        found = self.window_cache.get(key)
        if found is None:
            found = tuple(w for w, (slot, _h) in enumerate(WINDOWS) if mask & bit(weekday, slot))
            self.window_cache[key] = found
        return found

    def user_phone(self) -> str:
        self.user_seq += 1
        return "+8493" + scramble7(self.user_seq)

    def resident_phone(self, rng: random.Random) -> str:
        self.resident_seq += 1
        return rng.choice(RESIDENT_PHONE_PREFIXES) + scramble7(self.resident_seq)


class WardBuilder:
    """Builds every row of one ward in memory, then hands them to a writer."""

    def __init__(self, ctx: Context, index: int, known: dict | None):
        self.ctx = ctx
        self.index = index
        self.rng = random.Random(f"{ctx.seed}:{index}")
        self.known = known or {}
        self.rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
        self.groups: list[GroupInfo] = []
        self.vols: list[Vol] = []
        self.busy_vol: dict[int, set] = defaultdict(set)
        self.busy_room: dict[int, set] = defaultdict(set)
        self.first_seen: dict[int, datetime] = {}
        self.resident_group: dict[int, GroupInfo] = {}
        self.resident_address: dict[int, str] = {}
        self.sessions = 0
        self.opened = 0

    # --- small helpers ---------------------------------------------------------------
    def past_moment(self, max_days: float = SPAN_DAYS, min_days: float = 0.0) -> datetime:
        """A local time in the past, denser towards today (the campaign grows)."""
        days = min_days + (max_days - min_days) * (1.0 - math.sqrt(self.rng.random()))
        moment = self.ctx.midnight - timedelta(days=days)
        return moment.replace(hour=self.rng.randint(7, 20), minute=self.rng.randrange(0, 60),
                              second=self.rng.randrange(0, 60))

    def local_now(self) -> datetime:
        return self.ctx.midnight

    def token(self) -> str:
        return base64.urlsafe_b64encode(self.rng.randbytes(18)).decode()

    def user(self, name: str, created: datetime, known_key: str | None = None) -> int:
        ctx = self.ctx
        uid = ctx.ids.next("user_account")
        if known_key and known_key in self.known:
            phone, name = self.known[known_key]
        else:
            phone = ctx.user_phone()
        last_login = None
        if self.rng.random() < 0.8:
            last_login = to_utc(self.local_now() - timedelta(days=self.rng.random() * 60))
        self.rows["user_account"].append((
            uid, phone, name, None, ctx.password_hash, self.token(), None, True,
            to_utc(created), last_login))
        return uid

    def membership(self, user_id: int, role: str, ward_id=None, group_id=None) -> None:
        self.rows["membership"].append(
            (self.ctx.ids.next("membership"), user_id, role, ward_id, group_id))

    # --- areas and people -------------------------------------------------------------
    def build(self, ward_id: int, kind: str, name: str, n_groups: int, n_residents: int,
              n_volunteers: int, n_requests: int, n_sessions: int,
              n_open: int | None = None) -> None:
        self.ward_id = ward_id
        self.rural = kind == "Xã"
        self.ward_name = name
        self.build_groups(n_groups, n_residents)
        self.build_officials()
        self.build_residents()
        self.build_volunteers(n_volunteers)
        produced = self.build_requests(round(n_requests * 0.85), n_open)
        class_requests = max(0, n_requests - produced)
        self.build_classes(max(0, n_sessions - self.sessions), class_requests)
        self.finish_residents()

    def build_groups(self, n_groups: int, n_residents: int) -> None:
        rng, ctx = self.rng, self.ctx
        weights = [rng.lognormvariate(0, 0.45) for _ in range(n_groups)]
        counts = allocate(n_residents, weights)
        ward_code = f"{'X' if self.rural else 'P'}{self.index + 1:03d}"
        for n in range(1, n_groups + 1):
            gid = ctx.ids.next("residential_group")
            if self.rural:
                gname = f"Thôn {VILLAGE_NAMES[(n - 1) % len(VILLAGE_NAMES)]}"
                if n > len(VILLAGE_NAMES):
                    gname += f" {(n - 1) // len(VILLAGE_NAMES) + 1}"
                house = f"Nhà văn hóa thôn {gname[5:]}"
            else:
                gname = f"Tổ dân phố số {n}"
                house = f"Nhà văn hóa tổ {n}"
            residents = counts[n - 1]
            if rng.random() < 0.9:
                adults = max(residents + 20, int(residents * rng.uniform(2.5, 6.0)))
                households = max(1, int(adults / rng.uniform(2.0, 2.8)))
                counted = self.ctx.today - timedelta(days=rng.randrange(20, 400))
            else:  # the leader has not entered the denominators yet
                adults = households = counted = None
            self.rows["residential_group"].append((
                gid, self.ward_id, gname, f"{ward_code}-{n:02d}", n - 1, house, adults,
                households, counted))
            # A few groups have too few volunteers: their requests wait long.
            self.groups.append(GroupInfo(id=gid, index=n - 1, name=gname, community_house=house,
                                         target_residents=residents,
                                         underserved=rng.random() < 0.08))

    def build_officials(self) -> None:
        rng = self.rng
        start = self.local_now() - timedelta(days=SPAN_DAYS + 30)
        self.officials = []
        for k in range(2):
            female = rng.random() < 0.55
            name, _ = person_name(rng, female, elderly=False)
            uid = self.user(name, start + timedelta(days=rng.random() * 30),
                            known_key=("official", "official2")[k])
            self.membership(uid, "official", ward_id=self.ward_id)
            self.officials.append(uid)
        for g in self.groups:
            n_leaders = 2 if rng.random() < 0.15 else 1
            for k in range(n_leaders):
                female = rng.random() < 0.45
                name, _ = person_name(rng, female, elderly=rng.random() < 0.6)
                known = "leader" if g.index == 0 and k == 0 else None
                uid = self.user(name, start + timedelta(days=rng.random() * 60), known_key=known)
                self.membership(uid, "leader", group_id=g.id)
                g.leaders.append(uid)

    def build_residents(self) -> None:
        rng, ctx = self.rng, self.ctx
        rows_h, rows_r = self.rows["household"], self.rows["resident"]
        year = ctx.today.year
        for g in self.groups:
            house_no = 0
            remaining = g.target_residents
            while remaining > 0:
                size = min(remaining, 1 if rng.random() < 0.5 else (2 if rng.random() < 0.7 else 3))
                remaining -= size
                house_no += 1
                hid = ctx.ids.next("household")
                if self.rural:
                    address = f"Số nhà {house_no}, xóm {1 + house_no // 40}, thôn {g.name[5:]}"
                else:
                    street = STREETS[(self.index * 7 + g.index) % len(STREETS)]
                    if rng.random() < 0.6:
                        address = f"Số {house_no}, ngõ {10 + g.index * 3 % 90} {street}"
                    else:
                        address = f"Số {house_no} phố {street}"
                rows_h.append((hid, g.id, address, fold(address)))
                for _ in range(size):
                    rid = ctx.ids.next("resident")
                    female = rng.random() < 0.58
                    age_roll = rng.random()
                    if age_roll < 0.5:
                        birth = year - rng.randint(65, 90)
                    elif age_roll < 0.85:
                        birth = year - rng.randint(45, 64)
                    else:
                        birth = year - rng.randint(18, 44)
                    elderly = year - birth >= 60
                    name, folded = person_name(rng, female, elderly)
                    phone = ctx.resident_phone(rng) if rng.random() < 0.85 else None
                    surveyed = rng.random() < 0.6
                    smart = rng.random() < (0.62 if elderly else 0.9)
                    epay = smart and rng.random() < (0.4 if elderly else 0.75)
                    vneid = rng.random() < (0.35 if elderly else 0.7)
                    zalo = smart and rng.random() < 0.8
                    surveyed_on = (ctx.today - timedelta(days=rng.randrange(5, SPAN_DAYS))
                                   if surveyed else None)
                    # created_at is filled in by finish_residents (before any activity).
                    rows_r.append([
                        rid, name, folded, phone, birth, "female" if female else "male", g.id,
                        hid, None, None, None, smart if surveyed else None,
                        epay if surveyed else None, vneid if surveyed else None,
                        zalo if surveyed else None, surveyed_on, None])
                    g.residents.append(rid)
                    self.resident_group[rid] = g
                    self.resident_address[rid] = address

    def build_volunteers(self, n: int) -> None:
        rng, ctx = self.rng, self.ctx
        year = ctx.today.year
        start = self.local_now() - timedelta(days=SPAN_DAYS + 20)
        ward_short = self.ward_name
        checkers = self.officials + [u for g in self.groups for u in g.leaders]
        for k in range(n):
            first = k < 3  # a few verified from the start, so early requests find someone
            kind_roll = rng.random()
            if first or kind_roll < 0.40:
                kind = "youth_union"
                birth = year - rng.randint(19, 34)
                org = f"Chi đoàn {ward_short}"
            elif kind_roll < 0.65:
                kind = "student"
                birth = year - rng.randint(15, 22)
                org = rng.choice(SCHOOLS)
            elif kind_roll < 0.80:
                kind = "teacher"
                birth = year - rng.randint(24, 60)
                org = rng.choice(TEACHER_SCHOOLS)
            elif kind_roll < 0.92:
                kind = "business"
                birth = year - rng.randint(22, 50)
                org = rng.choice(BUSINESSES)
            else:
                kind = "other"
                birth = year - rng.randint(25, 70)
                org = rng.choice(OTHER_ORGS)
                if org:
                    org = f"{org} {ward_short}"
            minor = year - birth < 18
            female = rng.random() < 0.55
            name, _ = person_name(rng, female, elderly=False)
            status_roll = rng.random()
            if first:
                created = start + timedelta(days=rng.random() * 5)
            elif status_roll < 0.14:  # registered lately, waiting for verification
                created = self.local_now() - timedelta(days=rng.random() * 45)
            else:
                created = start + timedelta(days=SPAN_DAYS * (1 - math.sqrt(1 - rng.random())))
                created = min(created, self.local_now() - timedelta(days=50))
            uid = self.user(name, created, known_key="volunteer" if k == 0 else None)
            self.membership(uid, "volunteer")
            vid = ctx.ids.next("volunteer_profile")
            verified_at = verified_by = revoked_at = revoked_reason = None
            if first or status_roll >= 0.14:
                verified_local = created + timedelta(days=rng.uniform(0.5, 10))
                verified_at = to_utc(verified_local)
                verified_by = rng.choice(checkers)
                if not first and rng.random() < 0.012:
                    revoked_at = to_utc(verified_local + timedelta(days=rng.randrange(20, 200)))
                    revoked_reason = "Vi phạm quy định: hỏi mã OTP của người dân"
            if first:
                availability = (COARSE_CHOICES["weekday_morning"][1]
                                | COARSE_CHOICES["weekend_morning"][1]
                                | COARSE_CHOICES["weekend_afternoon"][1]
                                | COARSE_CHOICES["weekday_evening"][1])
            else:
                availability = 0
                for _ in range(rng.choice((1, 2, 2, 3))):
                    availability |= ctx.coarse_supply(rng)
            # The benchmarks' known volunteer accepts request after request: room for it.
            capacity = 50 if first else rng.choice((1, 2, 2, 3, 3, 3, 4, 5))
            guardian = guardian_on = None
            if minor:
                parent, _ = person_name(rng, rng.random() < 0.5, elderly=False)
                guardian = f"{parent} ({'mẹ' if 'Thị' in parent else 'bố'})"
                guardian_on = (created - timedelta(days=rng.randrange(1, 20))).date()
            paused = None
            if verified_at and rng.random() < 0.03:
                paused = ctx.today + timedelta(days=rng.randrange(3, 40))
            phone_row = self.rows["user_account"][-1]
            zalo = phone_row[1].replace("+84", "0") if rng.random() < 0.5 else None
            self.rows["volunteer_profile"].append((
                vid, uid, kind, org, birth, zalo, availability, capacity, paused, guardian,
                guardian_on, verified_at, verified_by, revoked_at, revoked_reason,
                to_utc(created)))
            # Topics: most teach the core ones, some a specialty too.
            n_topics = 4 if first else rng.choice((2, 2, 3, 3, 4, 5, 6))
            topics = set(self.ctx.core if first else ())
            while len(topics) < n_topics:
                topics.add(ctx.demand(rng))
            for tid in sorted(topics):
                self.rows["volunteer_topic"].append((vid, tid))
            ward_wide = first or rng.random() < 0.4
            vol = Vol(id=vid, user_id=uid, minor=minor, topics=frozenset(topics),
                      availability=availability, verified_at=verified_at)
            if ward_wide:
                self.rows["volunteer_area"].append(
                    (ctx.ids.next("volunteer_area"), vid, self.ward_id, None))
                vol.groups = self.groups
            else:
                served = rng.sample(self.groups, min(len(self.groups), rng.choice((1, 1, 2, 3))))
                for g in served:
                    self.rows["volunteer_area"].append(
                        (ctx.ids.next("volunteer_area"), vid, None, g.id))
                vol.groups = served
            self.vols.append(vol)
            if verified_at and not revoked_at:
                for g in vol.groups:
                    g.eligible.append(vol)
        for g in self.groups:
            g.eligible.sort(key=lambda v: v.verified_at)
            g.eligible_at = [v.verified_at for v in g.eligible]

    # --- choosing volunteers and times ----------------------------------------------------
    def pick_volunteer(self, g: GroupInfo, at: datetime, topics, mask: int, home: bool,
                       adult_only: bool = False):
        """A verified volunteer serving the group at `at`, preferably fit (topic, time)."""
        n = bisect.bisect_right(g.eligible_at, at)
        if n == 0:
            return None
        rng = self.rng
        fallback = None
        for _ in range(6):
            vol = g.eligible[rng.randrange(n)]
            if (home or adult_only) and vol.minor:
                continue
            if fallback is None:
                fallback = vol
            if vol.topics.isdisjoint(topics):
                continue
            if mask and not (vol.availability & mask):
                continue
            return vol
        if fallback is None:
            adults = [v for v in g.eligible[:n] if not v.minor]
            fallback = rng.choice(adults) if adults else None
        return fallback

    def place_in_time(self, first_day: date, mask: int, vols, minutes: int, room=None,
                      days: int = 21):
        """The start of the first free window from `first_day` inside `mask`; books it.

        Falls back to any window when the mask has none free for `days` days."""
        ctx, rng = self.ctx, self.rng
        for attempt_mask in (mask, (1 << 21) - 1):
            if not attempt_mask:
                continue
            day = first_day
            for _ in range(days):
                windows = ctx.windows(attempt_mask, day.weekday())
                if windows:
                    offset = rng.randrange(len(windows))
                    for i in range(len(windows)):
                        w = windows[(i + offset) % len(windows)]
                        key = day.toordinal() * WINDOWS_PER_DAY + w
                        if room is not None and key in self.busy_room[room]:
                            continue
                        if any(key in self.busy_vol[v.id] for v in vols):
                            continue
                        for v in vols:
                            self.busy_vol[v.id].add(key)
                        if room is not None:
                            self.busy_room[room].add(key)
                        late = minutes <= 90 and rng.random() < 0.4
                        return datetime.combine(day, time(WINDOWS[w][1], 30 if late else 0))
                day += timedelta(days=1)
        return None

    # --- writing activity ------------------------------------------------------------------
    def request_row(self, g: GroupInfo, resident: int, status: str, place: str, mask: int,
                    created: datetime, topics, volunteer=None, assigned=None, closed=None,
                    cancel_reason=None, follow_up_of=None, rid: int | None = None) -> int:
        ctx, rng = self.ctx, self.rng
        rid = rid or ctx.ids.next("help_request")
        by_leader = g.leaders and rng.random() < 0.35
        created_by = rng.choice(g.leaders) if by_leader else None
        consent = (("in_person" if rng.random() < 0.6 else "phone") if by_leader else "online")
        note = rng.choice(REQUEST_NOTES) if rng.random() < 0.2 else None
        self.opened += status == "open"
        self.rows["help_request"].append((
            rid, request_code(rid), resident, g.id, status, place, mask, note, to_utc(created),
            created_by, consent, volunteer.id if volunteer else None,
            to_utc(assigned) if assigned else None, to_utc(closed) if closed else None,
            cancel_reason, follow_up_of))
        for tid in sorted(topics):
            self.rows["request_topic"].append((rid, tid))
        self.seen(resident, created)
        return rid

    def seen(self, resident: int, moment: datetime) -> None:
        first = self.first_seen.get(resident)
        if first is None or moment < first:
            self.first_seen[resident] = moment

    def session_row(self, kind: str, title: str, g: GroupInfo, request_id, place: str,
                    place_name, start: datetime, minutes: int, capacity: int, status: str,
                    created_by, created: datetime, topics, series=None,
                    cancel_reason=None) -> int:
        sid = self.ctx.ids.next("session")
        self.rows["session"].append((
            sid, kind, title, g.id, request_id, place, place_name, to_utc(start),
            to_utc(start + timedelta(minutes=minutes)), capacity, status, series, created_by,
            to_utc(created), cancel_reason))
        for tid in sorted(topics):
            self.rows["session_topic"].append((sid, tid))
        self.sessions += 1
        return sid

    def session_volunteer(self, session_id: int, vol: Vol, role: str, hours) -> None:
        self.rows["session_volunteer"].append(
            (self.ctx.ids.next("session_volunteer"), session_id, vol.id, role, hours))

    def enrollment(self, session_id: int, resident: int, request_id, status: str,
                   created: datetime) -> int:
        eid = self.ctx.ids.next("enrollment")
        self.rows["enrollment"].append(
            (eid, session_id, resident, request_id, status, to_utc(created)))
        self.seen(resident, created)
        return eid

    def outcome(self, enrollment_id: int, attended: bool, topics, recorder_user: int,
                ended: datetime, follow_up: bool = False) -> None:
        rng = self.rng
        oid = self.ctx.ids.next("outcome")
        confidence = note = None
        if attended:
            confidence = 1 + bisect.bisect_right((5, 15, 45, 80), rng.random() * 100)
            note = rng.choice(OUTCOME_NOTES) if rng.random() < 0.1 else None
            skills = self.rows["outcome_skill"]
            achieved = 0
            for tid in sorted(topics):
                for skill in self.ctx.skills.get(tid, ()):
                    if rng.random() < 0.45:
                        skills.append((oid, skill))
                        achieved += 1
            if not achieved and topics and rng.random() < 0.9:
                tid = min(topics)
                if self.ctx.skills.get(tid):
                    skills.append((oid, self.ctx.skills[tid][0]))
        else:
            note = NO_SHOW_NOTE
        recorded = min(ended + timedelta(hours=rng.uniform(0.2, 36)),
                       self.local_now() - timedelta(minutes=5))
        self.rows["outcome"].append((oid, enrollment_id, attended, confidence, follow_up, note,
                                     recorder_user, to_utc(recorded)))

    # --- one-to-one requests ------------------------------------------------------------------
    def build_requests(self, quota: int, n_open: int | None = None) -> int:
        """Requests served one to one (or still waiting); returns how many were made.

        With `n_open`, the backlog is not drawn request by request: the history comes
        first, then the backlog tops its waiting requests up to `n_open`."""
        rng = self.rng
        made = 0
        weights = []
        residents = []
        for g in self.groups:
            for r in g.residents:
                residents.append(r)
                weights.append(rng.random() ** 2 + 0.05)  # a few residents ask often
        if not residents:
            return 0
        picker = Picker(list(zip(residents, weights)))
        history = quota if n_open is None else max(0, quota - n_open)
        while made < history:
            resident = picker(rng)
            g = self.resident_group[resident]
            if n_open is None and rng.random() < (0.15 if g.underserved else 0.045):
                self.backlog_request(resident)
                made += 1
                continue
            created = self.past_moment()
            made += self.one_request(g, resident, created, None)
            # A follow-up asked for at the end of a DONE request.
            while made < history and self.pending_follow_up is not None:
                prev_id, prev_closed = self.pending_follow_up
                self.pending_follow_up = None
                created = prev_closed + timedelta(days=rng.uniform(1, 12))
                if created >= self.local_now():
                    break
                made += self.one_request(g, resident, created, prev_id)
        if n_open is not None:
            for _ in range(max(0, n_open - self.opened)):
                self.backlog_request(picker(rng))
                made += 1
        return made

    pending_follow_up = None

    def backlog_request(self, resident: int) -> None:
        """Asked in the last weeks (the campaign's posters work), still waiting."""
        created = self.past_moment(max_days=45)
        self.open_request(self.resident_group[resident], resident, created)

    def wish(self):
        """Topics, preferred times and place of a new request."""
        rng = self.rng
        topics = {self.ctx.demand(rng)}
        while rng.random() < 0.3 and len(topics) < 3:
            topics.add(self.ctx.demand(rng))
        mask = 0
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            mask |= self.ctx.coarse_demand(rng)
        roll = rng.random()
        place = ("home" if roll < 0.5 else "community_house" if roll < 0.8
                 else "remote" if roll < 0.95 else "other")
        return topics, mask, place

    def open_request(self, g: GroupInfo, resident: int, created: datetime) -> None:
        topics, mask, place = self.wish()
        self.request_row(g, resident, "open", place, mask, created, topics)

    def one_request(self, g: GroupInfo, resident: int, created: datetime, follow_up_of) -> int:
        rng, now = self.rng, self.local_now()
        age_days = (now - created).total_seconds() / 86400
        topics, mask, place = self.wish()
        home = place == "home"

        # How long it waits for a volunteer (days): most are taken within a few days.
        wait = min(rng.lognormvariate(0.8, 1.0), 40.0)
        if g.underserved:
            wait *= 4
        roll = rng.random()
        if roll < 0.06 + (0.1 if g.underserved else 0):
            # Cancelled before anyone took it.
            closed = created + timedelta(days=min(rng.uniform(0.5, 25), max(age_days - 0.01, 0.01)))
            self.request_row(g, resident, "cancelled", place, mask, created, topics,
                             closed=closed, cancel_reason=rng.choice(REQUEST_CANCEL_REASONS),
                             follow_up_of=follow_up_of)
            return 1
        if wait >= age_days:
            if age_days > 120:  # nobody came for months: the leader closed it
                self.request_row(g, resident, "cancelled", place, mask, created, topics,
                                 closed=created + timedelta(days=rng.uniform(90, 120)),
                                 cancel_reason="Quá lâu chưa có tình nguyện viên",
                                 follow_up_of=follow_up_of)
            else:
                self.request_row(g, resident, "open", place, mask, created, topics,
                                 follow_up_of=follow_up_of)
            return 1
        assigned = created + timedelta(days=wait)
        vol = self.pick_volunteer(g, to_utc(assigned), topics, mask, home)
        if vol is None:
            self.request_row(g, resident, "open" if age_days <= 120 else "cancelled", place,
                             mask, created, topics,
                             closed=None if age_days <= 120 else created + timedelta(days=100),
                             cancel_reason=None if age_days <= 120
                             else "Quá lâu chưa có tình nguyện viên", follow_up_of=follow_up_of)
            return 1
        fit = mask & vol.availability or mask
        minutes = rng.choice((60, 60, 90))
        start = None
        if (now - assigned).days >= 2 or rng.random() < 0.5:  # else accepted lately, no date yet
            first_day = assigned.date() + timedelta(days=rng.randint(1, 4))
            start = self.place_in_time(first_day, fit, [vol], minutes)
        if start is None:
            self.request_row(g, resident, "assigned", place, mask, created, topics,
                             volunteer=vol, assigned=assigned, follow_up_of=follow_up_of)
            return 1

        title = self.one_to_one_title(topics)
        place_name = self.place_name(g, resident, place)
        if start >= now:
            # A session still to come: the request is SCHEDULED.
            rid = self.request_row(g, resident, "scheduled", place, mask, created, topics,
                                   volunteer=vol, assigned=assigned, follow_up_of=follow_up_of)
            status = "confirmed" if rng.random() < 0.85 else "proposed"
            sid = self.session_row("one_to_one", title, g, rid, place, place_name, start,
                                   minutes, 1, status, vol.user_id, assigned, topics)
            self.session_volunteer(sid, vol, "lead", None)
            self.enrollment(sid, resident, rid, "enrolled", assigned)
            return 1

        # Past session(s). Sometimes the first one was cancelled or the resident did not come.
        # The request's id is reserved now; its row is written once its final state is known.
        rid = self.ctx.ids.next("help_request")
        extra = rng.random()
        if extra < 0.09 and start + timedelta(days=7) < now:
            kind = "cancelled" if extra < 0.06 else "no_show"
            sid = self.session_row("one_to_one", title, g, rid, place, place_name, start, minutes,
                                   1, "cancelled" if kind == "cancelled" else "done",
                                   vol.user_id, assigned, topics,
                                   cancel_reason=rng.choice(SESSION_CANCEL_REASONS)
                                   if kind == "cancelled" else None)
            self.session_volunteer(sid, vol, "lead", None if kind == "cancelled"
                                   else round(minutes / 60, 2))
            eid = self.enrollment(sid, resident, rid, "cancelled" if kind == "cancelled"
                                  else "enrolled", assigned)
            if kind == "no_show":
                self.outcome(eid, False, topics, vol.user_id,
                             start + timedelta(minutes=minutes))
            later = self.place_in_time(start.date() + timedelta(days=rng.randint(3, 10)), fit,
                                       [vol], minutes)
            if later is None or later >= now:
                # Rebooked in the future.
                self.request_row(g, resident, "scheduled" if later else "assigned", place, mask,
                                 created, topics, volunteer=vol, assigned=assigned,
                                 follow_up_of=follow_up_of, rid=rid)
                if later:
                    sid = self.session_row("one_to_one", title, g, rid, place, place_name,
                                           later, minutes, 1, "confirmed", vol.user_id,
                                           start, topics)
                    self.session_volunteer(sid, vol, "lead", None)
                    self.enrollment(sid, resident, rid, "enrolled", start)
                return 1
            start = later
        if rng.random() < 0.025:
            # Cancelled after it was arranged; the session is cancelled too.
            closed = start - timedelta(hours=rng.uniform(2, 48))
            closed = max(closed, assigned + timedelta(minutes=30))
            self.request_row(g, resident, "cancelled", place, mask, created, topics,
                             volunteer=vol, assigned=assigned, closed=closed,
                             cancel_reason=rng.choice(REQUEST_CANCEL_REASONS),
                             follow_up_of=follow_up_of, rid=rid)
            sid = self.session_row("one_to_one", title, g, rid, place, place_name, start, minutes,
                                   1, "cancelled", vol.user_id, assigned, topics,
                                   cancel_reason="Người dân hủy yêu cầu")
            self.session_volunteer(sid, vol, "lead", None)
            self.enrollment(sid, resident, rid, "cancelled", assigned)
            return 1
        ended = start + timedelta(minutes=minutes)
        closed = min(ended + timedelta(hours=rng.uniform(0.3, 30)), now - timedelta(minutes=1))
        follow = rng.random() < 0.12
        self.request_row(g, resident, "done", place, mask, created, topics, volunteer=vol,
                         assigned=assigned, closed=closed, follow_up_of=follow_up_of, rid=rid)
        sid = self.session_row("one_to_one", title, g, rid, place, place_name, start, minutes, 1,
                               "done", vol.user_id, assigned, topics)
        self.session_volunteer(sid, vol, "lead", round(minutes / 60, 2))
        eid = self.enrollment(sid, resident, rid, "enrolled", assigned)
        self.outcome(eid, True, topics, vol.user_id, ended, follow_up=follow)
        if follow and rng.random() < 0.6:
            self.pending_follow_up = (rid, closed)
        return 1

    def one_to_one_title(self, topics) -> str:
        names = [self.ctx.topic_names[t] for t in sorted(topics)]
        verb = self.rng.choice(("Hướng dẫn", "Hỗ trợ", "Cùng học"))
        return f"{verb} {' và '.join(names)}"

    def place_name(self, g: GroupInfo, resident: int, place: str):
        if place == "home":
            return self.resident_address[resident]
        if place == "community_house":
            return g.community_house
        if place == "remote":
            return "Gọi video qua Zalo"
        return self.rng.choice(("Điểm bưu điện văn hóa", "Thư viện phường",
                                "Quán cà phê đầu ngõ", "Trụ sở UBND phường"))

    # --- group classes ------------------------------------------------------------------------
    def build_classes(self, n_sessions: int, class_requests: int) -> None:
        rng, ctx, now = self.rng, self.ctx, self.local_now()
        if n_sessions <= 0 or not self.groups:
            return
        group_pick = Picker([(g, max(1, len(g.residents))) for g in self.groups])
        per_class = class_requests / n_sessions
        owed = 0.0
        made = 0
        while made < n_sessions:
            g = group_pick(rng)
            if not g.residents:
                made += 1
                continue
            series = rng.random() < 0.3 and n_sessions - made >= 4
            repeats = 4 if series else 1
            series_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if series else None
            # Mostly past; a few weeks ahead are on the calendar.
            if rng.random() < 0.035:
                first = now + timedelta(days=rng.uniform(0.5, 18))
            else:
                first = self.past_moment(min_days=1)
            topics = {ctx.demand(rng)}
            if rng.random() < 0.35:
                topics.add(ctx.demand(rng))
            names = [ctx.topic_names[t] for t in sorted(topics)]
            title = rng.choice((f"Lớp học {' và '.join(names)}",
                                f"Cùng học {' và '.join(names)}",
                                f"{' và '.join(names)} cho người cao tuổi"))
            capacity = rng.choice((10, 12, 15, 15, 20))
            at_utc = to_utc(min(first, now))
            lead = self.pick_volunteer(g, at_utc, topics, 0, home=False, adult_only=True)
            if lead is None:
                made += repeats
                continue
            helpers = []
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                h = self.pick_volunteer(g, at_utc, topics, 0, home=False)
                if h is not None and h is not lead and h not in helpers:
                    helpers.append(h)
            vols = [lead] + helpers
            leader = rng.choice(g.leaders) if g.leaders else lead.user_id
            mask = lead.availability or (1 << 21) - 1
            minutes = rng.choice((90, 90, 120))
            start = self.place_in_time(first.date(), mask, vols, minutes, room=g.id)
            if start is None:
                made += repeats
                continue
            attendees = min(len(g.residents),
                            max(2, int(rng.gauss(6.5, 2.5))))
            pool = rng.sample(g.residents, min(len(g.residents), attendees + 3))
            seats = pool[:attendees]
            for week in range(repeats):
                if week:
                    day = start.date() + timedelta(days=7)
                    key = day.toordinal() * WINDOWS_PER_DAY + self.window_of(start)
                    if key in self.busy_room[g.id] or any(key in self.busy_vol[v.id]
                                                          for v in vols):
                        break
                    self.busy_room[g.id].add(key)
                    for v in vols:
                        self.busy_vol[v.id].add(key)
                    start = datetime.combine(day, start.time())
                owed += per_class
                owed -= self.one_class(g, start, minutes, capacity, title, topics, lead, helpers,
                                       leader, seats, pool[attendees:], series_id, int(owed))
                made += 1
                # Residents keep coming to a series, with some change.
                if rng.random() < 0.3 and len(pool) > attendees:
                    seats = seats[1:] + [rng.choice(pool[attendees:])]

    @staticmethod
    def window_of(start: datetime) -> int:
        for w, (_slot, hour) in enumerate(WINDOWS):
            if hour <= start.hour < hour + 2:
                return w
        return 0

    def one_class(self, g: GroupInfo, start: datetime, minutes: int, capacity: int, title: str,
                  topics, lead: Vol, helpers, leader: int, seats, extra, series_id,
                  with_requests: int) -> int:
        """One class with its seats and outcomes; returns how many help requests it answered."""
        rng, now = self.rng, self.local_now()
        created = start - timedelta(days=rng.uniform(5, 20))
        future = start >= now
        if future:
            status = "confirmed" if rng.random() < 0.8 else "proposed"
            created = min(created, now - timedelta(hours=2))
        else:
            status = "done" if rng.random() < 0.93 else "cancelled"
        cancel_reason = rng.choice(SESSION_CANCEL_REASONS) if status == "cancelled" else None
        sid = self.session_row("class", title, g, None, "community_house", g.community_house,
                               start, minutes, capacity, status, leader, created, topics,
                               series=series_id, cancel_reason=cancel_reason)
        hours = round(minutes / 60, 2) if status == "done" else None
        self.session_volunteer(sid, lead, "lead", hours)
        for h in helpers:
            self.session_volunteer(sid, h, "helper", hours)
        ended = start + timedelta(minutes=minutes)
        seated = list(dict.fromkeys(seats))[:capacity]
        waiting = [r for r in extra if r not in seated][:2] if len(seated) >= capacity else []
        attended_ids = []
        for resident in seated:
            lead_days = max(0.1, (start - created).days - 0.5)
            signed = created + timedelta(days=rng.uniform(0, lead_days))
            signed = min(signed, now - timedelta(hours=1))
            cancelled = rng.random() < 0.05
            eid = self.enrollment(sid, resident, None, "cancelled" if cancelled else "enrolled",
                                  signed)
            position = len(self.rows["enrollment"]) - 1
            if status == "done" and not cancelled:
                attended = rng.random() < 0.82
                self.outcome(eid, attended, topics, lead.user_id, ended,
                             follow_up=attended and rng.random() < 0.08)
                if attended:
                    attended_ids.append((position, resident, signed))
            elif status in ("confirmed", "proposed") and not cancelled:
                attended_ids.append((position, resident, signed))
        for resident in waiting:
            self.enrollment(sid, resident, None, "waiting", created + timedelta(days=1))
        if status == "cancelled" or not with_requests:
            return 0
        # Some seats were asked for through a help request that the class answered.
        enrollment_rows = self.rows["enrollment"]
        for position, resident, signed in attended_ids[:with_requests]:
            asked = signed - timedelta(days=rng.uniform(1, 15))
            assigned = min(asked + timedelta(days=rng.uniform(0.2, 1.0)), signed)
            if future:
                rid = self.request_row(g, resident, "scheduled", "community_house",
                                       self.ctx.coarse_demand(rng), asked, topics,
                                       volunteer=lead, assigned=assigned)
            else:
                closed = min(ended + timedelta(hours=rng.uniform(0.5, 30)),
                             now - timedelta(minutes=1))
                rid = self.request_row(g, resident, "done", "community_house",
                                       self.ctx.coarse_demand(rng), asked, topics,
                                       volunteer=lead, assigned=assigned, closed=closed)
            row = enrollment_rows[position]
            enrollment_rows[position] = (row[0], row[1], row[2], rid, row[4], row[5])
        return min(with_requests, len(attended_ids))

    # --- the residents' own rows, now that their first activity is known --------------------------
    def finish_residents(self) -> None:
        rng = self.rng
        now = self.local_now()
        consent = self.rows["consent"]
        ids = self.ctx.ids
        for row in self.rows["resident"]:
            rid = row[0]
            first = self.first_seen.get(rid)
            if first is None:
                created = self.past_moment()
            else:
                created = first - timedelta(days=rng.uniform(0, 20), minutes=rng.randrange(1, 600))
            created = min(created, now - timedelta(minutes=1))
            row[10] = to_utc(created)
            g = self.resident_group[rid]
            roll = rng.random()
            method = "online" if roll < 0.35 else "in_person" if roll < 0.85 else "phone"
            captured = rng.choice(g.leaders) if method != "online" and g.leaders else None
            consent.append((ids.next("consent"), rid, to_utc(created), CONSENT_WORDING_VERSION,
                            method, captured, None))
        self.rows["resident"] = [tuple(r) for r in self.rows["resident"]]


# --- the command's work ------------------------------------------------------------------------
def database_has_data() -> bool:
    from app.models import HelpRequest, Resident, Topic, User, Ward

    for model in (Ward, Topic, User, Resident, HelpRequest):
        if db.session.scalar(select(model.id).limit(1)) is not None:
            return True
    return False


def erase_everything() -> None:
    """Delete every row of every table of the app (for --force)."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def _ward_names(n: int) -> list[tuple[str, str, str]]:
    names = []
    for i in range(n):
        kind, name, district = WARD_NAMES[i % len(WARD_NAMES)]
        if i >= len(WARD_NAMES):
            name = f"{name} {WARD_SUFFIXES[(i // len(WARD_NAMES) - 1) % len(WARD_SUFFIXES)]}"
        names.append((kind, name, district))
    return names


def _may_skip_triggers(engine) -> bool:
    """Whether this role may set session_replication_role (a superuser, or granted it)."""
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        return True
    except DBAPIError:
        return False


def verify_foreign_keys(engine) -> None:
    """Every foreign key of the generated tables points to an existing row (one query each)."""
    problems = []
    with engine.connect() as conn:
        for name in TABLES:
            table = db.metadata.tables[name]
            for fk in table.foreign_key_constraints:
                (column,) = fk.columns
                (element,) = fk.elements
                parent_table = element.column.table.alias("parent")
                parent = parent_table.c[element.column.name]
                missing = conn.execute(
                    select(func.count()).select_from(
                        table.outerjoin(parent_table, column == parent))
                    .where(column.is_not(None), parent.is_(None))).scalar()
                if missing:
                    problems.append(f"{name}.{column.name}: {missing}")
    if problems:
        raise RuntimeError("seed-scale wrote dangling foreign keys: " + ", ".join(problems))


@dataclass
class SeedReport:
    profile: str
    dialect: str
    seconds: float
    counts: dict
    accounts: list
    password: str


def seed_scale(profile_name: str, seed: int = 2026, today: date | None = None,
               force: bool = False, echo=print) -> SeedReport:
    """Fill an empty database with the profile's data; see the module docstring."""
    from app.admin.demo import DEMO_PASSWORD, seed_catalogue, seed_targets
    from app.auth.passwords import hash_password
    from app.coverage.progress import rebuild as rebuild_progress
    from app.clock import today_local
    from app.models import Skill, Ward

    profile = PROFILES[profile_name]
    started = clock.perf_counter()
    check_columns()
    if database_has_data():
        if not force:
            db.session.rollback()
            raise DatabaseNotEmpty()
        erase_everything()
    today = today or today_local()
    dialect = db.engine.dialect.name

    topics = seed_catalogue()
    db.session.commit()
    topic_ids = {slug: t.id for slug, t in topics.items()}
    topic_names = {t.id: t.short_name for t in topics.values()}
    skills: dict[int, list[int]] = defaultdict(list)
    for skill_id, topic_id in db.session.execute(
            select(Skill.id, Skill.topic_id).order_by(Skill.topic_id, Skill.position, Skill.id)):
        skills[topic_id].append(skill_id)
    start_ids = {}
    for name in TABLES:
        table = db.metadata.tables[name]
        if "id" in table.c:
            start_ids[name] = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    password_hash = hash_password(DEMO_PASSWORD)
    db.session.commit()
    db.session.remove()

    ids = Ids(start_ids)
    ctx = Context(seed, today, topic_ids, topic_names, dict(skills), password_hash, ids)
    root = random.Random(seed)
    known = {key: (phone, name) for key, phone, name, _d in KNOWN_ACCOUNTS}

    ward_weights = [root.uniform(0.7, 1.3) for _ in range(profile.wards)]
    groups = allocate(profile.groups, ward_weights)
    residents = allocate(profile.residents, [w * g for w, g in zip(ward_weights, groups)])
    volunteers = allocate(profile.volunteers, ward_weights)
    requests = allocate(profile.requests, residents)
    sessions = allocate(profile.sessions, residents)
    waiting = (allocate(profile.open_requests, residents) if profile.open_requests is not None
               else [None] * profile.wards)
    counts: dict[str, int] = defaultdict(int)

    with db.engine.begin() as conn:
        writer = CopyWriter(conn) if dialect == "postgresql" else CoreWriter(conn)
        # The administrator is not tied to a ward.
        admin_id = ids.next("user_account")
        phone, name = known["admin"]
        writer.write("user_account", [(admin_id, phone, name, None, password_hash,
                                       base64.urlsafe_b64encode(root.randbytes(18)).decode(),
                                       None, True, ctx.now - timedelta(days=SPAN_DAYS + 40),
                                       ctx.now - timedelta(days=1))])
        writer.write("membership", [(ids.next("membership"), admin_id, "admin", None, None)])
        ward_rows = []
        for i, (kind, name, district) in enumerate(_ward_names(profile.wards)):
            ward_rows.append((ids.next("ward"), f"{kind} {name}",
                              f"{'X' if kind == 'Xã' else 'P'}{i + 1:03d}", district,
                              "Thành phố Hà Nội"))
        writer.write("ward", ward_rows)
        counts["user_account"] += 1
        counts["membership"] += 1
        counts["ward"] += len(ward_rows)

    engine = db.engine
    skip_triggers = dialect == "postgresql" and _may_skip_triggers(engine)

    def write_ward(rows: dict[str, list[tuple]]) -> None:
        with engine.begin() as conn:
            if skip_triggers:
                # As pg_restore --disable-triggers does: no per-row foreign key triggers;
                # every foreign key is checked set-wise once the load is over.
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            elif dialect == "sqlite":
                # Index pages stay in memory while they fill (the default cache is 2 MB).
                conn.exec_driver_sql("PRAGMA cache_size = -262144")
            writer = CopyWriter(conn) if dialect == "postgresql" else CoreWriter(conn)
            for table in TABLES:
                writer.write(table, rows[table])

    # Build ward i+1 while ward i is being written (the database works in its own process).
    report_every = max(1, profile.wards // 10)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        for i, ward_row in enumerate(ward_rows):
            builder = WardBuilder(ctx, i, known_in_ward(known, i, profile.wards))
            kind = "Xã" if ward_row[1].startswith("Xã") else "Phường"
            builder.build(ward_row[0], kind, ward_row[1], groups[i], residents[i],
                          volunteers[i], requests[i], sessions[i], waiting[i])
            if pending is not None:
                pending.result()
            pending = pool.submit(write_ward, builder.rows)
            for table in TABLES:
                counts[table] += len(builder.rows[table])
            del builder
            if (i + 1) % report_every == 0 or i + 1 == len(ward_rows):
                echo(f"  {i + 1}/{len(ward_rows)} phường · {counts['help_request']:,} yêu cầu · "
                     f"{counts['session']:,} buổi · {clock.perf_counter() - started:.0f} s")
        if pending is not None:
            pending.result()
    if skip_triggers:
        echo("  kiểm tra khóa ngoại…")
        verify_foreign_keys(engine)

    with db.engine.begin() as conn:
        if dialect == "postgresql":
            for name, last in ids.last.items():
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), :v, true)"),
                    {"v": max(last, 1)})
    echo("  tiến độ của từng người dân (resident_progress)…")
    with db.engine.begin() as conn:
        rebuild_progress(conn)
        counts["resident_progress"] = conn.execute(
            select(func.count()).select_from(db.metadata.tables["resident_progress"])).scalar()
    first_ward = db.session.get(Ward, ward_rows[0][0])
    seed_targets({"HG": first_ward})
    db.session.commit()
    db.session.remove()
    # Fresh statistics for the query planner; on PostgreSQL also the visibility map that
    # index-only scans need, as autovacuum would build it on a live database.
    if dialect == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) " + ", ".join(
                f'"{t}"' for t in (*TABLES, "resident_progress")))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    counts["topic"] = len(topic_ids)
    accounts = [(phone, name, SOLE_WARD_OFFICIAL2 if key == "official2" and profile.wards == 1
                 else desc) for key, phone, name, desc in KNOWN_ACCOUNTS]
    return SeedReport(profile=profile_name, dialect=dialect,
                      seconds=clock.perf_counter() - started, counts=dict(counts),
                      accounts=accounts, password=DEMO_PASSWORD)


class DatabaseNotEmpty(Exception):
    """The database already holds data and --force was not given."""
