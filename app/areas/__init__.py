"""Wards, residential groups, households and QR posters."""
from flask import Blueprint

bp = Blueprint("areas", __name__, cli_group=None)

from app.areas import routes  # noqa: E402,F401
