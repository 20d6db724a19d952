"""Routes of the notify area."""
from app.notify import bp  # noqa: F401
