"""Forms of the notify area: how a person wants to be told."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, ValidationError
from wtforms.validators import Optional

from app.forms import input_required, max_length

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

USER_CHANNEL_CHOICES = [
    ("zalo", _l("Zalo (khuyên dùng)")),
    ("sms", _l("Tin nhắn SMS")),
    ("email", _l("Thư điện tử (e-mail)")),
    ("in_app", _l("Chỉ xem trong ứng dụng")),
]
RESIDENT_CHANNEL_CHOICES = [
    ("sms", _l("Tin nhắn SMS (mọi điện thoại đều nhận được)")),
    ("zalo", _l("Zalo")),
]


def email_address(form, field):
    if field.data and not EMAIL_RE.match(field.data.strip()):
        raise ValidationError(_l("Địa chỉ thư điện tử chưa đúng. Ví dụ: ten@gmail.com"))


class PreferencesForm(FlaskForm):
    channel = RadioField(_l("Nhận thông báo qua"), choices=USER_CHANNEL_CHOICES,
                         validators=[input_required(_l("Vui lòng chọn một cách nhận tin."))])
    email = EmailField(_l("Địa chỉ thư điện tử"),
                        validators=[Optional(), max_length(200), email_address],
                        filters=[lambda value: value.strip() if isinstance(value, str) else value])
    daily_digest = BooleanField(_l("Gom các tin không gấp thành một tin mỗi ngày"))
    opted_out = BooleanField(_l("Tạm dừng mọi tin SMS, Zalo và e-mail "
                                "(vẫn xem được trong ứng dụng)"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here: the Optional() of an empty field stops its own validators.
        if self.channel.data == "email" and not self.email.data:
            self.email.errors = [*self.email.errors, _l(
                "Vui lòng nhập địa chỉ thư điện tử để nhận tin qua e-mail.")]
            valid = False
        return valid


class ResidentPreferencesForm(FlaskForm):
    channel = RadioField(_l("Người dân nhận tin qua"), choices=RESIDENT_CHANNEL_CHOICES,
                         validators=[input_required(_l("Vui lòng chọn một cách nhận tin."))])
    opted_out = BooleanField(_l("Người dân không muốn nhận tin nhắn"))
