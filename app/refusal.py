"""A rule said no: the one exception every service raises when it refuses a change.

A refusal carries the words for the person (`message`), the form field they belong beside
(`field`; none for the whole form) and, where a caller reacts to the kind of refusal or
chooses words for its audience, a stable `reason` ("taken", "not_in_scope"). A check that
finds several problems at once raises one refusal with `errors`, field by field.

Views catch `Refusal`, roll back, and show `errors` beside the fields (or `message` as a
notice); nothing already saved is lost.
"""
from __future__ import annotations

GENERAL = "_"  # the key of a message that belongs to the whole form


class Refusal(Exception):
    def __init__(self, message: str = "", *, field: str | None = None, reason: str = "",
                 errors: dict[str, list[str]] | None = None):
        if errors is None:
            errors = {field or GENERAL: [message]} if message else {}
        self.errors = errors
        self.reason = reason
        self.field = field
        super().__init__(self.message or reason)

    @property
    def message(self) -> str:
        """Every message, in one line."""
        return "; ".join(m for messages in self.errors.values() for m in messages)
