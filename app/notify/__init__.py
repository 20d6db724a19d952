"""The notification outbox and its channels."""
from flask import Blueprint

bp = Blueprint("notify", __name__, cli_group=None)


def load_views() -> None:
    """Import the modules that add this blueprint's views and commands; create_app calls
    this, so that importing a service of this area never drags in every view."""
    from app.notify import cli, routes  # noqa: F401
