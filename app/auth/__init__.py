"""Log in with a mobile number, log out, volunteers register themselves."""
from flask import Blueprint

bp = Blueprint("auth", __name__, cli_group=None)

from app.auth import cli, routes  # noqa: E402,F401
