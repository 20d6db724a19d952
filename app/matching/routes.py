"""Routes of the matching area."""
from app.matching import bp  # noqa: F401
