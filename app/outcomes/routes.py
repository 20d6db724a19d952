"""Routes of the outcomes area."""
from app.outcomes import bp  # noqa: F401
