"""Help requests: the public form, proxy requests and tracking."""
from flask import Blueprint

bp = Blueprint("requests", __name__, cli_group=None)

from app.requests import routes  # noqa: E402,F401
