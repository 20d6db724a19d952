"""Language and time zone: Vietnamese and Asia/Ho_Chi_Minh unless the person chose English."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from flask import current_app, has_request_context, request, session
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from app.clock import LOCAL_TZ, to_local


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    if request and request.args.get("lang") in supported:
        return request.args["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return LOCAL_TZ.key


def _is_vi() -> bool:
    return str(get_locale() or "vi").startswith("vi")


def fmt_datetime(moment: datetime | None) -> str:
    """"Thứ Ba, 12/5/2026, 9:00" in Vietnamese, "Tuesday, 12/5/2026, 9:00" in English."""
    if moment is None:
        return ""
    return format_datetime(moment, "EEEE, d/M/yyyy, H:mm")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "EEEE, d/M/yyyy")
    from flask_babel import format_date
    return format_date(value, "EEEE, d/M/yyyy")


def fmt_short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{value.day}/{value.month}/{value.year}"


def fmt_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return format_datetime(moment, "H:mm")


@lru_cache(maxsize=8)
def _separators(locale: str) -> dict[int, str]:
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale)}


def format_number(value, places: int = 1, *, fixed: bool = False) -> str:
    """A number as Babel's "#,##0.#" pattern writes it ("#,##0.0" when `fixed`) in the
    current language — 1.234,5 in Vietnamese — rounded half to even like Babel, but
    without parsing a pattern for each of the hundreds of figures of a roll-up."""
    if isinstance(value, float):
        value = Decimal(str(value))
    text = f"{value:,.{places}f}"
    if places and not fixed:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.translate(_separators(str(get_locale() or "vi")))
