"""Routes of the requests area."""
from app.requests import bp  # noqa: F401
