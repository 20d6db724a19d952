"""Routes of the coverage area."""
from app.coverage import bp  # noqa: F401
