"""Log in with a mobile number, log out, volunteers register themselves."""
from flask import Blueprint

bp = Blueprint("auth", __name__, cli_group=None)


def load_views() -> None:
    """Import the modules that add this blueprint's views and commands; create_app calls
    this, so that importing a service of this area never drags in every view."""
    from app.auth import cli, routes  # noqa: F401
