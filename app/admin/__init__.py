"""Administration: the admin overview and the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__, cli_group=None)


def load_views() -> None:
    """Import the modules that add this blueprint's views and commands; create_app calls
    this, so that importing a service of this area never drags in every view."""
    from app.admin import routes  # noqa: F401
