"""Routes of the sessions area."""
from app.sessions import bp  # noqa: F401
