"""Routes of the residents area."""
from app.residents import bp  # noqa: F401
