"""One-to-one sessions, group classes and calendars."""
from flask import Blueprint

bp = Blueprint("sessions", __name__, cli_group=None)

from app.sessions import (attendance_routes, calendar_routes, class_routes, cli,  # noqa: E402,F401
                          routes)
