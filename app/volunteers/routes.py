"""Routes of the volunteers area."""
from app.volunteers import bp  # noqa: F401
