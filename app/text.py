"""Text helpers for Vietnamese: searching without diacritics, short forms of names."""
from __future__ import annotations

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case ASCII form used for searching: "Nguyễn Thị Bình" -> "nguyen thi binh"."""
    if not text:
        return ""
    return _SPACES.sub(" ", unidecode(text).lower()).strip()


def clean_name(text: str) -> str:
    """Collapse inner spaces and trim a person's name as typed."""
    return _SPACES.sub(" ", text or "").strip()


def given_name(full_name: str) -> str:
    """Vietnamese names end with the given name: "Trần Văn Minh" -> "Minh"."""
    parts = clean_name(full_name).split(" ")
    return parts[-1] if parts and parts[-1] else ""


def initial_form(full_name: str) -> str:
    """A masked name for people out of scope: "Nguyễn Thị Bình" -> "B."."""
    name = given_name(full_name)
    return f"{name[:1]}." if name else "?"
