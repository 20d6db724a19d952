"""Form pieces shared by every area: Vietnamese phone numbers, bounded text, messages."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, ValidationError
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from app.phone import InvalidPhone, normalize_phone

PHONE_MESSAGES = {
    "empty": _l("Vui lòng nhập số điện thoại di động."),
    "malformed": _l("Số điện thoại chưa đúng. Ví dụ đúng: 0912 345 678."),
    "not_mobile": _l("Vui lòng nhập số di động (số máy bàn không nhận được tin nhắn)."),
}


class VietnameseMobile:
    """Validates a Vietnamese mobile number and stores its E.164 form on `field.e164`."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        try:
            field.e164 = normalize_phone(field.data)
        except InvalidPhone as exc:
            field.e164 = None
            raise ValidationError(str(PHONE_MESSAGES[str(exc)])) from exc


def required(message=None):
    return DataRequired(message=message or _l("Vui lòng điền mục này."))


def input_required(message=None):
    return InputRequired(message=message or _l("Vui lòng chọn mục này."))


def max_length(limit: int):
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự.", max=limit))


def parse_decimal(text: str, message) -> Decimal | None:
    """"1,5" (the Vietnamese comma) and "1.5" alike; None when empty; ValueError(message)
    when it is not a finite number."""
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(str(message)) from None
    if not value.is_finite():
        raise ValueError(str(message))
    return value


class WholeNumberField(IntegerField):
    """A whole number as people type it: "1.200" or "1 200" is twelve hundred, empty is
    none, and anything else gets a Vietnamese message (WTForms has no vi catalogue). More
    than 12 digits is never a count here: refused before it reaches a range check."""

    message = _l("Vui lòng nhập một số.")

    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip()
        text = text.replace(".", "").replace(" ", "")
        if not text:
            self.data = None
            return
        try:
            if len(text.lstrip("+-")) > 12:
                raise ValueError(text)
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(str(self.message)) from None


def one_of(values):
    """For a SelectField with validate_choice=False: WTForms' own message is English only."""
    return AnyOf(list(values), message=_l("Vui lòng chọn một mục trong danh sách."))
