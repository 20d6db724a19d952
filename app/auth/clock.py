"""The clock that sign-in rules read, in one place so that tests can move time."""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    """The current moment, an aware UTC datetime."""
    return datetime.now(timezone.utc)


def timestamp() -> float:
    """The current moment in seconds since the epoch (what the session stores)."""
    return now().timestamp()
