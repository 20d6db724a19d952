"""Home page, language switch and health check."""
from flask import Blueprint

bp = Blueprint("main", __name__)


def load_views() -> None:
    """Import the modules that add this blueprint's views and commands; create_app calls
    this, so that importing a service of this area never drags in every view."""
    from app.main import routes  # noqa: F401
