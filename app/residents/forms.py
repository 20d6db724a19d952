"""Forms of a resident's data rights: erasure and consent withdrawal."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Optional

from app.forms import max_length


class EraseResidentForm(FlaskForm):
    confirm = BooleanField(_l("Tôi xác nhận người dân (hoặc người giám hộ) đã yêu cầu xóa dữ "
                              "liệu, và hiểu rằng việc này không hoàn tác được."))
    reason = StringField(_l("Ghi chú về yêu cầu (không bắt buộc)"),
                         validators=[Optional(), max_length(200)])

    def validate_confirm(self, field):
        from wtforms import ValidationError

        if not field.data:
            raise ValidationError(_l("Vui lòng đánh dấu xác nhận trước khi xóa."))


class WithdrawConsentForm(FlaskForm):
    """Only the CSRF token: the button says what it does."""
