"""Column types shared by the models."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stored as UTC; always returned as an aware UTC datetime on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def enum_column(enum_cls, name: str):
    """A portable enum column stored as its value with a CHECK constraint."""
    from sqlalchemy import Enum

    return Enum(enum_cls, name=name, native_enum=False, create_constraint=True, length=24,
                values_callable=lambda e: [m.value for m in e])
