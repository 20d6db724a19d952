"""Residents: directory, records, consent, export and erasure."""
from flask import Blueprint

bp = Blueprint("residents", __name__, cli_group=None)

from app.residents import privacy_routes, routes  # noqa: E402,F401
