"""Phone numbers never reach the logs: every log record is masked when it is made.

Masking happens in the log record factory, so it covers every logger (ours,
SQLAlchemy's, gunicorn's access log) and every handler, including exception
tracebacks, which are formatted and masked at once. "+84912345678",
"84912345678", "0912 345 678", "0912.345.678" and landlines such as
"024 3825 1234" all become "***678".
"""
from __future__ import annotations

import logging
import re
import traceback

# +84 (also "(+84)" and URL-encoded "%2B84") / 84 / 0, then 9 or 10 more digits (mobile
# or landline), spaces, dots or dashes allowed between digits, not glued to other digits
# or to a decimal point.
PHONE_RE = re.compile(
    r"(?<![\w+])(?<!\d\.)"
    r"(?:(?:\((?:\+|%2[Bb])84\)|(?:\+|%2[Bb])84|84)[ .\-]?(?:\(0\)[ .\-]?)?|0)"
    r"[1-9](?:[ .\-]?\d){8,9}(?!\d)")


def mask_phones(text: str) -> str:
    """Replace every Vietnamese phone number in `text` by *** and its last three digits."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return PHONE_RE.sub(lambda m: "***" + re.sub(r"\D", "", m.group())[-3:], text)


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask a record in place: its message (with its arguments), traceback and stack."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not lose the record
        message = f"{record.msg!r} {record.args!r}"
    record.msg, record.args = mask_phones(message), None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = mask_phones(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_phones(record.stack_info)
    return record


class PhoneMaskingFilter(logging.Filter):
    """The same masking as a filter, for handlers configured outside the app."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install() -> None:
    """Wrap the process's log record factory once (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_phones", False):
        return

    def masked_factory(*args, **kwargs):
        return mask_record(factory(*args, **kwargs))

    masked_factory.masks_phones = True
    logging.setLogRecordFactory(masked_factory)
