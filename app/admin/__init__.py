"""Administration: the admin overview and the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__, cli_group=None)

from app.admin import routes  # noqa: E402,F401
