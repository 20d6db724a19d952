"""Matching volunteers to requests: the feed, accept, suggestions, batch."""
from flask import Blueprint

bp = Blueprint("matching", __name__, cli_group=None)

from app.matching import routes  # noqa: E402,F401
