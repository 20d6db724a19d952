"""Coverage against targets for groups, wards and districts."""
from flask import Blueprint

bp = Blueprint("coverage", __name__, cli_group=None)


def load_views() -> None:
    """Import the modules that add this blueprint's views and commands; create_app calls
    this, so that importing a service of this area never drags in every view."""
    from app.coverage import cli, routes  # noqa: F401
