"""Administration: areas, topic catalogue, targets, accounts; demo data commands."""
from flask import Blueprint

bp = Blueprint("admin", __name__, cli_group=None)

from app.admin import cli, privacy, routes  # noqa: E402,F401
