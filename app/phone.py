"""Vietnamese mobile numbers: parsing to E.164, display and masking (phonenumbers)."""
from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


class InvalidPhone(ValueError):
    """Raised with a reason code: 'empty', 'malformed', 'not_mobile'."""


def normalize_phone(raw: str | None) -> str:
    """Return the E.164 form of a Vietnamese mobile number or raise InvalidPhone.

    "0912 345 678", "+84 912 345 678" and "84912345678" all give "+84912345678".
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("empty")
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("84") or (digits.startswith("84") and not text.startswith(("0", "+"))):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, "VN")
    except NumberParseException as exc:
        raise InvalidPhone("malformed") from exc
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise InvalidPhone("malformed")
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise InvalidPhone("not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """National format for people: "+84912345678" -> "0912 345 678"."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "VN")
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask_phone(e164: str | None) -> str:
    """Only the last three digits: "+84912345678" -> "••• ••• 678"."""
    if not e164:
        return ""
    return "••• ••• " + e164[-3:]
