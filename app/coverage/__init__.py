"""Coverage against targets for groups, wards and districts."""
from flask import Blueprint

bp = Blueprint("coverage", __name__, cli_group=None)

from app.coverage import cli, routes  # noqa: E402,F401
