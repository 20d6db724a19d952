"""The notification outbox and its channels."""
from flask import Blueprint

bp = Blueprint("notify", __name__, cli_group=None)

from app.notify import cli, routes  # noqa: E402,F401
