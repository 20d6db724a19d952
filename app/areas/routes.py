"""Routes of the areas area."""
from app.areas import bp  # noqa: F401
