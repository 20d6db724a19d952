"""Volunteer profiles and their verification."""
from flask import Blueprint

bp = Blueprint("volunteers", __name__, cli_group=None)

from app.volunteers import routes  # noqa: E402,F401
