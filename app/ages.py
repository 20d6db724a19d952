"""Ages, the one rule: by year of birth (the forms ask only the year), on Vietnam's date.

A person is an adult from the calendar year of their 18th birthday. Volunteers' minor
status (a companion for home visits, a guardian's consent), residents' ages on messages
and pages, and the coverage figures' "adult residents" all read it here.
"""
from __future__ import annotations

from datetime import date

from app.clock import today_local

ADULT_AGE = 18


def age(birth_year: int | None, today: date | None = None) -> int | None:
    """Years since the year of birth; None when it is not known."""
    if not birth_year:
        return None
    return (today or today_local()).year - birth_year


def is_minor(birth_year: int | None, today: date | None = None) -> bool:
    """Under 18 this year. An unknown year is not taken for a minor."""
    years = age(birth_year, today)
    return years is not None and years < ADULT_AGE


def last_adult_birth_year(today: date | None = None) -> int:
    """The latest year of birth of an adult: SQL compares `birth_year <=` this."""
    return (today or today_local()).year - ADULT_AGE
