"""The navigation each role sees, in one place.

Entries whose endpoint is not registered are left out, so an area appears in
the menu as soon as its blueprint serves the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    allowed: Callable[[object], bool]


def _anyone(_user) -> bool:
    return True


def _anonymous(user) -> bool:
    return not user.is_authenticated


def _volunteer(user) -> bool:
    return user.is_authenticated and user.is_volunteer


def _manager(user) -> bool:
    return user.is_authenticated and (user.is_leader or user.is_official or user.is_admin)


def _official(user) -> bool:
    return user.is_authenticated and (user.is_official or user.is_admin)


def _signed_in(user) -> bool:
    return user.is_authenticated


def _admin(user) -> bool:
    return user.is_authenticated and user.is_admin


NAV = (
    NavItem("requests.new", _l("Xin hỗ trợ"), _anyone),
    NavItem("requests.track", _l("Theo dõi yêu cầu"), _anonymous),
    NavItem("matching.near_me", _l("Yêu cầu gần bạn"), _volunteer),
    NavItem("sessions.mine", _l("Lịch của tôi"), _volunteer),
    NavItem("volunteers.profile", _l("Hồ sơ tình nguyện viên"), _volunteer),
    NavItem("requests.queue", _l("Yêu cầu của tổ"), _manager),
    NavItem("residents.directory", _l("Người dân"), _manager),
    NavItem("volunteers.directory", _l("Tình nguyện viên"), _manager),
    NavItem("sessions.calendar", _l("Lịch tổ"), _manager),
    NavItem("coverage.dashboard", _l("Độ bao phủ"), _manager),
    NavItem("coverage.ward", _l("Tổng hợp phường"), _official),
    NavItem("notify.inbox", _l("Thông báo"), _signed_in),
    NavItem("admin.index", _l("Quản trị"), _admin),
    NavItem("admin.audit_log", _l("Nhật ký dữ liệu cá nhân"), _official),
    NavItem("auth.change_password", _l("Đổi mật khẩu"), _signed_in),
    NavItem("auth.register", _l("Đăng ký tình nguyện viên"), _anonymous),
)


def navigation_for(user) -> list[tuple[str, str, str]]:
    """(endpoint, url, label) of the entries this person may use."""
    views = current_app.view_functions
    return [(item.endpoint, url_for(item.endpoint), str(item.label))
            for item in NAV if item.endpoint in views and item.allowed(user)]
