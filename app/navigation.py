"""The navigation each role sees, in one place.

Entries whose endpoint is not registered are left out, so an area appears in
the menu as soon as its blueprint serves the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from app.permissions import is_admin, is_manager, is_official, is_volunteer


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    allowed: Callable[[object], bool]


def _anyone(_user) -> bool:
    return True


def _anonymous(user) -> bool:
    return not user.is_authenticated


def _signed_in(check):
    """A role predicate of app.permissions, false for anonymous visitors."""
    return lambda user: user.is_authenticated and check(user)


NAV = (
    NavItem("requests.new", _l("Xin hỗ trợ"), _anyone),
    NavItem("requests.track", _l("Theo dõi yêu cầu"), _anonymous),
    NavItem("matching.near_me", _l("Yêu cầu gần bạn"), _signed_in(is_volunteer)),
    NavItem("sessions.mine", _l("Lịch của tôi"), _signed_in(is_volunteer)),
    NavItem("outcomes.pending", _l("Ghi kết quả"), _signed_in(is_volunteer)),
    NavItem("volunteers.profile", _l("Hồ sơ tình nguyện viên"), _signed_in(is_volunteer)),
    NavItem("requests.queue", _l("Yêu cầu của tổ"), _signed_in(is_manager)),
    NavItem("residents.directory", _l("Người dân"), _signed_in(is_manager)),
    NavItem("volunteers.directory", _l("Tình nguyện viên"), _signed_in(is_manager)),
    NavItem("sessions.calendar", _l("Lịch tổ"), _signed_in(is_manager)),
    NavItem("coverage.dashboard", _l("Độ bao phủ"), _signed_in(is_manager)),
    NavItem("coverage.ward", _l("Tổng hợp phường"), _signed_in(is_official)),
    NavItem("notify.inbox", _l("Thông báo"), _signed_in(lambda _user: True)),
    NavItem("admin.index", _l("Quản trị"), _signed_in(is_admin)),
    NavItem("admin.audit_log", _l("Nhật ký dữ liệu cá nhân"), _signed_in(is_official)),
    NavItem("auth.change_password", _l("Đổi mật khẩu"), _signed_in(lambda _user: True)),
    NavItem("auth.register", _l("Đăng ký tình nguyện viên"), _anonymous),
)


def navigation_for(user) -> list[tuple[str, str, str]]:
    """(endpoint, url, label) of the entries this person may use."""
    views = current_app.view_functions
    return [(item.endpoint, url_for(item.endpoint), str(item.label))
            for item in NAV if item.endpoint in views and item.allowed(user)]
