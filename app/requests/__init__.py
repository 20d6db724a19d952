"""Help requests: the public form, proxy requests and tracking."""
from flask import Blueprint

bp = Blueprint("requests", __name__, cli_group=None)


def load_views() -> None:
    """Import the modules that add this blueprint's views and commands; create_app calls
    this, so that importing a service of this area never drags in every view."""
    from app.requests import routes  # noqa: F401
