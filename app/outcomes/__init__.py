"""What each attendee learned; household surveys."""
from flask import Blueprint

bp = Blueprint("outcomes", __name__, cli_group=None)

from app.outcomes import routes  # noqa: E402,F401
