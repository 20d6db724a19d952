"""One-to-one sessions, group classes and calendars."""
from flask import Blueprint

bp = Blueprint("sessions", __name__, cli_group=None)


def load_views() -> None:
    """Import the modules that add this blueprint's views and commands; create_app calls
    this, so that importing a service of this area never drags in every view."""
    from app.sessions import (attendance_routes, calendar_routes, class_routes, cli,  # noqa: F401
                              routes)
